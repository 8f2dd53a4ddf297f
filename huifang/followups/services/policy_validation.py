"""Checking a follow-up policy an admin entered, naming each mistake where it is; the labels
of its rules (followup-policy.md: rules per term class and risk level, channel rules)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huifang.followups.models import (
    SubjectRole,
    VisitChannel,
    VisitKind,
)
from huifang.followups.policy import LONG, SHORT, ChannelRule, Policy
from huifang.followups.policy_data import (
    ANCHORS,
    CANDIDATE_FIELDS,
    CHANNEL_RULE_FIELDS,
    POLICY_FIELDS,
    RISK_LEVELS,
    RULE_FIELDS,
    SUBJECT_ROLES,
    TERM_CLASSES,
    PolicyDataError,
    policy_from_data,
)
from huifang.portfolio.models import BorrowerType, RiskLevel

# The ranges an admin may choose (the brief of the policy editor).
COLLISION_DAYS = (1, 90)
OFFSET_DAYS = (-3650, 3650)
STEP_MONTHS = (1, 120)
SHORT_TERM_MAX_MONTHS = (1, 360)
# Ad-hoc visits come from warning signals, never from a policy.
PLANNED_KINDS = tuple(k for k in VisitKind.values if k != VisitKind.ADHOC)

TERM_CLASS_LABELS: dict[str, Any] = {SHORT: gettext_lazy("短期"), LONG: gettext_lazy("中长期")}
RISK_LEVEL_LABELS: dict[str, Any] = {
    RiskLevel.LOW: gettext_lazy("低风险"),
    RiskLevel.MEDIUM: gettext_lazy("中风险"),
    RiskLevel.HIGH: gettext_lazy("高风险"),
}


def rule_label(term_class: Any, risk_level: Any) -> str:
    term = TERM_CLASS_LABELS.get(term_class, term_class)
    risk = RISK_LEVEL_LABELS.get(risk_level, risk_level)
    return _("%(term)s·%(risk)s") % {"term": term, "risk": risk}


def channel_rule_label(rule: ChannelRule) -> str:
    """What a channel rule matches, in words: "首次回访 · 借款人 · 企业"."""
    parts = [
        str(dict(choices).get(value, value))
        for value, choices in (
            (rule.kind, VisitKind.choices),
            (rule.subject_role, SubjectRole.choices),
            (rule.borrower_type, BorrowerType.choices),
            (rule.risk_level, RISK_LEVEL_LABELS.items()),
        )
        if value is not None
    ]
    return " · ".join(parts) or _("所有回访")


def policy_validate(data: Any) -> Policy:
    """The policy in `data` (policy_data's format), or ValidationError naming each wrong field."""
    errors: dict[str, str] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, message)

    if not _fields_ok(data, "", POLICY_FIELDS, err):
        raise ValidationError(errors)
    _int_in(data["collision_days"], COLLISION_DAYS, "collision_days", _("冲突窗口（天）"), err)
    _int_in(
        data["short_term_max_months"],
        SHORT_TERM_MAX_MONTHS,
        "short_term_max_months",
        _("短期贷款的期限上限（月）"),
        err,
    )
    _choice(data["default_channel"], VisitChannel.values, "default_channel", _("默认渠道"), err)
    _choice(
        data["default_risk_level"], RiskLevel.values, "default_risk_level", _("默认风险等级"), err
    )
    seen: set[tuple[Any, Any]] = set()
    if not isinstance(data["rules"], list):
        err("rules", _("规则必须是一个列表"))
    else:
        for i, rule in enumerate(data["rules"]):
            at = f"rules.{i}"
            if not _fields_ok(rule, at, RULE_FIELDS, err):
                continue
            key = (rule["term_class"], rule["risk_level"])
            label = rule_label(*key)
            _choice(
                key[0], TERM_CLASSES, f"{at}.term_class", _("第 %d 条规则的期限类别") % (i + 1), err
            )
            _choice(
                key[1], RISK_LEVELS, f"{at}.risk_level", _("第 %d 条规则的风险等级") % (i + 1), err
            )
            if key in seen:
                err(at, _("%(rule)s的规则重复") % {"rule": label})
            seen.add(key)
            _check_candidates(rule["candidates"], at, label, err)
        for term_class in TERM_CLASSES:
            for risk_level in RISK_LEVELS:
                if (term_class, risk_level) not in seen:
                    err(
                        "rules",
                        _("缺少%(rule)s的规则：每个期限类别和风险等级都必须有一条规则")
                        % {"rule": rule_label(term_class, risk_level)},
                    )
    if not isinstance(data["channel_rules"], list):
        err("channel_rules", _("渠道规则必须是一个列表"))
    else:
        for i, rule in enumerate(data["channel_rules"]):
            at = f"channel_rules.{i}"
            label = _("第 %d 条渠道规则") % (i + 1)
            if not _fields_ok(rule, at, CHANNEL_RULE_FIELDS, err):
                continue
            _choice(rule["channel"], VisitChannel.values, f"{at}.channel", label, err)
            for name, allowed in (
                ("kind", PLANNED_KINDS),
                ("subject_role", SUBJECT_ROLES),
                ("borrower_type", BorrowerType.values),
                ("risk_level", RiskLevel.values),
            ):
                if rule[name] is not None:
                    _choice(rule[name], allowed, f"{at}.{name}", label, err)
    if errors:
        raise ValidationError(errors)
    try:
        return policy_from_data(data)
    except PolicyDataError as exc:
        raise ValidationError(
            {exc.field: _("策略数据不正确（%(detail)s）") % {"detail": exc.message}}
        ) from None


