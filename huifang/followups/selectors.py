"""Reads of visits, always through the permission gate."""

from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from huifang.accounts.gate import branch_scope, deny, has_perm, require, require_branch
from huifang.followups.models import Visit
from huifang.followups.models.visits import OPEN_STATUSES


def visits_for(user: Any) -> QuerySet[Visit]:
    """Every visit the user may read: the branch scope of their loans."""
    if not has_perm(user, "loan.read"):
        return Visit.objects.none()
    scope = branch_scope(user)
    return Visit.objects.all() if scope is None else Visit.objects.filter(branch_id__in=scope)


def open_visit_literal() -> RawSQL:
    """`status IN (...)` written out literally, as the partial index of open visits says it.

    SQLite uses a partial index only when the query repeats the index's condition
    with the same literal values; with bound parameters (`status__in=`) it cannot
    prove the match and scans the table instead.
    """
    values = ", ".join(f"'{s}'" for s in OPEN_STATUSES)  # fixed enum values, no user input
    return RawSQL(f'"followups_visit"."status" IN ({values})', (), output_field=BooleanField())


def visits_due_for(*, user: Any, on: date, days: int = 7) -> dict[str, QuerySet[Visit]]:
    """An officer's due list: overdue, today, and the coming days — open visits assigned to them."""
    mine = Visit.objects.filter(open_visit_literal(), assignee_id=user.pk).select_related(
        "loan", "loan__borrower", "party"
    )
    return {
        "overdue": mine.filter(due_date__lt=on).order_by("due_date", "pk"),
        "today": mine.filter(due_date=on).order_by("pk"),
        "upcoming": mine.filter(due_date__gt=on, due_date__lte=on + timedelta(days=days)).order_by(
            "due_date", "pk"
        ),
    }


def visit_for(
    user: Any,
    visit_id: int,
    *,
    assign: bool = False,
    work: bool = False,
    via: str = "web",
    ip: str | None = None,
) -> Visit:
    """One visit, or PermissionDenied (audited) when it is outside the user's branches or rights.

    `work`: the user is to carry the visit out, which only its assignee may do.
    """
    from django.http import Http404

    perm = "visits.assign" if assign else "visits.record" if work else "loan.read"
    require(user, perm, via=via, ip=ip)
    visit = (
        Visit.objects.select_related("loan", "loan__borrower", "assignee", "party")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise Http404(visit_id)
    require_branch(
        user,
        visit.branch_id,
        object_type="followups.visit",
        object_id=str(visit_id),
        via=via,
        ip=ip,
    )
    if work and visit.assignee_id != getattr(user, "pk", None):
        raise deny(
            user,
            what="visit assigned to someone else",
            object_type="followups.visit",
            object_id=str(visit_id),
            via=via,
            ip=ip,
        )
    return visit


def branch_officers(branch_id: int) -> QuerySet:
    from huifang.accounts.models import Role, User

    return User.objects.filter(role=Role.OFFICER, is_active=True, branch_id=branch_id).order_by(
        "username"
    )


def absences_for(user: Any) -> QuerySet:
    """Absences of the officers in the user's branches (supervisors)."""
    from huifang.followups.models import Absence

    if not has_perm(user, "visits.assign"):
        return Absence.objects.none()
    scope = branch_scope(user)
    qs = Absence.objects.select_related("user", "user__branch").order_by("-start")
    return qs if scope is None else qs.filter(user__branch_id__in=scope)
