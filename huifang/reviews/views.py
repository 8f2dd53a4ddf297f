"""The reviewer's pages: the queue (审核队列) and one visit's review with the decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import require
from huifang.accounts.models import User
from huifang.accounts.services import client_ip, request_actor
from huifang.followups.selectors import visit_for
from huifang.lib.forms import error_messages
from huifang.reviews.models import Decision, Recheck, RecheckOutcome, Submission
from huifang.reviews.selectors import has_had_a_hand, rechecks_open, returned_waiting, review_queue
from huifang.reviews.services import recheck_decide, review_decide

PER_PAGE = 50


def _user(request: HttpRequest) -> User:
    """The signed-in user (LoginRequiredMiddleware lets no anonymous request through)."""
    assert isinstance(request.user, User)
    return request.user


def review_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "visits.review", ip=client_ip(request))
    queue = review_queue(user=request.user)
    page = Paginator(queue, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/review_list.html",
        {
            "page": page,
            "waiting": page.paginator.count,
            "rechecks": list(rechecks_open(user=request.user)[:50]),
            "returned": returned_waiting(user=request.user).count(),
        },
    )


def _detail_context(request: HttpRequest, visit, *, errors=None, comment="") -> dict:
    from huifang.evidence.selectors import evidence_context

    rounds = list(
        Submission.objects.filter(visit=visit)
        .select_related("questionnaire", "submitted_by", "review__reviewer", "recheck")
        .order_by("-round")
    )
    latest = rounds[0] if rounds else None
    own = has_had_a_hand(request.user, visit)
    recheck = getattr(latest, "recheck", None) if latest else None
    return {
        "visit": visit,
        "loan": visit.loan,
        "rounds": rounds,
        "latest": latest,
        "can_decide": (
            latest is not None
            and visit.status == "submitted"
            and not hasattr(latest, "review")
            and not own
        ),
        "own": own,
        "recheck": recheck,
        "can_recheck": (
            recheck is not None
            and not recheck.outcome
            and not own
            and latest is not None
            and latest.review.reviewer_id != request.user.pk
        ),
        "attempts": list(visit.attempts.select_related("by").order_by("attempted_at")),
        **evidence_context(request.user, visit),
        "errors": errors or {},
        "comment": comment,
        "decisions": Decision.choices,
        "outcomes": RecheckOutcome.choices,
    }


def review_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    ip = client_ip(request)
    require(request.user, "visits.review", ip=ip)
    visit = visit_for(request.user, visit_id, ip=ip)
    return render(request, "reviews/review_detail.html", _detail_context(request, visit))


@require_POST
def review_decision(request: HttpRequest, visit_id: int) -> HttpResponse:
    ip = client_ip(request)
    require(request.user, "visits.review", ip=ip)
    visit = visit_for(request.user, visit_id, ip=ip)
    submission = get_object_or_404(Submission, visit=visit, pk=request.POST.get("submission") or 0)
    comment = request.POST.get("comment", "")
    try:
        review = review_decide(
            submission=submission,
            reviewer=_user(request),
            actor=request_actor(request),
            decision=request.POST.get("decision", ""),
            comment=comment,
        )
    except ValidationError as exc:
        context = _detail_context(request, visit, errors=error_messages(exc), comment=comment)
        return render(request, "reviews/review_detail.html", context, status=422)
    if review.decision == Decision.APPROVED:
        messages.success(request, _("已通过：%(loan)s") % {"loan": visit.loan.loan_no})
    else:
        messages.success(request, _("已退回给客户经理：%(loan)s") % {"loan": visit.loan.loan_no})
    return redirect("review_list")


@require_POST
def recheck_decision(request: HttpRequest, recheck_id: int) -> HttpResponse:
    ip = client_ip(request)
    require(request.user, "visits.review", ip=ip)
    recheck = get_object_or_404(Recheck.objects.select_related("submission"), pk=recheck_id)
    visit = visit_for(request.user, recheck.submission.visit_id, ip=ip)
    comment = request.POST.get("comment", "")
    try:
        recheck_decide(
            recheck=recheck,
            user=_user(request),
            actor=request_actor(request),
            outcome=request.POST.get("outcome", ""),
            comment=comment,
        )
    except ValidationError as exc:
        context = _detail_context(request, visit, errors=error_messages(exc), comment=comment)
        return render(request, "reviews/review_detail.html", context, status=422)
    messages.success(request, _("复核结果已记录。"))
    return redirect("review_list")
