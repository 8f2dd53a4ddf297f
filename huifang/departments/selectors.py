"""Reads of departments and their queues, through the gate.

Who sees what: members see their own departments' queues; risk managers,
admins and auditors see every queue. Tasks about a loan outside the user's
branches stay hidden (the loan's branch scoping applies as everywhere else).
"""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from huifang.accounts.gate import branch_scope, deny, has_perm, require_branch
from huifang.departments.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Department,
    DepartmentKind,
    Task,
    TaskStatus,
)

# A finding's signal (questionnaires.schema.SIGNALS, risk.codes.SignalCode) -> the kind of
# department that acts on it. Anything else goes to risk management.
SIGNAL_KINDS: dict[str, str] = {
    "fund_misuse": DepartmentKind.RISK,
    "business_decline": DepartmentKind.RISK,
    "repayment_ability": DepartmentKind.RISK,
    "contact_failure": DepartmentKind.RISK,
    "legal": DepartmentKind.RISK,
    "legal_risk": DepartmentKind.RISK,
    "asset_seizure": DepartmentKind.RISK,
    "asset_transfer": DepartmentKind.RISK,
    "borrower_missing": DepartmentKind.RISK,
    "other_risk": DepartmentKind.RISK,
    "repayment_willingness": DepartmentKind.COLLECTIONS,
    "overdue": DepartmentKind.COLLECTIONS,
    "partial_payment": DepartmentKind.COLLECTIONS,
    "repayment_trend": DepartmentKind.COLLECTIONS,
    "borrower_dissatisfied": DepartmentKind.SERVICE,
    "guarantor_risk": DepartmentKind.CREDIT,
    "collateral_risk": DepartmentKind.CREDIT,
}
# Repayment-behaviour signals (days past due, partial payments) go to collections.
COLLECTIONS_PREFIXES = ("dpd", "overdue", "partial_payment", "repayment_")


def signal_kind(signal: str) -> str:
    """The department kind a signal concerns (pure)."""
    signal = (signal or "").strip().lower()
    if signal in SIGNAL_KINDS:
        return str(SIGNAL_KINDS[signal])
    if signal.startswith(COLLECTIONS_PREFIXES):
        return str(DepartmentKind.COLLECTIONS)
    return str(DepartmentKind.RISK)


def department_for_signal(signal: str) -> str:
    """The code of the department a finding with this signal goes to.

    The active department of the signal's kind (the shipped one, whose code is the kind,
    first); risk management when no active department has that kind.
    """
    kind = signal_kind(signal)
    for wanted in (kind, str(DepartmentKind.RISK)):
        codes = list(
            Department.objects.filter(kind=wanted, active=True).values_list("code", flat=True)
        )
        if codes:
            return wanted if wanted in codes else sorted(codes)[0]
    return DepartmentKind.RISK.value


def sees_every_department(user: Any) -> bool:
    """Admins (who configure them), auditors and risk managers (who oversee warnings' work)."""
    return (
        has_perm(user, "departments.manage")
        or has_perm(user, "audit.read")
        or has_perm(user, "warning.manage")
    )


def is_member(user: Any, department: Department) -> bool:
    return bool(getattr(user, "pk", None)) and department.members.filter(pk=user.pk).exists()


def can_see(user: Any, department: Department) -> bool:
    if sees_every_department(user):
        return True
    return has_perm(user, "departments.work") and is_member(user, department)


def can_work(user: Any, department: Department) -> bool:
    """Take and close the queue's tasks: its members, and risk managers on any queue."""
    if not has_perm(user, "departments.work"):
        return False
    return has_perm(user, "warning.manage") or is_member(user, department)


def department_for(
    user: Any, code: str, *, work: bool = False, via: str = "web", ip: str | None = None
) -> Department:
    """One department whose queue the user sees (or works, with work=True); else 404 / denied."""
    department = Department.objects.select_related("head").filter(code=code).first()
    if department is None:
        raise Http404(code)
    allowed = can_work(user, department) if work else can_see(user, department)
    if not allowed:
        raise deny(
            user,
            what=f"department {code} {'work' if work else 'queue'}",
            object_type="departments.department",
            object_id=code,
            via=via,
            ip=ip,
        )
    return department


def task_for(
    user: Any,
    department: Department,
    task_id: int,
    *,
    via: str = "web",
    ip: str | None = None,
) -> Task:
    """A task of this department, or 404; denied when its loan is outside the user's branches."""
    task = (
        Task.objects.select_related("loan", "department", "assigned_to")
        .filter(department=department, pk=task_id)
        .first()
    )
    if task is None:
        raise Http404(task_id)
    if task.loan is not None:
        require_branch(
            user,
            task.loan.branch_id,
            object_type="departments.task",
            object_id=str(task.pk),
            via=via,
            ip=ip,
        )
    return task


def departments_for(user: Any) -> QuerySet[Department]:
    """The departments whose queues the user sees."""
    qs = Department.objects.all()
    if sees_every_department(user):
        return qs
    if not has_perm(user, "departments.work") or not getattr(user, "pk", None):
        return qs.none()
    return qs.filter(members=user)


def tasks_scoped(user: Any, qs: QuerySet[Task]) -> QuerySet[Task]:
    """Drop tasks about loans outside the user's branches."""
    scope = branch_scope(user)
    if scope is None:
        return qs
    return qs.filter(Q(loan__isnull=True) | Q(loan__branch_id__in=scope))


def department_list(user: Any) -> QuerySet[Department]:
    """The user's departments with their open and in-progress counts (within the user's scope)."""
    scope = branch_scope(user)
    in_scope = (
        Q() if scope is None else Q(tasks__loan__isnull=True) | Q(tasks__loan__branch_id__in=scope)
    )
    return (
        departments_for(user)
        .select_related("head")
        .annotate(
            # distinct: the members join multiplies the task rows.
            open_count=Count(
                "tasks", filter=Q(tasks__status=TaskStatus.OPEN) & in_scope, distinct=True
            ),
            in_progress_count=Count(
                "tasks", filter=Q(tasks__status=TaskStatus.IN_PROGRESS) & in_scope, distinct=True
            ),
            member_count=Count("members", distinct=True),
        )
        .order_by("-active", "code")
    )


TABS = {
    "open": (TaskStatus.OPEN,),
    "in_progress": (TaskStatus.IN_PROGRESS,),
    "closed": CLOSED_STATUSES,
}


def department_queue(user: Any, department: Department, *, tab: str = "open") -> QuerySet[Task]:
    """One tab of a department's queue: open, in_progress, or closed (done and cancelled).

    The caller has checked `can_see`; loans outside the user's branches are left out here.
    """
    statuses = TABS.get(tab, OPEN_STATUSES)
    qs = Task.objects.filter(department=department, status__in=statuses).select_related(
        "department", "loan", "loan__borrower", "assigned_to", "created_by", "closed_by"
    )
    qs = tasks_scoped(user, qs)
    if tab == "closed":
        return qs.order_by("-closed_at", "-id")
    # Oldest deadline first; tasks without one after those with one.
    return qs.order_by("due_date", "created_at", "id")


def queue_counts(user: Any, department: Department) -> dict[str, int]:
    rows = (
        tasks_scoped(user, Task.objects.filter(department=department))
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    by_status = {row["status"]: row["n"] for row in rows}
    return {
        "open": by_status.get(TaskStatus.OPEN, 0),
        "in_progress": by_status.get(TaskStatus.IN_PROGRESS, 0),
        "closed": sum(by_status.get(s, 0) for s in CLOSED_STATUSES),
    }
