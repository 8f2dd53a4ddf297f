"""What reviewers see: the queue of submitted visits in their branches, and the re-checks."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from huifang.accounts.gate import branch_scope, has_perm
from huifang.followups.models import Visit, VisitRecord, VisitStatus
from huifang.reviews.models import Recheck, Submission


def _scoped(user: Any, qs: QuerySet) -> QuerySet:
    scope = branch_scope(user)
    return qs if scope is None else qs.filter(branch_id__in=scope)


def had_a_hand(user: Any, visit: str = "") -> Q:
    """Four eyes: the records a user had a hand in — assigned to them, a round they submitted,
    a working record they started. The one rule for the queues and the decisions.

    `visit` is the path from the queried model to its visit ("" for Visit itself,
    "submission__visit" for a re-check).
    """
    ref = OuterRef(visit or "pk")
    own_round = Submission.objects.filter(visit=ref, submitted_by=user)
    own_record = VisitRecord.objects.filter(visit=ref, started_by=user)
    assignee = f"{visit}__assignee" if visit else "assignee"
    return Q(**{assignee: user}) | Q(Exists(own_round)) | Q(Exists(own_record))


def has_had_a_hand(user: Any, visit: Visit) -> bool:
    return Visit.objects.filter(pk=visit.pk).filter(had_a_hand(user)).exists()


def review_queue(*, user: Any) -> QuerySet:
    """Submitted visits the user may review: in scope, and not records they had a hand in."""
    if not has_perm(user, "visits.review"):
        return Visit.objects.none()
    return (
        _scoped(user, Visit.objects.filter(status=VisitStatus.SUBMITTED))
        .exclude(had_a_hand(user))
        .select_related("loan", "loan__borrower", "assignee", "party")
        .order_by("updated_at", "id")
    )


def rechecks_open(*, user: Any) -> QuerySet:
    if not has_perm(user, "visits.review"):
        return Recheck.objects.none()
    qs = Recheck.objects.filter(outcome="").exclude(
        had_a_hand(user, "submission__visit") | Q(submission__review__reviewer=user)
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
