"""Editing the risk lexicon and the warning rules (admins and risk managers), audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import require
from huifang.audit.services import Actor, Change, diff, record
from huifang.risk import lexicon, rules
from huifang.risk.codes import Level, Severity, SignalCode
from huifang.risk.models import LexiconTerm, WarningRule

MAX_TERM = 30


def lexicon_term_save(
    *,
    term: str,
    code: str,
    severity: str,
    active: bool = True,
    note: str = "",
    user: Any,
    actor: Actor,
) -> LexiconTerm:
    """Add a term to the lexicon, or change the one with the same wording."""
    require(user, "risk.rules", ip=actor.ip)
    term = lexicon.normalise(term or "").strip()
    errors = {}
    if not term:
        errors["term"] = _("请填写风险词")
    elif len(term) > MAX_TERM or any(ch.isspace() for ch in term):
        errors["term"] = _("风险词最多 %(n)d 个字，且不能含空格") % {"n": MAX_TERM}
    elif term in lexicon.NEGATORS:
        errors["term"] = _("“%(term)s”是否定词，不能作为风险词") % {"term": term}
    if code not in SignalCode.values:
        errors["code"] = _("请选择预警信号")
    if severity not in Severity.values:
        errors["severity"] = _("请选择严重程度（低、中、高）")
    if errors:
        raise ValidationError(errors)
    values = {
        "code": code,
        "severity": severity,
        "active": bool(active),
        "note": note.strip()[:200],
    }
    with transaction.atomic():
        existing = LexiconTerm.objects.select_for_update().filter(term=term).first()
        return _save(
            existing or LexiconTerm(term=term),
            existing is not None,
            values,
            user=user,
            actor=actor,
            object_type="risk.lexiconterm",
            key="pk",
            summary=term,
        )


def warning_rule_save(
    *,
    code: str,
    name: str,
    level: str,
    conditions: Any,
    active: bool = True,
    position: int | None = None,
    user: Any,
    actor: Actor,
) -> WarningRule:
    """Add a warning rule, or change the one with the same code."""
    require(user, "risk.rules", ip=actor.ip)
    code = (code or "").strip()
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not code or len(code) > 40 or not all(ch.isalnum() or ch in "_-" for ch in code):
        errors["code"] = _("规则代码必填，最多 40 个字母、数字、下划线或连字符")
    if not name:
        errors["name"] = _("请填写规则名称")
    if level not in Level.values:
        errors["level"] = _("请选择预警级别")
    problems = rules.validate_conditions(conditions)
    if problems:
        errors["conditions"] = "；".join(f"{k}：{v}" for k, v in problems.items())
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "name": name[:100],
        "level": level,
        "conditions": conditions,
        "active": bool(active),
    }
    with transaction.atomic():
        existing = WarningRule.objects.select_for_update().filter(code=code).first()
        if position is not None:
            values["position"] = position
        elif existing is None:
            last = WarningRule.objects.order_by("-position").values_list("position", flat=True)
            values["position"] = (last.first() or 0) + 10
        return _save(
            existing or WarningRule(code=code),
            existing is not None,
            values,
            user=user,
            actor=actor,
            object_type="risk.warningrule",
            key="code",
            summary=name,
        )


def _save(
    obj: Any,
    existed: bool,
    values: dict[str, Any],
    *,
    user: Any,
    actor: Actor,
    object_type: str,
    key: str,
    summary: str,
) -> Any:
    """Set `values` on a new or an existing (locked) object and save it, audited with the
    fields that changed; an existing object with nothing changed is left as it is."""
    before_all = {k: getattr(obj, k) for k in values} if existed else dict.fromkeys(values)
    before, after = diff(before_all, values)
    if existed and not after:
        return obj
    for name, value in values.items():
        setattr(obj, name, value)
    obj.updated_at = timezone.now()
    obj.updated_by = user if getattr(user, "pk", None) else None
    obj.save()
    record(
        actor,
        Change(
            action="update" if existed else "create",
            object_type=object_type,
            object_id=str(getattr(obj, key)),
            summary=summary,
            before=before if existed else None,
            after=after,
        ),
    )
    return obj
