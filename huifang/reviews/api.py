"""Submitting visits for review, the four-eyes decision, random re-checks."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import require
from huifang.api.common import api_actor, api_user, ip
from huifang.followups.selectors import visit_for
from huifang.reviews.models import Recheck, Submission
from huifang.reviews.selectors import rechecks_open, review_queue
from huifang.reviews.services import recheck_decide, review_decide, visit_submit

router = Router(tags=["reviews"])


class SubmitIn(Schema):
    revision: int


class ReviewOut(Schema):
    reviewer: str
    decision: str
    comment: str
    decided_at: datetime

    @staticmethod
    def resolve_reviewer(obj: Any) -> str:
        return obj.reviewer.username


class SubmissionOut(Schema):
    id: int
    visit: int
    round: int
    questionnaire: int
    channel: str
    contact_result: str
    answers: dict
    notes: str
    occurred_at: datetime | None
    received_online: bool
    findings: list
    submitted_by: str | None
    submitted_at: datetime
    review: ReviewOut | None

    @staticmethod
    def resolve_visit(obj: Submission) -> int:
        return obj.visit_id

    @staticmethod
    def resolve_questionnaire(obj: Submission) -> int:
        return obj.questionnaire_id

    @staticmethod
    def resolve_submitted_by(obj: Submission) -> str | None:
        return obj.submitted_by.username if obj.submitted_by else None

    @staticmethod
    def resolve_review(obj: Submission) -> Any:
        return getattr(obj, "review", None)


class QueueItemOut(Schema):
    visit: int
    loan_no: str
    borrower: str
    kind: str
    channel: str
    assignee: str | None
    submitted_at: datetime

    @staticmethod
    def resolve_visit(obj: Any) -> int:
        return obj.pk

    @staticmethod
    def resolve_loan_no(obj: Any) -> str:
        return obj.loan.loan_no

    @staticmethod
    def resolve_borrower(obj: Any) -> str:
        return obj.loan.borrower.name

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.username if obj.assignee else None

    @staticmethod
    def resolve_submitted_at(obj: Any) -> datetime:
        return obj.updated_at


class DecisionIn(Schema):
    decision: str
    comment: str = ""


class RecheckIn(Schema):
    outcome: str
    comment: str = ""


class RecheckOut(Schema):
    id: int
    visit: int
    loan_no: str
    created_at: datetime
    outcome: str
    comment: str

    @staticmethod
    def resolve_visit(obj: Recheck) -> int:
        return obj.submission.visit_id

    @staticmethod
    def resolve_loan_no(obj: Recheck) -> str:
        return obj.submission.visit.loan.loan_no


def _submissions(visit: Any) -> Any:
    return (
        Submission.objects.filter(visit=visit)
        .select_related("submitted_by", "review__reviewer")
        .order_by("round")
    )


@router.post("/visits/{visit_id}/submit", response={201: SubmissionOut}, summary="提交审核")
def post_submit(request: HttpRequest, visit_id: int, body: SubmitIn) -> Any:
    user = api_user(request)
    visit = visit_for(user, visit_id, work=True, via="api", ip=ip(request))
    submission = visit_submit(
        visit=visit, user=user, actor=api_actor(request), revision=body.revision
    )
    return Status(201, submission)


@router.get(
    "/visits/{visit_id}/submissions", response=list[SubmissionOut], summary="历次提交与审核"
)
def get_submissions(request: HttpRequest, visit_id: int) -> Any:
    visit = visit_for(request.user, visit_id, via="api", ip=ip(request))
    return list(_submissions(visit))


@router.get("/reviews/queue", response=list[QueueItemOut], summary="审核队列")
@paginate(PageNumberPagination, page_size=100)
def get_queue(request: HttpRequest) -> Any:
    require(request.user, "visits.review", via="api", ip=ip(request))
    return review_queue(user=request.user)


@router.post("/visits/{visit_id}/review", response=SubmissionOut, summary="审核最新一轮提交")
def post_review(request: HttpRequest, visit_id: int, body: DecisionIn) -> Any:
    user = api_user(request)
    require(user, "visits.review", via="api", ip=ip(request))
    visit = visit_for(user, visit_id, via="api", ip=ip(request))
    latest = get_object_or_404(_submissions(visit).order_by("-round")[:1])
    review_decide(
        submission=latest,
        reviewer=user,
        actor=api_actor(request),
        decision=body.decision,
        comment=body.comment,
    )
    return _submissions(visit).get(pk=latest.pk)


@router.get("/rechecks", response=list[RecheckOut], summary="待复核的抽查")
def get_rechecks(request: HttpRequest) -> Any:
    require(request.user, "visits.review", via="api", ip=ip(request))
    return list(rechecks_open(user=request.user)[:500])


@router.post("/rechecks/{recheck_id}", response=RecheckOut, summary="登记抽查复核结果")
def post_recheck(request: HttpRequest, recheck_id: int, body: RecheckIn) -> Any:
    user = api_user(request)
    require(user, "visits.review", via="api", ip=ip(request))
    recheck = get_object_or_404(
        Recheck.objects.select_related("submission__visit__loan"), pk=recheck_id
    )
    visit_for(user, recheck.submission.visit_id, via="api", ip=ip(request))
    return recheck_decide(
        recheck=recheck,
        user=user,
        actor=api_actor(request),
        outcome=body.outcome,
        comment=body.comment,
    )
