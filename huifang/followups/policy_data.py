"""Follow-up policies as JSON-ready data, and back; what changed between two policies.

The stored form of a `policy.Policy` (a `PolicyVersion.rules` column, the API's
`data`): the dataclasses' fields by name, tuples as lists, so that
`policy_from_data(policy_to_data(p)) == p` and, for data this module wrote,
`policy_to_data(policy_from_data(d)) == d`. Pure: no ORM, no Django.

`policy_from_data` checks the shape (keys, types) and the dataclasses check
their own invariants; either raises `PolicyDataError` naming the field. The
ranges an admin may choose are the service's to check
(`followups.services.policy_validation.policy_validate`).
"""

from typing import Any

from huifang.followups.policy import (
    BORROWER,
    D90,
    DISBURSEMENT,
    FIRST,
    GUARANTOR,
    HIGH,
    LONG,
    LOW,
    MATURITY,
    MEDIUM,
    PERIODIC,
    PRE_MATURITY,
    SHORT,
    Candidate,
    ChannelRule,
    Policy,
    Rule,
)

POLICY_FIELDS = (
    "rules",
    "channel_rules",
    "default_channel",
    "short_term_max_months",
    "collision_days",
    "default_risk_level",
)
RULE_FIELDS = ("term_class", "risk_level", "candidates")
CANDIDATE_FIELDS = ("kind", "subject_role", "anchor", "offset_days", "step_months", "order")
CHANNEL_RULE_FIELDS = ("channel", "kind", "subject_role", "borrower_type", "risk_level")

TERM_CLASSES = (SHORT, LONG)
RISK_LEVELS = (LOW, MEDIUM, HIGH)
SUBJECT_ROLES = (BORROWER, GUARANTOR)
ANCHORS = (DISBURSEMENT, MATURITY)


