"""Warnings: raised by the rules, then acknowledged, responded to, lifted or escalated.

One open warning per loan, at the highest level the rules give it. A higher
level escalates the open warning: it closes as "escalated" and a new warning at
the higher level takes over its signals, linked to it. Only a risk manager
(warning.manage) acknowledges, responds, lifts (with a reason) or escalates by
hand. Every step is a WarningEvent and an audit event, in one transaction.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import require
from huifang.accounts.models import Role, User
from huifang.audit.services import Actor, Change, record
from huifang.risk import rules as rules_core
from huifang.risk.codes import LEVEL_RANK, LEVELS, Level
from huifang.risk.models import (
    OPEN_WARNING,
    Response,
    ResponseKind,
    ResponseStatus,
    Signal,
    SignalStatus,
    Warning,
    WarningEvent,
    WarningStatus,
)
from huifang.risk.selectors import active_rules, loan_facts
from huifang.risk.services.responses import default_responses, response_create

OWNER_ROLES = (Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER)


def _user_or_none(by: Any) -> User | None:
    return by if isinstance(by, User) else None


def _event(warning: Warning, action: str, *, by: Any = None, note: str = "", **data: Any) -> None:
    WarningEvent.objects.create(
        warning=warning, action=action, by=_user_or_none(by), note=note, data=data
    )


def _audit(actor: Actor, warning: Warning, action: str, **extra: Any) -> None:
    record(
        actor,
        Change(
            action=action,
            object_type="risk.warning",
            object_id=str(warning.pk),
            summary=f"{warning.loan.loan_no} {warning.get_level_display()}",
            **extra,
        ),
    )


def _rules_snapshot(matched: list[rules_core.Rule]) -> list[dict]:
    return [{"code": r.code, "name": r.name, "level": r.level} for r in matched]


def _open_locked(loan_id: int) -> Warning | None:
    return (
        Warning.objects.select_for_update()
        .select_related("loan", "loan__borrower")
        .filter(loan_id=loan_id, status__in=OPEN_WARNING)
        .first()
    )


def _new_warning(
    *,
    loan: Any,
    level: str,
    signal_ids: list[int],
    matched: list[dict],
    actor: Actor,
    by: Any,
    as_of: date,
    escalated_from: Warning | None = None,
    note: str = "",
) -> Warning:
    warning = Warning.objects.create(
        loan=loan,
        level=level,
        rules=matched,
        raised_by=_user_or_none(by),
        escalated_from=escalated_from,
        stop_disbursement=bool(escalated_from and escalated_from.stop_disbursement),
    )
    warning.signals.set(signal_ids)
    _event(
        warning,
        "raised",
        by=by,
        note=note,
        rules=[r["code"] for r in matched],
        signals=signal_ids,
        escalated_from=escalated_from.pk if escalated_from else None,
    )
    _audit(
        actor,
        warning,
        "warning_raise",
        after={
            "level": level,
            "rules": [r["code"] for r in matched],
            "signals": signal_ids,
            "escalated_from": escalated_from.pk if escalated_from else None,
        },
    )
    default_responses(warning=warning, actor=actor, as_of=as_of)
    return warning


def _escalate(
    warning: Warning,
    *,
    level: str,
    signal_ids: list[int],
    matched: list[dict],
    actor: Actor,
    by: Any,
    as_of: date,
    note: str,
) -> Warning:
    before = warning.status
    warning.status = WarningStatus.ESCALATED
    warning.closed_at = timezone.now()
    warning.closed_by = _user_or_none(by)
    warning.close_reason = note
    warning.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
    _event(warning, "escalated", by=by, note=note, to_level=level)
    _audit(
        actor,
        warning,
        "warning_escalate",
        before={"status": before, "level": warning.level},
        after={"status": warning.status, "to_level": level, "reason": note},
    )
    kept = list(warning.signals.values_list("pk", flat=True))
    return _new_warning(
        loan=warning.loan,
        level=level,
        signal_ids=list(dict.fromkeys(kept + signal_ids)),
        matched=matched or warning.rules,
        actor=actor,
        by=by,
        as_of=as_of,
        escalated_from=warning,
        note=note,
    )


def warnings_evaluate(
    *, loan: Any, actor: Actor, as_of: date | None = None, by: Any = None
) -> Warning | None:
    """Apply the active rules to a loan: raise a warning, escalate the open one, or add to it.

    Returns the loan's open warning afterwards (None when there is none). Never lowers
    or lifts a warning: only a risk manager lifts one.
    """
    as_of = as_of or timezone.localdate()
    with transaction.atomic():
        # One evaluation of a loan at a time (two reviews approved at once, the nightly scan).
        type(loan).objects.select_for_update().filter(pk=loan.pk).first()
        facts = loan_facts(loan, as_of)
        outcome = rules_core.evaluate(active_rules(), facts)
        current = _open_locked(loan.pk)
        if outcome.level is None:
            return current
        matched = _rules_snapshot(outcome.rules)
        if current is None:
            return _new_warning(
                loan=loan,
                level=outcome.level,
                signal_ids=outcome.signal_ids,
                matched=matched,
                actor=actor,
                by=by,
                as_of=as_of,
            )
        if LEVEL_RANK[outcome.level] > LEVEL_RANK[current.level]:
            return _escalate(
                current,
                level=outcome.level,
                signal_ids=outcome.signal_ids,
                matched=matched,
                actor=actor,
                by=by,
                as_of=as_of,
                note=_("规则升级：%(rules)s") % {"rules": "、".join(r["name"] for r in matched)},
            )
        have = set(current.signals.values_list("pk", flat=True))
        new = [pk for pk in outcome.signal_ids if pk not in have]
        if new:
            current.signals.add(*new)
            _event(current, "signals_added", by=by, signals=new)
            _audit(actor, current, "warning_signals", after={"signals": new})
        return current


# --- the lifecycle, by a risk manager ------------------------------------------------------------


def _require_open(warning: Warning) -> None:
    if warning.status not in OPEN_WARNING:
        raise ValidationError(_("这条预警已解除或已升级，不能再处置"))


def _lock(warning: Warning) -> None:
    fresh = Warning.objects.select_for_update().get(pk=warning.pk)
    warning.status, warning.level = fresh.status, fresh.level


def warning_acknowledge(
    *, warning: Warning, owner: User | None, deadline: date | None, user: Any, actor: Actor
) -> Warning:
    """Take the warning on: who owns its handling, and by when."""
    require(user, "warning.manage", ip=actor.ip)
    errors = {}
    if owner is None:
        errors["owner"] = _("请选择负责人")
    elif not owner.is_active or owner.role not in OWNER_ROLES:
        errors["owner"] = _("负责人必须是在职的客户经理、审核员或风险经理")
    elif (
        owner.branch_id
        and owner.role != Role.RISK_MANAGER
        and owner.branch_id != (warning.loan.branch_id)
    ):
        errors["owner"] = _("负责人必须属于该贷款所在机构")
    if deadline is None:
        errors["deadline"] = _("请填写处置期限（YYYY-MM-DD）")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("处置期限不能早于今天")
    if errors:
        raise ValidationError(errors)
    assert owner is not None and deadline is not None
    with transaction.atomic():
        _lock(warning)
        _require_open(warning)
        before = {
            "status": warning.status,
            "owner": warning.owner.username if warning.owner else None,
            "deadline": warning.deadline,
        }
        warning.owner, warning.deadline = owner, deadline
        if warning.status == WarningStatus.RAISED:
            warning.status = WarningStatus.ACKNOWLEDGED
        warning.save(update_fields=["owner", "deadline", "status"])
        _event(
            warning,
            "acknowledged",
            by=user,
            owner=owner.username,
            deadline=deadline.isoformat(),
        )
        _audit(
            actor,
            warning,
            "warning_acknowledge",
            before=before,
            after={"status": warning.status, "owner": owner.username, "deadline": deadline},
        )
        if owner.pk != getattr(user, "pk", None):
            from django.urls import reverse

            from huifang.notifications.services import notify

            link = reverse("risk_warning_detail", args=[warning.pk])
            title = _("请处置预警：%(loan)s（%(level)s）") % {
                "loan": warning.loan.loan_no,
                "level": warning.get_level_display(),
            }
            body = _("处置期限：%(day)s") % {"day": deadline.isoformat()}
            transaction.on_commit(
                lambda: notify(user=owner, kind="risk_warning", title=title, body=body, link=link)
            )
    return warning


def warning_respond(
    *, warning: Warning, kind: str, note: str, user: Any, actor: Actor, as_of: date | None = None
) -> Response:
    """A response by hand (an ad-hoc visit, a department task, …): it creates its work."""
    require(user, "warning.manage", ip=actor.ip)
    if kind not in ResponseKind.values:
        raise ValidationError({"kind": _("请选择处置措施")})
    note = note.strip()
    with transaction.atomic():
        _lock(warning)
        _require_open(warning)
        response = response_create(
            warning=warning,
            kind=kind,
            actor=actor,
            by=user,
            note=note,
            as_of=as_of or timezone.localdate(),
        )
        if warning.status != WarningStatus.RESPONDING:
            before = warning.status
            warning.status = WarningStatus.RESPONDING
            warning.save(update_fields=["status"])
            _audit(
                actor,
                warning,
                "warning_status",
                before={"status": before},
                after={"status": warning.status},
            )
        _event(warning, "responded", by=user, note=note, kind=kind, response=response.pk)
    return response


def warning_lift(*, warning: Warning, reason: str, user: Any, actor: Actor) -> Warning:
    """Lift a warning, with the reason; the signals that caused it close with it."""
    require(user, "warning.manage", ip=actor.ip)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("解除预警时请写明原因")})
    with transaction.atomic():
        _lock(warning)
        _require_open(warning)
        before = warning.status
        now = timezone.now()
        warning.status = WarningStatus.LIFTED
        warning.closed_at, warning.closed_by, warning.close_reason = now, user, reason
        warning.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
        closed = list(warning.signals.filter(status=SignalStatus.OPEN).values_list("pk", flat=True))
        Signal.objects.filter(pk__in=closed).update(
            status=SignalStatus.CLOSED,
            closed_at=now,
            closed_by=user,
            close_reason=(_("预警解除：%(reason)s") % {"reason": reason})[:300],
        )
        _event(warning, "lifted", by=user, note=reason, signals_closed=closed)
        _audit(
            actor,
            warning,
            "warning_lift",
            before={"status": before},
            after={"status": warning.status, "reason": reason, "signals_closed": closed},
        )
    return warning


def warning_escalate(
    *,
    warning: Warning,
    level: str,
    reason: str,
    user: Any,
    actor: Actor,
    as_of: date | None = None,
) -> Warning:
    """Escalate by hand to a higher level; returns the new warning (the old one is kept)."""
    require(user, "warning.manage", ip=actor.ip)
    reason = reason.strip()
    errors = {}
    if level not in Level.values:
        errors["level"] = _("请选择预警级别")
    elif LEVEL_RANK[level] <= LEVEL_RANK[warning.level]:
        higher = [str(Level(x).label) for x in LEVELS if LEVEL_RANK[x] > LEVEL_RANK[warning.level]]
        errors["level"] = (
            _("只能升级到更高的级别：%(levels)s") % {"levels": "、".join(higher)}
            if higher
            else _("红色预警已是最高级别")
        )
    if not reason:
        errors["reason"] = _("升级预警时请写明原因")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(warning)
        _require_open(warning)
        return _escalate(
            warning,
            level=level,
            signal_ids=[],
            matched=[],
            actor=actor,
            by=user,
            as_of=as_of or timezone.localdate(),
            note=reason,
        )


def warning_restructured(*, warning: Warning, proposal_id: int, version: int, by: Any) -> None:
    """A restructuring this warning led to was approved: recorded on the warning, and the
    "consider restructuring or more collateral" responses it opened are done.

    Called inside the approval's transaction (restructuring.services), which audits it.
    The warning itself stays open: a risk manager lifts it when the risk is gone.
    """
    note = _("还款计划调整申请 #%(id)s 已批准，新还款计划为第 %(version)s 版") % {
        "id": proposal_id,
        "version": version,
    }
    warning.responses.filter(kind=ResponseKind.MORE_COLLATERAL, status=ResponseStatus.OPEN).update(
        status=ResponseStatus.DONE, note=note
    )
    _event(warning, "restructured", by=by, note=note, proposal=proposal_id, version=version)
