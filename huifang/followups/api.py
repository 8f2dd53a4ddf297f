"""Follow-up endpoints: visits (list, due list, assignment), the calendar, the policies, planning runs."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import deny, in_scope, require
from huifang.accounts.models import User
from huifang.api.common import api_actor, api_user, ip
from huifang.followups.calendar import package_official_years
from huifang.followups.models import (
    CalendarEntry,
    FollowupPolicy,
    PlanningRun,
    PolicyVersion,
    Visit,
)
from huifang.followups.policy_data import policy_to_data
from huifang.followups.selectors import absences_for, visit_for, visits_due_for, visits_for
from huifang.followups.services.absences import absence_add, absence_delete
from huifang.followups.services.calendar import calendar_entry_set, load_calendar
from huifang.followups.services.policies import (
    active_version,
    policy_copy_for_product,
    policy_for_product,
    policy_preview,
    policy_save,
)
from huifang.followups.services.visits import visit_assign
from huifang.portfolio.selectors import loan_for

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


@router.get("/policy", summary="默认回访策略（当前生效版本）")
def get_policy(request: HttpRequest) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    return policy_to_data(policy_for_product(""))


class PolicyOut(Schema):
    id: int
    name: str
    product: str
    active_version: int | None
    updated_at: datetime | None


class PolicyVersionOut(Schema):
    number: int
    note: str
    created_at: datetime
    created_by: str | None
    active: bool

    @staticmethod
    def resolve_created_by(obj: PolicyVersion) -> str | None:
        return obj.created_by.username if obj.created_by else None


class PolicyVersionDataOut(PolicyVersionOut):
    data: dict[str, Any]

    @staticmethod
    def resolve_data(obj: PolicyVersion) -> dict[str, Any]:
        return obj.rules


class PolicyDetailOut(PolicyOut):
    data: dict[str, Any]
    versions: list[PolicyVersionOut]


class PolicyIn(Schema):
    product: str
    name: str = ""


class PolicyVersionIn(Schema):
    data: dict[str, Any]
    note: str = ""


class PreviewIn(Schema):
    loan_no: str
    data: dict[str, Any]


class PlannedVisitOut(Schema):
    subject_role: str
    party_id: int | None
    kind: str
    due_date: date
    channel: str


class PreviewOut(Schema):
    loan_no: str
    product: str
    # The policy that plans this loan, when it is not the one previewed.
    governed_by: str | None
    current: list[PlannedVisitOut]
    edited: list[PlannedVisitOut]


def _policy_summary(policy_obj: FollowupPolicy) -> dict[str, Any]:
    version = active_version(policy_obj)
    return {
        "id": policy_obj.pk,
        "name": policy_obj.name,
        "product": policy_obj.product,
        "active_version": version.number if version else None,
        "updated_at": version.created_at if version else None,
        "data": version.rules if version else None,
    }


def _visits(planned: list) -> list[dict[str, Any]]:
    return [
        {
            "subject_role": v.subject_role,
            "party_id": v.subject_ref,
            "kind": v.kind,
            "due_date": v.due_date,
            "channel": v.channel,
        }
        for v in planned
    ]


@router.get("/policies", response=list[PolicyOut], summary="回访策略列表")
def list_policies(request: HttpRequest) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    return [_policy_summary(p) for p in FollowupPolicy.objects.order_by("product")]


@router.post("/policies", response={201: PolicyDetailOut}, summary="为贷款产品复制默认策略")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Any:
    require(request.user, "policy.manage", via="api", ip=ip(request))
    policy_obj = policy_copy_for_product(
        product=payload.product, name=payload.name, actor=api_actor(request)
    )
    return Status(201, {**_policy_summary(policy_obj), "versions": list(policy_obj.versions.all())})


@router.get(
    "/policies/{policy_id}", response=PolicyDetailOut, summary="回访策略（生效版本及版本历史）"
)
def get_policy_detail(request: HttpRequest, policy_id: int) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    versions = policy_obj.versions.select_related("created_by").order_by("-number")
    return {**_policy_summary(policy_obj), "versions": list(versions)}


@router.get(
    "/policies/{policy_id}/versions/{number}",
    response=PolicyVersionDataOut,
    summary="回访策略的某一版本",
)
def get_policy_version(request: HttpRequest, policy_id: int, number: int) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    return get_object_or_404(
        PolicyVersion.objects.select_related("created_by"), policy_id=policy_id, number=number
    )


@router.post(
    "/policies/{policy_id}/versions",
    response={201: PolicyVersionDataOut},
    summary="保存回访策略的新版本（立即生效）",
)
def save_policy_version(request: HttpRequest, policy_id: int, payload: PolicyVersionIn) -> Any:
    require(request.user, "policy.manage", via="api", ip=ip(request))
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    version = policy_save(
        policy_obj=policy_obj, data=payload.data, note=payload.note, actor=api_actor(request)
    )
    return Status(201, version)


@router.post(
    "/policies/{policy_id}/preview",
    response=PreviewOut,
    summary="预览：某笔贷款在修改后的策略下的回访（不保存）",
)
def preview_policy(request: HttpRequest, policy_id: int, payload: PreviewIn) -> Any:
    require(request.user, "policy.manage", via="api", ip=ip(request))
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    loan = loan_for(request.user, payload.loan_no, via="api", ip=ip(request))
    preview = policy_preview(
        policy_obj=policy_obj, loan=loan, data=payload.data, calendar=load_calendar()
    )
    return {
        "loan_no": loan.loan_no,
        "product": loan.product,
        "governed_by": preview.governed_by.name if preview.governed_by else None,
        "current": _visits(preview.current),
        "edited": _visits(preview.edited),
    }


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
    if not in_scope(request.user, officer.branch_id or 0):
        raise deny(
            request.user,
            what="absence outside the user's branches",
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
