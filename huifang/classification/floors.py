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
    """A rule set that does not make sense or weakens the spec's floors; the message is Chinese."""


SECTIONS = tuple(DEFAULT_RULES)
# Signal codes: lower-case words joined by "_", as the risk app and the questionnaires store them.
_SIGNAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def validate_rules(rules: Mapping[str, Any]) -> dict[str, Any]:
    """A rule set checked and normalised; RulesError names the first thing wrong.

    classification.md fixes the DPD table ("Floors from days past due"), so a
    rule set must carry it unchanged (left out, it is filled in). The rule set
    is data an admin can *extend*: the default rule set's other floors may be
    made stricter and new ones added, never removed or lowered.
    """
    from django.utils.translation import gettext as _

    if not isinstance(rules, Mapping):
        raise RulesError(_("规则必须是一个 JSON 对象（{…}）。"))
    unknown = set(rules) - set(SECTIONS)
    if unknown:
        raise RulesError(
            _("未知的规则部分：%(keys)s（只能有 %(known)s）。")
            % {"keys": "、".join(sorted(map(str, unknown))), "known": "、".join(SECTIONS)}
        )
    bands = rules.get("dpd", DEFAULT_RULES["dpd"])
    if not isinstance(bands, list | tuple):
        raise RulesError(_("dpd 必须是 [最少逾期天数, 分类] 的列表。"))
    previous = 0
    for band in bands:
        if not (isinstance(band, list | tuple) and len(band) == 2):
            raise RulesError(_("dpd 档位 %(band)s 不是 [最少逾期天数, 分类]。") % {"band": band})
        least, category = band
        if isinstance(least, bool) or not isinstance(least, int) or least <= previous:
            raise RulesError(
                _("dpd 档位的天数必须大于 0 且逐档递增；“%(least)s”不符合。") % {"least": least}
            )
        _check_category(category, _("dpd 档位 %(least)s") % {"least": least})
        previous = least
    normal = {
        "dpd": [[least, category] for least, category in bands],
        "signals": _floor_map(rules, "signals"),
        "warnings": _floor_map(rules, "warnings"),
        "observation_holds": rules.get("observation_holds", DEFAULT_RULES["observation_holds"]),
    }
    if not isinstance(normal["observation_holds"], bool):
        raise RulesError(_("observation_holds 必须是 true 或 false。"))
    if normal["dpd"] != DEFAULT_RULES["dpd"]:
        raise RulesError(
            _(
                "dpd 逾期天数档位由分类规范规定，不能修改或删除："
                "必须是 %(table)s（1–90 天关注，91–270 天次级，271–360 天可疑，360 天以上损失）。"
            )
            % {"table": _json(DEFAULT_RULES["dpd"])}
        )
    _check_not_weaker(normal)
    return normal


def _floor_map(rules: Mapping[str, Any], section: str) -> dict[str, str]:
    from django.utils.translation import gettext as _

    value = rules.get(section, DEFAULT_RULES[section])
    if not isinstance(value, Mapping):
        raise RulesError(
            _("%(section)s 必须是 {代码: 分类} 形式的 JSON 对象。") % {"section": section}
        )
    for key, category in value.items():
        if section == "warnings" and key not in WARNING_LEVELS:
            raise RulesError(
                _("未知的预警级别“%(level)s”（只能是 %(known)s）。")
                % {"level": key, "known": "、".join(WARNING_LEVELS)}
            )
        if section == "signals" and not (
            isinstance(key, str) and 0 < len(key) <= 32 and set(key) <= _SIGNAL_CHARS
        ):
            raise RulesError(
                _("信号代码“%(code)s”无效：只能用小写字母、数字和下划线。") % {"code": key}
            )
        _check_category(category, f"{section} {key}")
    return dict(value)


def _check_not_weaker(rules: Mapping[str, Any]) -> None:
    """The default rule set's floors stay, at least as strict (an admin extends, never weakens)."""
    from django.utils.translation import gettext as _

    for section in ("signals", "warnings"):
        for key, floor in DEFAULT_RULES[section].items():
            category = rules[section].get(key)
            if category is None or RANK[category] < RANK[floor]:
                raise RulesError(
                    _(
                        "%(section)s %(key)s 是默认规则，只能保持或提高（至少%(floor)s），不能删除或降低。"
                    )
                    % {"section": section, "key": key, "floor": category_label(floor)}
                )
    if DEFAULT_RULES["observation_holds"] and not rules["observation_holds"]:
        raise RulesError(_("observation_holds（重组观察期内不上调）是默认规则，不能关闭。"))


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _check_category(category: Any, where: str) -> None:
    from django.utils.translation import gettext as _

    if category not in RANK:
        raise RulesError(
            _("%(where)s：分类“%(category)s”无效（只能是 %(known)s）。")
            % {"where": where, "category": category, "known": "、".join(CATEGORIES)}
        )


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


def describe_rules(rules: Mapping[str, Any]) -> list[str]:
    """Each floor of a rule set in words, for the rules page and the API."""
    from django.utils.translation import gettext as _

    try:
        from huifang.risk.codes import SignalCode

        signal_names = dict(SignalCode.choices)
    except ImportError:
        signal_names = {}
    lines = []
    bands = list(rules.get("dpd", []))
    for i, (least, category) in enumerate(bands):
        values = {"least": least, "category": category_label(category)}
        if i + 1 < len(bands):
            values["most"] = bands[i + 1][0] - 1
            lines.append(_("逾期 %(least)s–%(most)s 天：至少%(category)s") % values)
        else:
            lines.append(_("逾期 %(least)s 天及以上：至少%(category)s") % values)
    for code, category in rules.get("signals", {}).items():
        lines.append(
            _("经审核的回访确认风险信号“%(name)s”（%(code)s）：至少%(category)s")
            % {
                "name": signal_names.get(code, code),
                "code": code,
                "category": category_label(category),
            }
        )
    levels = {"red": _("红色"), "orange": _("橙色"), "yellow": _("黄色"), "blue": _("蓝色")}
    for level, category in rules.get("warnings", {}).items():
        lines.append(
            _("存在未解除的%(level)s预警：至少%(category)s")
            % {"level": levels.get(level, level), "category": category_label(category)}
        )
    if rules.get("observation_holds"):
        lines.append(_("重组贷款在观察期内不上调分类"))
    return lines