class PolicyDataError(ValueError):
    """Policy data of the wrong shape; `field` is its path (rules.3.candidates.0.kind)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def policy_to_data(policy: Policy) -> dict[str, Any]:
    return {
        "rules": [
            {
                "term_class": rule.term_class,
                "risk_level": rule.risk_level,
                "candidates": [
                    {name: getattr(c, name) for name in CANDIDATE_FIELDS} for c in rule.candidates
                ],
            }
            for rule in policy.rules
        ],
        "channel_rules": [
            {name: getattr(r, name) for name in CHANNEL_RULE_FIELDS} for r in policy.channel_rules
        ],
        "default_channel": policy.default_channel,
        "short_term_max_months": policy.short_term_max_months,
        "collision_days": policy.collision_days,
        "default_risk_level": policy.default_risk_level,
    }


def policy_from_data(data: Any) -> Policy:
    _object(data, "", POLICY_FIELDS)
    rules = []
    for i, rule in enumerate(_list(data["rules"], "rules")):
        at = f"rules.{i}"
        _object(rule, at, RULE_FIELDS)
        candidates = []
        for j, c in enumerate(_list(rule["candidates"], f"{at}.candidates")):
            c_at = f"{at}.candidates.{j}"
            _object(c, c_at, CANDIDATE_FIELDS)
            candidates.append(
                _build(
                    Candidate,
                    c_at,
                    kind=_str(c["kind"], f"{c_at}.kind"),
                    subject_role=_str(c["subject_role"], f"{c_at}.subject_role"),
                    anchor=_str(c["anchor"], f"{c_at}.anchor"),
                    offset_days=_int(c["offset_days"], f"{c_at}.offset_days", optional=True),
                    step_months=_int(c["step_months"], f"{c_at}.step_months", optional=True),
                    order=_int(c["order"], f"{c_at}.order"),
                )
            )
        rules.append(
            Rule(
                _str(rule["term_class"], f"{at}.term_class"),
                _str(rule["risk_level"], f"{at}.risk_level"),
                tuple(candidates),
            )
        )
    channel_rules = []
    for i, r in enumerate(_list(data["channel_rules"], "channel_rules")):
        at = f"channel_rules.{i}"
        _object(r, at, CHANNEL_RULE_FIELDS)
        channel_rules.append(
            ChannelRule(
                channel=_str(r["channel"], f"{at}.channel"),
                **{
                    name: _str(r[name], f"{at}.{name}", optional=True)
                    for name in CHANNEL_RULE_FIELDS[1:]
                },
            )
        )
    return _build(
        Policy,
        "rules",
        rules=tuple(rules),
        channel_rules=tuple(channel_rules),
        default_channel=_str(data["default_channel"], "default_channel"),
        short_term_max_months=_int(data["short_term_max_months"], "short_term_max_months"),
        collision_days=_int(data["collision_days"], "collision_days"),
        default_risk_level=_str(data["default_risk_level"], "default_risk_level"),
    )


def _build(cls: Any, at: str, **fields: Any) -> Any:
    try:
        return cls(**fields)
    except ValueError as exc:
        raise PolicyDataError(at, str(exc)) from None


def _object(value: Any, at: str, fields: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise PolicyDataError(at or "data", "expected an object")
    missing = [name for name in fields if name not in value]
    if missing:
        raise PolicyDataError(_join(at, missing[0]), "missing")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise PolicyDataError(_join(at, unknown[0]), "unknown field")


def _join(at: str, name: str) -> str:
    return f"{at}.{name}" if at else name


def _list(value: Any, at: str) -> list:
    if not isinstance(value, list):
        raise PolicyDataError(at, "expected a list")
    return value


def _str(value: Any, at: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise PolicyDataError(at, "expected a string")
    return value


def _int(value: Any, at: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    # bool is an int to Python, never to an admin.
    if not isinstance(value, int) or isinstance(value, bool):
        raise PolicyDataError(at, "expected an integer")
    return value


# --- what changed -------------------------------------------------------------------------

# The audit trail stores text, not translations: these labels are the stored words.
TERM_LABELS = {SHORT: "短期", LONG: "中长期"}
RISK_LABELS = {LOW: "低风险", MEDIUM: "中风险", HIGH: "高风险"}
ROLE_LABELS = {BORROWER: "借款人", GUARANTOR: "担保人"}
KIND_LABELS = {
    FIRST: "首次回访",
    D90: "放款后90天回访",
    PERIODIC: "定期回访",
    PRE_MATURITY: "到期前回访",
}
FIELD_LABELS = {
    "default_channel": "默认渠道",
    "short_term_max_months": "短期期限上限(月)",
    "collision_days": "冲突窗口(天)",
    "default_risk_level": "默认风险等级",
}


def policy_changes(before: Policy, after: Policy) -> list[str]:
    """What changed, a line each, for the audit trail: "中长期·中风险 借款人定期回访: 每3个月 → 每1个月"."""
    lines = [
        f"{FIELD_LABELS[name]}: {getattr(before, name)} → {getattr(after, name)}"
        for name in POLICY_FIELDS[2:]
        if getattr(before, name) != getattr(after, name)
    ]
    old_rules = {(r.term_class, r.risk_level): r for r in before.rules}
    new_rules = {(r.term_class, r.risk_level): r for r in after.rules}
    for key in [*old_rules, *(k for k in new_rules if k not in old_rules)]:
        label = f"{TERM_LABELS.get(key[0], key[0])}·{RISK_LABELS.get(key[1], key[1])}"
        old_rule, new_rule = old_rules.get(key), new_rules.get(key)
        if old_rule is None or new_rule is None:
            lines.append(f"{label}: {'新增规则' if old_rule is None else '删除规则'}")
            continue
        old_c = {_candidate_key(c): c for c in old_rule.candidates}
        new_c = {_candidate_key(c): c for c in new_rule.candidates}
        for c_key in [*old_c, *(k for k in new_c if k not in old_c)]:
            old, new = old_c.get(c_key), new_c.get(c_key)
            if old != new:
                what = f"{ROLE_LABELS.get(c_key[0], c_key[0])}{KIND_LABELS.get(c_key[1], c_key[1])}"
                lines.append(f"{label} {what}: {_when(old)} → {_when(new)}")
    if before.channel_rules != after.channel_rules:
        lines.append(
            "渠道规则: "
            + "; ".join(_channel_text(r) for r in before.channel_rules)
            + " → "
            + "; ".join(_channel_text(r) for r in after.channel_rules)
        )
    return lines


def _candidate_key(c: Candidate) -> tuple[str, str, int]:
    return (c.subject_role, c.kind, c.order)


def _when(c: Candidate | None) -> str:
    if c is None:
        return "无"
    if c.step_months is not None:
        return f"每{c.step_months}个月"
    return f"{'放款日' if c.anchor == DISBURSEMENT else '到期日'}{c.offset_days:+d}天"


def _channel_text(r: ChannelRule) -> str:
    match = ",".join(
        f"{name}={getattr(r, name)}" for name in CHANNEL_RULE_FIELDS[1:] if getattr(r, name)
    )
    return f"{match or '其他'}→{r.channel}"
