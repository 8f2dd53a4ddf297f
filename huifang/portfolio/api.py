"""Portfolio endpoints: loans, parties, collateral, schedules, repayments, imports."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import has_perm, require
from huifang.accounts.models import Branch, User
from huifang.api.common import api_actor, api_user, ip
from huifang.portfolio import loanmath
from huifang.portfolio.models import Loan, Repayment
from huifang.portfolio.selectors import loan_dpd, loan_for, loan_search, loans_for
from huifang.portfolio.services.imports import import_file
from huifang.portfolio.services.loans import loan_update
from huifang.portfolio.services.repayments import before_restructuring, record_repayments

router = Router(tags=["portfolio"])


def _pii(request: HttpRequest, clear: str, masked: str) -> str:
    return clear if has_perm(request.user, "pii.read") else masked


class BorrowerOut(Schema):
    id: int
    kind: str
    name: str
    id_no: str
    phone: str
    address: str

    @staticmethod
    def from_borrower(request: HttpRequest, b: Any) -> "BorrowerOut":
        clear = has_perm(request.user, "pii.read")
        return BorrowerOut(
            id=b.pk,
            kind=b.kind,
            name=b.name,
            id_no=b.id_no if clear else b.id_no_masked,
            phone=b.phone if clear else b.phone_masked,
            address=b.address,
        )


class LoanOut(Schema):
    loan_no: str
    borrower_name: str = Field(..., alias="borrower.name")
    borrower_type: str = Field(..., alias="borrower.kind")
    product: str
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    disbursement_date: date
    maturity_date: date
    repayment_method: str
    purpose: str
    risk_level: str
    branch: str = Field(..., alias="branch.name")
    officer: str | None = None
    status: str
    schedule_version: int
    outstanding_principal: Decimal
    paid_total: Decimal
    credit_balance: Decimal
    dpd: int

    @staticmethod
    def resolve_officer(obj: Loan) -> str | None:
        return obj.officer.username if obj.officer else None

    @staticmethod
    def resolve_dpd(obj: Loan) -> int:
        return obj.dpd()


class LoanDetailOut(LoanOut):
    borrower: BorrowerOut

    @staticmethod
    def resolve_borrower(obj: Loan, context: dict[str, Any]) -> BorrowerOut:
        return BorrowerOut.from_borrower(context["request"], obj.borrower)


class LoanFilters(Schema):
    q: str = ""
    branch: int | None = None
    status: str = ""
    product: str = ""
    method: str = ""
    risk: str = ""
    officer: int | None = None
    overdue: bool = False


class LoanPatch(Schema):
    risk_level: str | None = None
    officer: str | None = Field(
        None, description="username of an officer of the loan's branch; empty string clears"
    )
    purpose: str | None = None


class PartyOut(Schema):
    role: str
    kind: str
    name: str
    id_no: str
    phone: str
    relation: str


class CollateralOut(Schema):
    kind: str
    description: str
    appraised_value: Decimal
    location: str
    registration_no: str


class InstallmentOut(Schema):
    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    # Overdue interest a restructuring carried to this (first) period; in payment too.
    carried_interest: Decimal
    payment: Decimal
    balance: Decimal


class ScheduleOut(Schema):
    number: int
    effective_date: date
    reason: str
    current: bool
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    repayment_method: str
    maturity_date: date
    installments: list[InstallmentOut]


class RepaymentIn(Schema):
    paid_date: date
    amount: Decimal = Field(..., gt=0, decimal_places=2)
    note: str = ""


class RepaymentOut(Schema):
    id: int
    paid_date: date
    amount: Decimal
    source: str
    note: str
    recorded_at: Any


class DpdOut(Schema):
    loan_no: str
    as_of: date
    dpd: int
    floor_category: str


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    kind: str
    filename: str
    applied: bool
    total_rows: int
    valid_rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut]


class BranchOut(Schema):
    id: int
    name: str
    code: str | None


@router.get("/loans", response=list[LoanOut], summary="贷款列表")
@paginate(PageNumberPagination, page_size=50)
def list_loans(request: HttpRequest, filters: Query[LoanFilters]) -> Any:
    qs = loans_for(request.user).select_related("borrower", "branch", "officer")
    return loan_search(qs, **filters.dict(), as_of=timezone.localdate()).order_by("loan_no")


@router.get("/loans/{loan_no}", response=LoanDetailOut, summary="贷款详情")
def get_loan(request: HttpRequest, loan_no: str) -> Any:
    return loan_for(request.user, loan_no, via="api", ip=ip(request))


@router.patch("/loans/{loan_no}", response=LoanDetailOut, summary="修改风险等级、客户经理或用途")
def patch_loan(request: HttpRequest, loan_no: str, payload: LoanPatch) -> Any:
    loan = loan_for(request.user, loan_no, write=True, via="api", ip=ip(request))
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "officer" in changes:
        username = changes.pop("officer")
        changes["officer"] = get_object_or_404(User, username=username) if username else None
    loan_update(loan=loan, actor=api_actor(request), **changes)
    return get_loan(request, loan_no)


@router.get("/loans/{loan_no}/parties", response=list[PartyOut], summary="关联方")
def list_parties(request: HttpRequest, loan_no: str) -> Any:
    loan = loan_for(request.user, loan_no, via="api", ip=ip(request))
    return [
        PartyOut(
            role=p.role,
            kind=p.kind,
            name=p.name,
            relation=p.relation,
            id_no=_pii(request, p.id_no, p.id_no_masked),
            phone=_pii(request, p.phone, p.phone_masked),
        )
        for p in loan.parties.all()
    ]


@router.get("/loans/{loan_no}/collateral", response=list[CollateralOut], summary="抵质押物")
def list_collateral(request: HttpRequest, loan_no: str) -> Any:
    return list(loan_for(request.user, loan_no, via="api", ip=ip(request)).collateral.all())


@router.get(
    "/loans/{loan_no}/schedules", response=list[ScheduleOut], summary="还款计划（所有版本）"
)
def list_schedules(request: HttpRequest, loan_no: str) -> Any:
    loan = loan_for(request.user, loan_no, via="api", ip=ip(request))
    versions = loan.schedule_versions.order_by("number").prefetch_related("installments")
    return [_schedule_out(loan, v) for v in versions]


@router.get("/loans/{loan_no}/schedule", response=ScheduleOut, summary="当前还款计划")
def current_schedule(request: HttpRequest, loan_no: str) -> Any:
    loan = loan_for(request.user, loan_no, via="api", ip=ip(request))
    version = get_object_or_404(
        loan.schedule_versions.prefetch_related("installments"), number=loan.schedule_version
    )
    return _schedule_out(loan, version)


def _schedule_out(loan: Loan, version: Any) -> dict[str, Any]:
    return {
        "number": version.number,
        "effective_date": version.effective_date,
        "reason": version.reason,
        "current": version.number == loan.schedule_version,
        "principal": version.principal,
        "annual_rate": version.annual_rate,
        "term_months": version.term_months,
        "repayment_method": version.repayment_method,
        "maturity_date": version.maturity_date,
        "installments": [
            {
                "period": i.period,
                "due_date": i.due_date,
                "principal": i.principal,
                "interest": i.interest,
                "carried_interest": i.carried_interest,
                "payment": i.payment,
                "balance": i.balance,
            }
            for i in sorted(version.installments.all(), key=lambda i: i.period)
        ],
    }


@router.get("/loans/{loan_no}/repayments", response=list[RepaymentOut], summary="还款记录")
def list_repayments(request: HttpRequest, loan_no: str) -> Any:
    loan = loan_for(request.user, loan_no, via="api", ip=ip(request))
    return list(Repayment.objects.filter(loan=loan).order_by("paid_date", "id"))


@router.post("/loans/{loan_no}/repayments", response={201: RepaymentOut}, summary="登记还款")
def add_repayment(request: HttpRequest, loan_no: str, payload: RepaymentIn) -> Any:
    require(request.user, "repayment.record", via="api", ip=ip(request))
    loan = loan_for(request.user, loan_no, write=True, via="api", ip=ip(request))
    if payload.paid_date < loan.disbursement_date:
        raise HttpError(422, f"paid_date is before the disbursement date {loan.disbursement_date}")
    if not loan.is_active:
        raise HttpError(422, f"the loan is {loan.status}")
    problem = before_restructuring(loan, payload.paid_date)
    if problem:
        raise HttpError(422, problem)
    with transaction.atomic():
        [repayment] = record_repayments(
            [(loan, payload.paid_date, payload.amount)],
            actor=api_actor(request),
            by=api_user(request),
            source=Repayment.Source.API,
            note=payload.note[:200],
        )
    return Status(201, repayment)


@router.get("/loans/{loan_no}/dpd", response=DpdOut, summary="逾期天数")
def get_dpd(request: HttpRequest, loan_no: str, as_of: date | None = None) -> Any:
    loan = loan_for(request.user, loan_no, via="api", ip=ip(request))
    as_of = as_of or timezone.localdate()
    dpd = loan_dpd(loan, as_of)
    return {
        "loan_no": loan.loan_no,
        "as_of": as_of,
        "dpd": dpd,
        "floor_category": loanmath.dpd_floor_category(dpd),
    }


@router.post(
    "/imports/{kind}", response={200: ImportOut, 422: ImportOut}, summary="导入贷款或还款文件"
)
def post_import(
    request: HttpRequest, kind: str, file: File[UploadedFile], partial: Form[bool] = False
) -> Any:
    if kind not in ("loans", "repayments"):
        raise HttpError(404, "kind must be loans or repayments")
    report = import_file(
        kind=kind,
        data=file.read(),
        filename=file.name or "upload",
        user=request.user,
        actor=api_actor(request),
        partial=partial,
    )
    body = {
        "kind": kind,
        "filename": report.filename,
        "applied": report.applied,
        "total_rows": report.total_rows,
        "valid_rows": report.valid_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": [e.as_dict() for e in report.errors],
    }
    return Status(200 if report.applied else 422, body)


@router.get("/branches", response=list[BranchOut], summary="机构")
def list_branches(request: HttpRequest) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    return list(Branch.objects.order_by("name"))
