"""Five-category classification floors (classification.md): the pure core.

A loan's suggested category is the worst of the floors that apply to it:
days past due, signals confirmed by a reviewed visit (fund misuse, 挪用),
open warnings (red, orange), and the observation period of a restructured
loan. The rule set is data (a JSON-able dict) so that an admin can extend it;
`DEFAULT_RULES` is the default rule set of classification.md. Nothing here
touches the database: the service gathers the facts and calls `suggest`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS = (
    "normal",
    "special_mention",
    "substandard",
    "doubtful",
    "loss",
)
# Best to worst; the last three are non-performing (不良).
CATEGORIES: tuple[str, ...] = (NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS)
RANK = {category: rank for rank, category in enumerate(CATEGORIES)}
WARNING_LEVELS = ("blue", "yellow", "orange", "red")

# classification.md, "Floors from days past due" and "Other floors in the default rule set".
DEFAULT_RULES: dict[str, Any] = {
    # [least DPD, floor], ascending: 1-90 special_mention, 91-270 substandard,
    # 271-360 doubtful, more than 360 loss; 0 is normal.
    "dpd": [[1, SPECIAL_MENTION], [91, SUBSTANDARD], [271, DOUBTFUL], [361, LOSS]],
    # A signal confirmed by a reviewed (approved) visit -> floor. 挪用: funds used
    # against the contract.
    "signals": {"fund_misuse": SPECIAL_MENTION},
    # An open warning of this level -> floor.
    "warnings": {"red": SUBSTANDARD, "orange": SPECIAL_MENTION},
    # A restructured loan is not upgraded during its observation period (观察期).
    "observation_holds": True,
}


class RulesError(ValueError):
    """A rule set that does not make sense (an unknown category, DPD bands out of order…)."""


def validate_rules(rules: Mapping[str, Any]) -> dict[str, Any]:
    """A rule set checked and normalised; RulesError names the first thing wrong."""
    unknown = set(rules) - set(DEFAULT_RULES)
    if unknown:
        raise RulesError(f"unknown rule section(s): {', '.join(sorted(unknown))}")
    bands = rules.get("dpd", [])
    previous = 0
    for band in bands:
        if not (isinstance(band, list | tuple) and len(band) == 2):
            raise RulesError(f"dpd band {band!r} is not [least DPD, category]")
        least, category = band
        if isinstance(least, bool) or not isinstance(least, int) or least <= previous:
            raise RulesError(f"dpd bands must start above 0 and ascend; got {least!r}")
        _check_category(category, f"dpd band {least}")
        previous = least
    for section in ("signals", "warnings"):
        for key, category in dict(rules.get(section, {})).items():
            if section == "warnings" and key not in WARNING_LEVELS:
                raise RulesError(f"unknown warning level {key!r}")
            _check_category(category, f"{section} {key}")
    return {
        "dpd": [[least, category] for least, category in bands],
        "signals": dict(rules.get("signals", {})),
        "warnings": dict(rules.get("warnings", {})),
        "observation_holds": bool(rules.get("observation_holds", False)),
    }


def _check_category(category: Any, where: str) -> None:
    if category not in RANK:
        raise RulesError(f"{where}: unknown category {category!r}")


@dataclass(frozen=True)
class Facts:
    """What the floors look at, for one loan on one classification date.

    signals: signal code -> the evidence that confirms it ("visit 123"), from
        approved visit reviews (or the risk app's confirmed signals).
    warning_levels: the levels of the loan's open warnings.
    in_observation / previous: the restructuring hook (issue 6). While a
        restructured loan is in its observation period, the suggestion is never
        better than `previous`, its confirmed category before.
    """

    dpd: int
    signals: Mapping[str, str] = field(default_factory=dict)
    warning_levels: frozenset[str] = frozenset()
    in_observation: bool = False
    previous: str | None = None


def dpd_floor(dpd: int, rules: Mapping[str, Any] = DEFAULT_RULES) -> str:
    """The category days past due alone set (classification.md's table)."""
    floor = NORMAL
    for least, category in rules.get("dpd", []):
        if dpd >= least:
            floor = category
    return floor


def floors(facts: Facts, rules: Mapping[str, Any] = DEFAULT_RULES) -> list[tuple[str, str]]:
    """Every floor that applies: (category, reason code), in rule order."""
    applied: list[tuple[str, str]] = []
    by_dpd = dpd_floor(facts.dpd, rules)
    if by_dpd != NORMAL:
        applied.append((by_dpd, f"dpd:{facts.dpd}"))
    for signal, category in rules.get("signals", {}).items():
        if signal in facts.signals:
            evidence = facts.signals[signal]
            applied.append((category, f"{signal}:{evidence}" if evidence else signal))
    for level, category in rules.get("warnings", {}).items():
        if level in facts.warning_levels:
            applied.append((category, f"warning:{level}"))
    if rules.get("observation_holds") and facts.in_observation and facts.previous in RANK:
        applied.append((facts.previous, f"restructured:observation:{facts.previous}"))
    return applied


def worst(categories: list[str]) -> str:
    return max(categories, key=RANK.__getitem__, default=NORMAL)


def suggest(facts: Facts, rules: Mapping[str, Any] = DEFAULT_RULES) -> tuple[str, list[str]]:
    """The suggested category and its reasons: the worst floor that applies wins."""
    applied = floors(facts, rules)
    return worst([category for category, _ in applied]), [reason for _, reason in applied]


def is_worse(a: str, b: str) -> bool:
    return RANK[a] > RANK[b]


def reason_label(code: str) -> str:
    """A reason code in words, for the pages ("dpd:45" -> 逾期天数：45)."""
    from django.utils.translation import gettext as _

    kind, _sep, rest = code.partition(":")
    if kind == "dpd":
        return _("逾期天数：%(days)s") % {"days": rest}
    if kind == "warning":
        names = {"red": _("红色"), "orange": _("橙色"), "yellow": _("黄色"), "blue": _("蓝色")}
        return _("存在未解除的%(level)s预警") % {"level": names.get(rest, rest)}
    if kind == "restructured":
        return _("重组观察期内不上调（原分类：%(category)s）") % {
            "category": category_label(rest.partition(":")[2])
        }
    if kind == "fund_misuse":
        return _("经审核的回访确认挪用贷款资金（%(evidence)s）") % {
            "evidence": _evidence_label(rest)
        }
    return _("风险信号 %(signal)s（%(evidence)s）") % {
        "signal": kind,
        "evidence": _evidence_label(rest),
    }


def _evidence_label(evidence: str) -> str:
    from django.utils.translation import gettext as _

    kind, _sep, ref = evidence.partition(" ")
    if kind == "visit":
        return _("回访 %(id)s") % {"id": ref}
    if kind == "signal":
        return _("预警信号 %(id)s") % {"id": ref}
    return evidence


def category_label(category: str) -> str:
    from django.utils.translation import gettext as _

    names = {
        NORMAL: _("正常"),
        SPECIAL_MENTION: _("关注"),
        SUBSTANDARD: _("次级"),
        DOUBTFUL: _("可疑"),
        LOSS: _("损失"),
    }
    return names.get(category, category)
