"""API endpoints of restructuring (issue 6): simulate, propose, decide, withdraw, read.

Registered in huifang.api.api. The services and the simulator do the work; a
ValidationError they raise becomes 422 with the messages per field, a gate
refusal 403 (the handlers in huifang.api.api).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import require
from huifang.api.common import api_actor, api_user, ip
from huifang.portfolio.restructuring import RestructuringError
from huifang.portfolio.selectors import loan_for
from huifang.restructuring.approval import require_active
from huifang.restructuring.models import OPEN_STATUSES, Proposal, ProposalStep
from huifang.restructuring.selectors import proposal_for, proposals_for
from huifang.restructuring.services import (
    proposal_create,
    proposal_decide,
    proposal_resubmit,
    proposal_withdraw,
)
from huifang.restructuring.simulate import (
    Terms,
    basis_for,
    check_effective,
    simulate,
    suggested_options,
)

router = Router(tags=["restructuring"])

MAX_OPTIONS = 8


# --- schemas ---------------------------------------------------------------------------------


class OptionIn(Schema):
    """One set of changes (restructuring.md's inputs besides the effective date)."""

    label: str = ""
    extend_months: int = 0
    interest_only_months: int = 0
    new_rate: Decimal | None = None
    new_method: str | None = None
    capitalise_overdue_interest: bool = False
    target_instalment: Decimal | None = None


class SimulateIn(Schema):
    effective_date: date
    options: list[OptionIn] = []  # empty: the suggested options


class TermsOut(Schema):
    effective_date: date
    extend_months: int
    interest_only_months: int
    new_rate: Decimal | None
    new_method: str | None
    capitalise_overdue_interest: bool
    target_instalment: Decimal | None


class RowOut(Schema):
    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    carried_interest: Decimal
    payment: Decimal
    balance: Decimal


class OutcomeOut(Schema):
    label: str
    terms: TermsOut | None  # None: the current schedule
    ok: bool
    error: str
    error_field: str
    outstanding: Decimal
    overdue_interest: Decimal
    term: int
    instalment: Decimal
    interest_only_payment: Decimal | None
    total_interest: Decimal
    total_payment: Decimal
    last_date: date | None
    present_value: Decimal
    rows: list[RowOut]


class SimulationOut(Schema):
    loan_no: str
    effective_date: date
    current: OutcomeOut
    options: list[OutcomeOut]


class ProposalIn(Schema):
    effective_date: date
    extend_months: int = 0
    interest_only_months: int = 0
    new_rate: Decimal | None = None
    new_method: str | None = None
    capitalise_overdue_interest: bool = False
    target_instalment: Decimal | None = None
    reason: str
    financial_difficulty: bool = True
    warning_id: int | None = None


class ResubmitIn(ProposalIn):
    revision: int | None = None


class DecisionIn(Schema):
    decision: str  # approve | reject | return
    comment: str = ""
    revision: int | None = None


class WithdrawIn(Schema):
    comment: str = ""
    revision: int | None = None


class ProposalFilters(Schema):
    status: str = ""  # a status, or "open" for proposed and returned
    loan_no: str = ""


class StepOut(Schema):
    kind: str
    by: str | None
    at: datetime
    comment: str
    terms: dict

    @staticmethod
    def resolve_by(obj: ProposalStep) -> str | None:
        return obj.by.username if obj.by else None


class ProposalOut(Schema):
    id: int
    loan_no: str
    borrower_name: str
    status: str
    financial_difficulty: bool
    reason: str
    warning_id: int | None
    effective_date: date
    extend_months: int
    interest_only_months: int
    new_rate: Decimal | None
    new_method: str | None
    capitalise_overdue_interest: bool
    target_instalment: Decimal | None
    outstanding: Decimal
    overdue_interest: Decimal
    new_term_months: int
    new_maturity: date
    proposed_by: str | None
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    version: int | None  # the schedule version the approval created
    observation_start: date | None
    revision: int

    @staticmethod
    def resolve_loan_no(obj: Proposal) -> str:
        return obj.loan.loan_no

    @staticmethod
    def resolve_borrower_name(obj: Proposal) -> str:
        return obj.loan.borrower.name

    @staticmethod
    def resolve_new_method(obj: Proposal) -> str | None:
        return obj.new_method or None

    @staticmethod
    def resolve_proposed_by(obj: Proposal) -> str | None:
        return obj.proposed_by.username if obj.proposed_by else None

    @staticmethod
    def resolve_decided_by(obj: Proposal) -> str | None:
        return obj.decided_by.username if obj.decided_by else None

    @staticmethod
    def resolve_version(obj: Proposal) -> int | None:
        return obj.version.number if obj.version_id and obj.version else None


class ProposalDetailOut(ProposalOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: Proposal) -> list:
        return list(obj.steps.select_related("by"))


# --- helpers ---------------------------------------------------------------------------------


def _terms(effective: date, body: OptionIn | ProposalIn) -> Terms:
    return Terms(
        effective_date=effective,
        extend_months=body.extend_months,
        interest_only_months=body.interest_only_months,
        new_rate=body.new_rate,
        new_method=body.new_method or None,
        capitalise_overdue_interest=body.capitalise_overdue_interest,
        target_instalment=body.target_instalment,
    )


def _with_version(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return qs.select_related("loan", "loan__borrower", "proposed_by", "decided_by", "version")


def _proposal(request: HttpRequest, proposal_id: int) -> Proposal:
    return proposal_for(api_user(request), proposal_id, via="api", ip=ip(request))


# --- simulation ------------------------------------------------------------------------------


@router.post(
    "/loans/{loan_no}/restructuring/simulate",
    response=SimulationOut,
    summary="试算还款计划调整方案（不保存）",
)
def post_simulate(request: HttpRequest, loan_no: str, body: SimulateIn) -> Any:
    user = api_user(request)
    require(user, "restructuring.propose", via="api", ip=ip(request))
    loan = loan_for(user, loan_no, via="api", ip=ip(request))
    require_active(loan)
    if len(body.options) > MAX_OPTIONS:
        raise ValidationError({"options": _("一次最多试算 %(max)s 个方案") % {"max": MAX_OPTIONS}})
    basis = basis_for(loan)
    effective = body.effective_date
    try:
        check_effective(basis, effective)
    except RestructuringError as exc:
        raise ValidationError({exc.field or "__all__": str(exc)}) from None
    options = [
        (option.label.strip() or _("方案%(n)s") % {"n": n}, _terms(effective, option))
        for n, option in enumerate(body.options, start=1)
    ] or suggested_options(basis, effective)
    current, *outcomes = simulate(basis, effective, options)
    return {
        "loan_no": loan.loan_no,
        "effective_date": effective,
        "current": current,
        "options": outcomes,
    }


# --- proposals of a loan ---------------------------------------------------------------------


@router.get(
    "/loans/{loan_no}/restructuring/proposals",
    response=list[ProposalOut],
    summary="贷款的还款计划调整申请",
)
def get_loan_proposals(request: HttpRequest, loan_no: str) -> Any:
    loan = loan_for(request.user, loan_no, via="api", ip=ip(request))
    return list(_with_version(Proposal.objects.filter(loan=loan)))


@router.post(
    "/loans/{loan_no}/restructuring/proposals",
    response={201: ProposalDetailOut},
    summary="提交还款计划调整申请",
)
def post_proposal(request: HttpRequest, loan_no: str, body: ProposalIn) -> Any:
    user = api_user(request)
    loan = loan_for(user, loan_no, write=True, via="api", ip=ip(request))
    proposal = proposal_create(
        loan=loan,
        terms=_terms(body.effective_date, body),
        reason=body.reason,
        financial_difficulty=body.financial_difficulty,
        warning_id=body.warning_id,
        user=user,
        actor=api_actor(request),
    )
    return Status(201, proposal)


# --- proposals -------------------------------------------------------------------------------


@router.get("/restructuring/proposals", response=list[ProposalOut], summary="还款计划调整申请列表")
@paginate(PageNumberPagination, page_size=50)
def get_proposals(request: HttpRequest, filters: Query[ProposalFilters]) -> Any:
    qs = _with_version(proposals_for(request.user))
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.loan_no:
        qs = qs.filter(loan__loan_no=filters.loan_no)
    return qs.order_by("-proposed_at", "-pk")


@router.get(
    "/restructuring/proposals/{proposal_id}",
    response=ProposalDetailOut,
    summary="还款计划调整申请详情",
)
def get_proposal(request: HttpRequest, proposal_id: int) -> Any:
    return _proposal(request, proposal_id)


@router.put(
    "/restructuring/proposals/{proposal_id}",
    response=ProposalDetailOut,
    summary="修改被退回的申请并重新提交",
)
def put_proposal(request: HttpRequest, proposal_id: int, body: ResubmitIn) -> Any:
    proposal = _proposal(request, proposal_id)
    return proposal_resubmit(
        proposal=proposal,
        terms=_terms(body.effective_date, body),
        reason=body.reason,
        financial_difficulty=body.financial_difficulty,
        warning_id=body.warning_id,
        revision=body.revision,
        user=api_user(request),
        actor=api_actor(request),
    )


@router.post(
    "/restructuring/proposals/{proposal_id}/decision",
    response=ProposalDetailOut,
    summary="审批申请：批准、否决或退回修改",
)
def post_decision(request: HttpRequest, proposal_id: int, body: DecisionIn) -> Any:
    proposal = _proposal(request, proposal_id)
    return proposal_decide(
        proposal=proposal,
        decision=body.decision,
        comment=body.comment,
        revision=body.revision,
        user=api_user(request),
        actor=api_actor(request),
    )


@router.post(
    "/restructuring/proposals/{proposal_id}/withdraw",
    response=ProposalDetailOut,
    summary="撤回申请",
)
def post_withdraw(request: HttpRequest, proposal_id: int, body: WithdrawIn) -> Any:
    proposal = _proposal(request, proposal_id)
    return proposal_withdraw(
        proposal=proposal,
        comment=body.comment,
        revision=body.revision,
        user=api_user(request),
        actor=api_actor(request),
    )
