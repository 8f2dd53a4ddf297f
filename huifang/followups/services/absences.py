"""Officers' absences: recorded by a supervisor, and their open visits in the period handed to colleagues."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.models import Role, User
from huifang.audit.services import Actor, Change, record
from huifang.followups.models import Absence, Visit, VisitStatus
from huifang.followups.services.assignment import Assigner


def absence_add(
    *, officer: User, start: date, end: date, reason: str, actor: Actor
) -> tuple[Absence, int]:
    """Record an absence and reassign the officer's still-planned visits in it. Returns (absence, moved)."""
    if officer.role != Role.OFFICER:
        raise ValidationError({"user": _("只能为客户经理登记休假")})
    if end < start:
        raise ValidationError({"end": _("结束日期不能早于开始日期")})
    if (end - start).days >= 366:  # at most 366 calendar days, both ends included
        raise ValidationError({"end": _("休假不能超过一年")})
    with transaction.atomic():
        absence = Absence.objects.create(user=officer, start=start, end=end, reason=reason[:100])
        assigner = Assigner()  # sees the new absence
        moved = 0
        visits = Visit.objects.filter(
            assignee=officer, status=VisitStatus.PLANNED, due_date__range=(start, end)
        )
        for visit in visits.select_related("loan"):
            assigner.release(officer.pk, visit.due_date)
            new = assigner.assign(officer_id=None, branch_id=visit.branch_id, day=visit.due_date)
            Visit.objects.filter(pk=visit.pk).update(assignee_id=new, updated_at=timezone.now())
            moved += 1
        record(
            actor,
            Change(
                action="create",
                object_type="followups.absence",
                object_id=str(absence.pk),
                summary=f"{officer.username} {start}–{end}",
                after={
                    "user": officer.username,
                    "start": start,
                    "end": end,
                    "reason": reason,
                    "visits_moved": moved,
                },
            ),
        )
    return absence, moved


def absence_delete(*, absence: Absence, actor: Actor) -> None:
    """Remove an absence; visits already handed over stay with the colleague (no silent moves back)."""
    with transaction.atomic():
        before = {
            "user": absence.user.username,
            "start": absence.start,
            "end": absence.end,
            "reason": absence.reason,
        }
        pk = absence.pk
        absence.delete()
        record(
            actor,
            Change(
                action="delete",
                object_type="followups.absence",
                object_id=str(pk),
                summary=f"{before['user']} {before['start']}–{before['end']}",
                before=before,
            ),
        )
