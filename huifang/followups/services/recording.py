"""Carrying out a visit: start, save the working record, log contact attempts, submit for review.

The caller obtained the visit through followups.selectors.visit_for(user, id, work=True),
which lets only the visit's assignee (an officer) through. Every change is audited in
the same transaction; a save based on an older copy of the record is refused, never
merged silently (VisitRecord.revision).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.audit.services import Actor, Change, record
from huifang.followups.contact import ContactState, contact_state
from huifang.followups.models import (
    ContactAttempt,
    ContactResult,
    Visit,
    VisitChannel,
    VisitRecord,
    VisitStatus,
)
from huifang.followups.services.calendar import load_calendar
from huifang.questionnaires import schema
from huifang.questionnaires.services import questionnaire_for

WORKABLE = (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS, VisitStatus.RETURNED)


@dataclass(frozen=True)
class RecordInput:
    """What the officer's form or API call says; None leaves a field as it is."""

    revision: int
    channel: str | None = None
    answers: dict | None = None  # raw answers (schema.answers_from_post or JSON)
    notes: str | None = None
    occurred_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    location_accuracy_m: int | None = None


def visit_audit(actor: Actor, visit: Visit, action: str, **extra: Any) -> None:
    """An audit event about a visit, named by its loan, kind and due date."""
    record(
        actor,
        Change(
            action=action,
            object_type="followups.visit",
            object_id=str(visit.pk),
            summary=f"{visit.loan.loan_no} {visit.get_kind_display()} {visit.due_date}",
            **extra,
        ),
    )


def visit_lock(visit: Visit) -> Visit:
    """The visit row again, locked for the rest of the transaction (PostgreSQL)."""
    fresh = Visit.objects.select_for_update().get(pk=visit.pk)
    visit.status = fresh.status
    visit.assignee_id = fresh.assignee_id
    return visit


def visit_start(*, visit: Visit, user: Any, actor: Actor) -> VisitRecord:
    """Open the working record (idempotent); a planned visit becomes in progress."""
    with transaction.atomic():
        visit_lock(visit)
        existing = VisitRecord.objects.filter(visit=visit).first()
        if existing is not None:
            return existing
        if visit.status not in WORKABLE:
            raise ValidationError(_("这条回访已提交或已完成，不能再开始"))
        version = questionnaire_for(subject_role=visit.subject_role, channel=visit.channel)
        now = timezone.now()
        rec = VisitRecord.objects.create(
            visit=visit,
            questionnaire=version,
            channel=visit.channel,
            started_by=user,
            started_at=now,
            updated_at=now,
        )
        before = visit.status
        visit.status = VisitStatus.IN_PROGRESS
        visit.updated_at = now
        visit.save(update_fields=["status", "updated_at"])
        visit_audit(
            actor,
            visit,
            "visit_start",
            before={"status": before},
            after={"status": visit.status, "questionnaire": str(version)},
        )
    return rec


def record_save(*, visit: Visit, user: Any, actor: Actor, data: RecordInput) -> VisitRecord:
    """Save the officer's draft. Bad answers are refused (nothing saved), named per question."""
    with transaction.atomic():
        visit_lock(visit)
        if visit.status not in WORKABLE:
            raise ValidationError(_("这条回访已提交审核或已完成，不能修改"))
        rec = VisitRecord.objects.select_for_update().filter(visit=visit).first()
        # Revision 0: the form was shown before the record existed.
        expected = rec.revision if rec is not None else 0
        if rec is None:
            rec = visit_start(visit=visit, user=user, actor=actor)
        if data.revision != expected:
            raise ValidationError(
                _("这份记录已在别处更新（版本 %(theirs)d，您的是 %(yours)d），请刷新后再修改。")
                % {"theirs": expected, "yours": data.revision}
            )
        changed: dict[str, Any] = {}
        if data.channel is not None and data.channel != rec.channel:
            if data.channel not in VisitChannel.values or data.channel == VisitChannel.ONLINE:
                raise ValidationError({"channel": _("请选择电话、实地或视频")})
            changed["channel"] = data.channel
        if data.answers is not None:
            answers, errors = schema.clean_answers(
                rec.questionnaire.definition, data.answers, complete=False
            )
            if errors:
                raise ValidationError({f"q-{key}": msg for key, msg in errors.items()})
            if answers != rec.answers:
                changed["answers"] = answers
        for name in ("notes", "occurred_at", "latitude", "longitude", "location_accuracy_m"):
            value = getattr(data, name)
            if value is not None and value != getattr(rec, name):
                changed[name] = value
        if not changed:
            return rec
        for name, value in changed.items():
            setattr(rec, name, value)
        rec.revision += 1
        rec.updated_at = timezone.now()
        rec.save()
        visit_audit(
            actor,
            visit,
            "record_save",
            after={"fields": sorted(changed), "revision": rec.revision},
        )
    return rec


def contact_attempt_add(
    *,
    visit: Visit,
    user: Any,
    actor: Actor,
    result: str,
    channel: str | None = None,
    note: str = "",
    at: datetime | None = None,
) -> ContactAttempt:
    if result not in ContactResult.values:
        raise ValidationError({"result": _("请选择联系结果")})
    with transaction.atomic():
        visit_lock(visit)
        if visit.status not in WORKABLE:
            raise ValidationError(_("这条回访已提交审核或已完成，不能再登记联系"))
        rec = VisitRecord.objects.filter(visit=visit).first() or visit_start(
            visit=visit, user=user, actor=actor
        )
        attempt = ContactAttempt.objects.create(
            visit=visit,
            attempted_at=at or timezone.now(),
            channel=channel or rec.channel,
            result=result,
            note=note[:300],
            by=user,
        )
        rec.contact_result = result
        rec.revision += 1
        rec.updated_at = timezone.now()
        rec.save(update_fields=["contact_result", "revision", "updated_at"])
        visit_audit(actor, visit, "contact_attempt", after={"result": result, "note": note[:300]})
    return attempt


def visit_contact_state(visit: Visit) -> ContactState:
    attempts = [
        (timezone.localdate(a.attempted_at), a.result)
        for a in ContactAttempt.objects.filter(visit=visit).order_by("attempted_at", "id")
    ]
    return contact_state(
        attempts,
        max_attempts=settings.HUIFANG_CONTACT_MAX_ATTEMPTS,
        is_working_day=load_calendar().is_working_day,
    )


def submission_problems(visit: Visit, rec: VisitRecord) -> tuple[ContactState, dict[str, str]]:
    """What stands in the way of submitting: {field or q-<question>: message}."""
    state = visit_contact_state(visit)
    problems: dict[str, str] = {}
    if not state.may_submit:
        problems["contact"] = _(
            "已有 %(n)d 天未能联系上，请于 %(day)s 再次尝试；满 %(max)d 天后可按“无法联系”提交。"
        ) % {
            "n": state.unreachable_days,
            "day": state.next_try.isoformat() if state.next_try else "",
            "max": settings.HUIFANG_CONTACT_MAX_ATTEMPTS,
        }
    if state.needs_answers:
        _answers, errors = schema.clean_answers(
            rec.questionnaire.definition, rec.answers, complete=True
        )
        problems.update({f"q-{key}": msg for key, msg in errors.items()})
        if rec.channel == VisitChannel.ONSITE and rec.occurred_at is None:
            problems["occurred_at"] = _("实地回访须记录回访时间")
    return state, problems