def _check_candidates(candidates: Any, at: str, label: str, err) -> None:
    if not isinstance(candidates, list):
        err(f"{at}.candidates", _("%(rule)s：回访项必须是一个列表") % {"rule": label})
        return
    for j, c in enumerate(candidates):
        c_at = f"{at}.candidates.{j}"
        if not _fields_ok(c, c_at, CANDIDATE_FIELDS, err):
            continue
        kinds = dict(VisitKind.choices)
        what = _("%(rule)s第 %(n)d 项（%(kind)s）") % {
            "rule": label,
            "n": j + 1,
            "kind": kinds.get(c["kind"], c["kind"]),
        }
        _choice(c["kind"], PLANNED_KINDS, f"{c_at}.kind", what, err)
        _choice(c["subject_role"], SUBJECT_ROLES, f"{c_at}.subject_role", what, err)
        _choice(c["anchor"], ANCHORS, f"{c_at}.anchor", what, err)
        _int_in(c["order"], (0, 1000), f"{c_at}.order", what + _("的顺序"), err)
        if (c["offset_days"] is None) == (c["step_months"] is None):
            err(c_at, _("%(what)s：偏移天数和间隔月数必须且只能设定一个") % {"what": what})
        elif c["offset_days"] is not None:
            _int_in(
                c["offset_days"], OFFSET_DAYS, f"{c_at}.offset_days", what + _("的偏移天数"), err
            )
        else:
            _int_in(
                c["step_months"],
                STEP_MONTHS,
                f"{c_at}.step_months",
                what + _("的间隔月数（不设定期回访时删除该项）"),
                err,
            )


def _fields_ok(value: Any, at: str, fields: tuple[str, ...], err) -> bool:
    where = at or "data"
    if not isinstance(value, dict):
        err(where, _("%(field)s 必须是一个对象") % {"field": where})
        return False
    missing = [name for name in fields if name not in value]
    unknown = sorted(set(value) - set(fields))
    for name in missing:
        err(f"{at}.{name}" if at else name, _("缺少字段 %(field)s") % {"field": name})
    for name in unknown:
        err(f"{at}.{name}" if at else name, _("未知字段 %(field)s") % {"field": name})
    return not missing and not unknown


def _int_in(value: Any, bounds: tuple[int, int], field: str, label: str, err) -> None:
    low, high = bounds
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        err(
            field,
            _("%(label)s必须是 %(low)d 到 %(high)d 之间的整数（当前为 %(value)s）")
            % {"label": label, "low": low, "high": high, "value": _shown(value)},
        )


def _choice(value: Any, allowed: Any, field: str, label: str, err) -> None:
    if value not in allowed:
        err(
            field,
            _("%(label)s：“%(value)s”不是可选的值（可选：%(allowed)s）")
            % {"label": label, "value": _shown(value), "allowed": "、".join(allowed)},
        )


def _shown(value: Any) -> str:
    return "空" if value is None else str(value)
