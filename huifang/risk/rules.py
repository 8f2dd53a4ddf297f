"""Warning rules as data, and their evaluation over a loan's facts: pure, no ORM.

A rule is {"code", "name", "level", "conditions"}; every condition given must
hold (AND). Conditions:
- "signals": [codes] — open signals of any of these codes …
- "min_severity": low | medium | high — … at least this severe (default low) …
- "min_count": n — … at least n of them (default 1);
- "dpd_min", "dpd_max": days past due within [min, max];
- "failed_contacts_min": n — failed contacts (see Facts.failed_contacts);
- "partial_payment": true | false — the earliest unpaid instalment is partly paid.
The loan's warning level is the highest level of the rules that match.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from huifang.risk.codes import LEVEL_RANK, SEVERITY_RANK, SignalCode

CONDITION_KEYS = (
    "signals",
    "min_severity",
    "min_count",
    "dpd_min",
    "dpd_max",
    "failed_contacts_min",
    "partial_payment",
)


@dataclass(frozen=True)
class OpenSignal:
    id: int | None
    code: str
    severity: str


@dataclass(frozen=True)
class Facts:
    signals: Sequence[OpenSignal] = ()
    dpd: int = 0
    # Distinct days with an unanswered contact attempt, or open contact_failure signals,
    # whichever is more (one "could not reach for 3 days" finding stands for its 3 days).
    failed_contacts: int = 0
    partial_payment: bool = False


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    level: str
    conditions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    level: str | None
    rules: list[Rule]  # the rules that matched, highest level first
    signal_ids: list[int]  # the open signals those rules relied on


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        "overdue_partial",
        "逾期1–30天且部分还款",
        "blue",
        {"dpd_min": 1, "dpd_max": 30, "partial_payment": True},
    ),
    Rule(
        "signal_medium",
        "出现中等及以上风险信号",
        "blue",
        {
            "signals": [
                "business_decline",
                "repayment_ability",
                "repayment_willingness",
                "guarantor_risk",
                "collateral_risk",
                "contact_failure",
                "borrower_dissatisfied",
                "other_risk",
                "overdue",
                "partial_payment",
            ],
            "min_severity": "medium",
        },
    ),
    Rule(
        "contact_failed_overdue",
        "三次联系失败且逾期15天以上",
        "yellow",
        {"failed_contacts_min": 3, "dpd_min": 15},
    ),
    Rule("overdue_31_60", "逾期31–60天", "yellow", {"dpd_min": 31, "dpd_max": 60}),
    Rule(
        "signal_high",
        "经营、还款或担保出现高风险信号",
        "yellow",
        {
            "signals": [
                "business_decline",
                "repayment_ability",
                "repayment_willingness",
                "guarantor_risk",
                "collateral_risk",
            ],
            "min_severity": "high",
        },
    ),
    Rule("repayment_trend", "还款情况持续恶化", "yellow", {"signals": ["repayment_trend"]}),
    Rule(
        "fund_misuse",
        "资金挪用（高）",
        "orange",
        {"signals": ["fund_misuse"], "min_severity": "high"},
    ),
    Rule("overdue_61_90", "逾期61–90天", "orange", {"dpd_min": 61, "dpd_max": 90}),
    Rule(
        "legal_medium",
        "涉诉",
        "orange",
        {"signals": ["legal_risk"], "min_severity": "medium"},
    ),
    Rule(
        "asset_transfer",
        "转移资产或抽逃资金",
        "orange",
        {"signals": ["asset_transfer"], "min_severity": "medium"},
    ),
    Rule(
        "legal_or_seizure",
        "诉讼、被执行、资产查封冻结或借款人失联",
        "red",
        {"signals": ["legal_risk", "asset_seizure", "borrower_missing"], "min_severity": "high"},
    ),
    Rule("overdue_90_plus", "逾期超过90天", "red", {"dpd_min": 91}),
)


def _matching_signals(rule: Rule, facts: Facts) -> list[OpenSignal] | None:
    """The open signals a rule's signal conditions pick, or None when they fail."""
    cond = rule.conditions
    if "signals" not in cond:
        return []
    codes = set(cond["signals"])
    floor = SEVERITY_RANK[cond.get("min_severity", "low")]
    picked = [s for s in facts.signals if s.code in codes and SEVERITY_RANK[s.severity] >= floor]
    return picked if len(picked) >= int(cond.get("min_count", 1)) and picked else None


