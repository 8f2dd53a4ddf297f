"""The working-day calendar as the institution configured it."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from huifang.audit.services import Actor, Change, record
from huifang.followups.calendar import WorkingCalendar
from huifang.followups.models import CalendarEntry, Visit, VisitStatus
from huifang.portfolio.models import Loan


def load_calendar() -> WorkingCalendar:
    entries = list(CalendarEntry.objects.values_list("day", "working", "notice"))
    return WorkingCalendar(
        {day: working for day, working, _ in entries},
        notice_years={day.year for day, _, notice in entries if notice},
    )


def calendar_entry_set(
    *, day: date, working: bool, notice: bool = False, note: str = "", actor: Actor
) -> CalendarEntry:
    """Add or change an institution calendar entry; the loans it may move are re-planned next run.

    followup-policy.md, "Working days": dates are re-rolled when the calendar
    changes. A visit can roll across at most a run of rest days, so the loans
    with planned visits within 30 days either side of the day are marked.
    """
    with transaction.atomic():
        entry = CalendarEntry.objects.filter(day=day).first()
        before = (
            {"working": entry.working, "notice": entry.notice, "note": entry.note}
            if entry
            else None
        )
        if entry is None:
            entry = CalendarEntry(day=day)
        entry.working, entry.notice, entry.note = working, notice, note[:100]
        entry.created_by_id = actor.user_id
        entry.save()
        _mark_affected(day)
        record(
            actor,
            Change(
                action="update" if before else "create",
                object_type="followups.calendarentry",
                object_id=day.isoformat(),
                summary=f"{day} {'工作日' if working else '休息日'}",
                before=before,
                after={"working": working, "notice": notice, "note": note},
            ),
        )
    return entry


def calendar_entry_delete(*, day: date, actor: Actor) -> None:
    with transaction.atomic():
        entry = CalendarEntry.objects.filter(day=day).first()
        if entry is None:
            return
        before = {"working": entry.working, "notice": entry.notice, "note": entry.note}
        entry.delete()
        _mark_affected(day)
        record(
            actor,
            Change(
                action="delete",
                object_type="followups.calendarentry",
                object_id=day.isoformat(),
                summary=str(day),
                before=before,
            ),
        )


def _mark_affected(day: date) -> None:
    from datetime import timedelta

    window = (day - timedelta(days=30), day + timedelta(days=30))
    loan_ids = (
        Visit.objects.filter(
            status=VisitStatus.PLANNED, planned_by_policy=True, due_date__range=window
        )
        .values_list("loan_id", flat=True)
        .distinct()
    )
    Loan.objects.filter(pk__in=loan_ids).update(plan_changed_at=timezone.now())
