"""Follow-up endpoints: visits (list, due list, assignment), the calendar, the policies, planning runs."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import require, require_branch
from huifang.accounts.models import User
from huifang.api.common import api_actor, api_user, ip
from huifang.followups.calendar import package_official_years
from huifang.followups.models import (
    CalendarEntry,
    PlanningRun,
    Visit,
)
from huifang.followups.selectors import absences_for, visit_for, visits_due_for, visits_for
from huifang.followups.services.absences import absence_add, absence_delete
from huifang.followups.services.calendar import calendar_entry_set
from huifang.followups.services.visits import visit_assign

router = Router(tags=["followups"])


class VisitOut(Schema):
    id: int
    loan_no: str
    subject_role: str
    kind: str
    due_date: date
    channel: str
    status: str
    assignee: str | None
    overdue: bool

    @staticmethod
    def resolve_loan_no(obj: Visit) -> str:
        return obj.loan.loan_no

    @staticmethod
    def resolve_assignee(obj: Visit) -> str | None:
        return obj.assignee.username if obj.assignee else None

    @staticmethod
    def resolve_overdue(obj: Visit) -> bool:
        return obj.is_open and obj.due_date < timezone.localdate()


class VisitFilters(Schema):
    status: str = ""
    kind: str = ""
    channel: str = ""
    assignee: str = ""
    loan_no: str = ""
    due_from: date | None = None
    due_to: date | None = None


class DueOut(Schema):
    on: date
    overdue: list[VisitOut]
    today: list[VisitOut]
    upcoming: list[VisitOut]


class AssignIn(Schema):
    assignee: str | None


class CalendarEntryIn(Schema):
    day: date
    working: bool
    notice: bool = False
    note: str = ""


class CalendarEntryOut(Schema):
    day: date
    working: bool
    notice: bool
    note: str


class CalendarOut(Schema):
    official_years: list[int]
    entries: list[CalendarEntryOut]


class RunOut(Schema):
    id: int
    as_of: date
    trigger: str
    full: bool
    loans_planned: int
    visits_created: int
    visits_removed: int
    started_at: Any
    finished_at: Any


@router.get("/visits", response=list[VisitOut], summary="回访列表")
@paginate(PageNumberPagination, page_size=100)
def list_visits(request: HttpRequest, filters: Query[VisitFilters]) -> Any:
    qs = visits_for(request.user).select_related("loan", "assignee").order_by("due_date", "pk")
    for name in ("status", "kind", "channel"):
        if getattr(filters, name):
            qs = qs.filter(**{name: getattr(filters, name)})
    if filters.assignee:
        qs = qs.filter(assignee__username=filters.assignee)
    if filters.loan_no:
        qs = qs.filter(loan__loan_no=filters.loan_no)
    if filters.due_from:
        qs = qs.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        qs = qs.filter(due_date__lte=filters.due_to)
    return qs


@router.get("/visits/due", response=DueOut, summary="我的待办回访")
def due_visits(request: HttpRequest, days: int = 7) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    on = timezone.localdate()
    lists = visits_due_for(user=api_user(request), on=on, days=max(0, min(days, 90)))
    return {"on": on, **{name: list(qs) for name, qs in lists.items()}}


@router.post("/visits/{visit_id}/assign", response=VisitOut, summary="改派回访")
def assign_visit(request: HttpRequest, visit_id: int, payload: AssignIn) -> Any:
    visit = visit_for(request.user, visit_id, assign=True, via="api", ip=ip(request))
    assignee = get_object_or_404(User, username=payload.assignee) if payload.assignee else None
    return visit_assign(visit=visit, assignee=assignee, actor=api_actor(request))


@router.get("/calendar", response=CalendarOut, summary="工作日历（机构自定义条目）")
def get_calendar(request: HttpRequest) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    years = set(package_official_years()) | set(
        CalendarEntry.objects.filter(notice=True).values_list("day__year", flat=True)
    )
    return {"official_years": sorted(years), "entries": list(CalendarEntry.objects.order_by("day"))}


@router.post("/calendar", response=CalendarEntryOut, summary="新增或修改日历条目")
def put_calendar_entry(request: HttpRequest, payload: CalendarEntryIn) -> Any:
    require(request.user, "calendar.manage", via="api", ip=ip(request))
    return calendar_entry_set(
        day=payload.day,
        working=payload.working,
        notice=payload.notice,
        note=payload.note,
        actor=api_actor(request),
    )


@router.get("/planning-runs", response=list[RunOut], summary="回访计划批次")
@paginate(PageNumberPagination, page_size=50)
def list_runs(request: HttpRequest) -> Any:
    require(request.user, "followups.plan", via="api", ip=ip(request))
    return PlanningRun.objects.order_by("-started_at")


class AbsenceIn(Schema):
    user: str
    start: date
    end: date
    reason: str = ""


class AbsenceOut(Schema):
    id: int
    user: str
    start: date
    end: date
    reason: str

    @staticmethod
    def resolve_user(obj: Any) -> str:
        return obj.user.username


class AbsenceCreated(AbsenceOut):
    visits_moved: int


@router.get("/absences", response=list[AbsenceOut], summary="客户经理休假")
def list_absences(request: HttpRequest) -> Any:
    require(request.user, "visits.assign", via="api", ip=ip(request))
    return list(absences_for(request.user)[:500])


@router.post("/absences", response={201: AbsenceCreated}, summary="登记休假（其间回访转给同事）")
def add_absence(request: HttpRequest, payload: AbsenceIn) -> Any:
    require(request.user, "visits.assign", via="api", ip=ip(request))
    officer = get_object_or_404(User, username=payload.user)
    require_branch(
        request.user,
        officer.branch_id,
        object_type="accounts.user",
        object_id=officer.username,
        via="api",
        ip=ip(request),
    )
    absence, moved = absence_add(
        officer=officer,
        start=payload.start,
        end=payload.end,
        reason=payload.reason,
        actor=api_actor(request),
    )
    absence.visits_moved = moved  # type: ignore[attr-defined]
    return Status(201, absence)


@router.delete("/absences/{absence_id}", response={204: None}, summary="撤销休假")
def delete_absence(request: HttpRequest, absence_id: int) -> Any:
    require(request.user, "visits.assign", via="api", ip=ip(request))
    absence = get_object_or_404(absences_for(request.user), pk=absence_id)
    absence_delete(absence=absence, actor=api_actor(request))
    return Status(204, None)