def rule_matches(rule: Rule, facts: Facts) -> bool:
    return _match(rule, facts) is not None


def _match(rule: Rule, facts: Facts) -> list[OpenSignal] | None:
    cond = rule.conditions
    if not cond:
        return None  # a rule without conditions would warn about every loan
    if "dpd_min" in cond and facts.dpd < int(cond["dpd_min"]):
        return None
    if "dpd_max" in cond and facts.dpd > int(cond["dpd_max"]):
        return None
    if "failed_contacts_min" in cond and facts.failed_contacts < int(cond["failed_contacts_min"]):
        return None
    if "partial_payment" in cond and facts.partial_payment != bool(cond["partial_payment"]):
        return None
    return _matching_signals(rule, facts)


def evaluate(rules: Iterable[Rule], facts: Facts) -> Outcome:
    """The warning level the rules give a loan (None: no warning), and why."""
    matched: list[tuple[Rule, list[OpenSignal]]] = []
    for rule in rules:
        picked = _match(rule, facts)
        if picked is not None:
            matched.append((rule, picked))
    if not matched:
        return Outcome(level=None, rules=[], signal_ids=[])
    matched.sort(key=lambda m: -LEVEL_RANK[m[0].level])
    ids: dict[int, None] = {}
    for _rule, picked in matched:
        for s in picked:
            if s.id is not None:
                ids.setdefault(s.id, None)
    return Outcome(level=matched[0][0].level, rules=[r for r, _ in matched], signal_ids=list(ids))


def validate_conditions(conditions: Any) -> dict[str, str]:
    """Problems of a rule's conditions, by condition name, in words an editor understands."""
    errors: dict[str, str] = {}
    if not isinstance(conditions, dict) or not conditions:
        return {"conditions": _('条件必须是至少含一项的对象，例如 {"dpd_min": 91}')}
    for key in conditions:
        if key not in CONDITION_KEYS:
            errors[key] = _("未知的条件“%(key)s”（可用：%(allowed)s）") % {
                "key": key,
                "allowed": "、".join(CONDITION_KEYS),
            }
    if "signals" in conditions:
        value = conditions["signals"]
        if not isinstance(value, list) or not value:
            errors["signals"] = _("signals 必须是非空的信号代码列表")
        else:
            unknown = [c for c in value if c not in SignalCode.values]
            if unknown:
                errors["signals"] = _("未知的信号代码：%(codes)s") % {
                    "codes": "、".join(str(c) for c in unknown)
                }
    elif "min_severity" in conditions or "min_count" in conditions:
        errors["signals"] = _("min_severity 和 min_count 需要同时给出 signals")
    if "min_severity" in conditions and conditions["min_severity"] not in SEVERITY_RANK:
        errors["min_severity"] = _("min_severity 必须是 low、medium 或 high")
    for key in ("min_count", "dpd_min", "dpd_max", "failed_contacts_min"):
        if key in conditions:
            value = conditions[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors[key] = _("%(key)s 必须是不小于 0 的整数") % {"key": key}
    if (
        isinstance(conditions.get("dpd_min"), int)
        and isinstance(conditions.get("dpd_max"), int)
        and conditions["dpd_min"] > conditions["dpd_max"]
    ):
        errors["dpd_max"] = _("dpd_max 不能小于 dpd_min")
    if "partial_payment" in conditions and not isinstance(conditions["partial_payment"], bool):
        errors["partial_payment"] = _("partial_payment 必须是 true 或 false")
    return errors
