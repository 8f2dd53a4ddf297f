"""API endpoints of the departments app (registered in huifang.api.api): departments and queues."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import require
from huifang.api.common import api_actor, api_user, ip
from huifang.departments import selectors
from huifang.departments.models import Department, Task
from huifang.departments.services import task_close, task_take

router = Router(tags=["departments"])


class DepartmentOut(Schema):
    code: str
    name: str
    kind: str
    active: bool
    head: str | None
    open: int
    in_progress: int

    @staticmethod
    def resolve_head(obj: Department) -> str | None:
        return obj.head.username if obj.head else None

    @staticmethod
    def resolve_open(obj: Any) -> int:
        return obj.open_count

    @staticmethod
    def resolve_in_progress(obj: Any) -> int:
        return obj.in_progress_count


class DepartmentDetailOut(Schema):
    code: str
    name: str
    kind: str
    active: bool
    head: str | None
    members: list[str]
    open: int
    in_progress: int
    closed: int


class TaskOut(Schema):
    id: int
    department: str
    title: str
    body: str
    loan_no: str | None
    source_type: str
    source_id: str
    status: str
    due_date: date | None
    created_by: str | None
    assigned_to: str | None
    note: str
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_department(obj: Task) -> str:
        return obj.department.code

    @staticmethod
    def resolve_loan_no(obj: Task) -> str | None:
        return obj.loan.loan_no if obj.loan else None

    @staticmethod
    def resolve_created_by(obj: Task) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_assigned_to(obj: Task) -> str | None:
        return obj.assigned_to.username if obj.assigned_to else None


class TasksQuery(Schema):
    status: str = "open"  # open, in_progress, closed


class CloseIn(Schema):
    outcome: str  # done | cancelled
    note: str


@router.get("/departments", response=list[DepartmentOut], summary="部门（本人可见的）及待办数")
def get_departments(request: HttpRequest) -> Any:
    return list(selectors.department_list(request.user))


@router.get("/departments/{code}", response=DepartmentDetailOut, summary="部门详情")
def get_department(request: HttpRequest, code: str) -> Any:
    department = selectors.department_for(request.user, code, via="api", ip=ip(request))
    return {
        "code": department.code,
        "name": department.name,
        "kind": department.kind,
        "active": department.active,
        "head": department.head.username if department.head else None,
        "members": sorted(department.members.values_list("username", flat=True)),
        **selectors.queue_counts(request.user, department),
    }


@router.get("/departments/{code}/tasks", response=list[TaskOut], summary="部门待办队列")
@paginate(PageNumberPagination, page_size=100)
def get_tasks(request: HttpRequest, code: str, filters: Query[TasksQuery]) -> Any:
    department = selectors.department_for(request.user, code, via="api", ip=ip(request))
    return selectors.department_queue(request.user, department, tab=filters.status)


def _task(request: HttpRequest, code: str, task_id: int) -> Task:
    user = api_user(request)
    require(user, "departments.work", via="api", ip=ip(request))
    department = selectors.department_for(user, code, work=True, via="api", ip=ip(request))
    return selectors.task_for(user, department, task_id, via="api", ip=ip(request))


@router.post("/departments/{code}/tasks/{task_id}/take", response=TaskOut, summary="接手待办")
def post_take(request: HttpRequest, code: str, task_id: int) -> Any:
    task = _task(request, code, task_id)
    return task_take(task=task, user=api_user(request), actor=api_actor(request))


@router.post("/departments/{code}/tasks/{task_id}/close", response=TaskOut, summary="办结待办")
def post_close(request: HttpRequest, code: str, task_id: int, body: CloseIn) -> Any:
    task = _task(request, code, task_id)
    return task_close(
        task=task,
        user=api_user(request),
        actor=api_actor(request),
        outcome=body.outcome,
        note=body.note,
    )
