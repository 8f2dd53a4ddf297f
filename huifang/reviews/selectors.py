"""What reviewers see: the queue of submitted visits in their branches, and the re-checks."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from huifang.accounts.gate import branch_scope, has_perm
from huifang.followups.models import Visit, VisitRecord, VisitStatus
from huifang.reviews.models import Recheck, Submission


def _scoped(user: Any, qs: QuerySet) -> QuerySet:
    scope = branch_scope(user)
    return qs if scope is None else qs.filter(branch_id__in=scope)


def review_queue(*, user: Any) -> QuerySet:
    """Submitted visits the user may review: in scope, and not records they had a hand in."""
    if not has_perm(user, "visits.review"):
        return Visit.objects.none()
    own_round = Submission.objects.filter(visit=OuterRef("pk"), submitted_by=user)
    own_record = VisitRecord.objects.filter(visit=OuterRef("pk"), started_by=user)
    return (
        _scoped(user, Visit.objects.filter(status=VisitStatus.SUBMITTED))
        .exclude(assignee=user)
        .exclude(Exists(own_round))
        .exclude(Exists(own_record))
        .select_related("loan", "loan__borrower", "assignee", "party")
        .order_by("updated_at", "id")
    )


def rechecks_open(*, user: Any) -> QuerySet:
    if not has_perm(user, "visits.review"):
        return Recheck.objects.none()
    qs = Recheck.objects.filter(outcome="").exclude(
        Q(submission__submitted_by=user) | Q(submission__review__reviewer=user)
    )
    scope = branch_scope(user)
    if scope is not None:
        qs = qs.filter(submission__visit__branch_id__in=scope)
    return qs.select_related(
        "submission__visit__loan__borrower", "submission__review__reviewer"
    ).order_by("created_at")


def returned_waiting(*, user: Any) -> QuerySet:
    """Visits returned to their officers and not resubmitted yet (for the counts)."""
    return _scoped(user, Visit.objects.filter(status=VisitStatus.RETURNED))
