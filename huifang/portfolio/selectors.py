"""Reads of the portfolio, always through the permission gate."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from huifang.accounts.gate import branch_scope, has_perm, require, require_branch
from huifang.lib import crypto
from huifang.portfolio import loanmath
from huifang.portfolio.models import Installment, Loan, Repayment, ScheduleVersion
from huifang.portfolio.services.state import in_force, load_schedules


def loans_for(user: Any, *, write: bool = False) -> QuerySet[Loan]:
    """Every loan the user may read (or change, with write=True): the one scoping selector."""
    if not has_perm(user, "loan.write" if write else "loan.read"):
        return Loan.objects.none()
    scope = branch_scope(user)
    qs = Loan.objects.all()
    return qs if scope is None else qs.filter(branch_id__in=scope)


def loan_for(
    user: Any, loan_no: str, *, write: bool = False, via: str = "web", ip: str | None = None
) -> Loan:
    """One loan, or PermissionDenied (audited) when it exists but is out of the user's reach."""
    require(user, "loan.write" if write else "loan.read", via=via, ip=ip)
    loan = (
        Loan.objects.select_related("borrower", "branch", "officer").filter(loan_no=loan_no).first()
    )
    if loan is None:
        raise Http404(loan_no)
    require_branch(
        user, loan.branch_id, object_type="portfolio.loan", object_id=loan.loan_no, via=via, ip=ip
    )
    return loan


def loan_search(
    qs: QuerySet[Loan],
    *,
    q: str = "",
    branch: int | None = None,
    status: str = "",
    product: str = "",
    method: str = "",
    risk: str = "",
    officer: int | None = None,
    overdue: bool = False,
    as_of: date | None = None,
) -> QuerySet[Loan]:
    """Search and filters of the loan list. `q` matches the contract number, the borrower's
    name, or exactly an ID or phone number (through the lookup hash: no decryption)."""
    if q:
        q = q.strip()
        digest = crypto.lookup_hash(q)
        qs = qs.filter(
            Q(loan_no__icontains=q)
            | Q(borrower__name__icontains=q)
            | Q(borrower__id_no_hash=digest)
            | Q(borrower__phone_hash=digest)
            | Q(parties__name__icontains=q)
        ).distinct()
    if branch:
        qs = qs.filter(branch_id=branch)
    if status:
        qs = qs.filter(status=status)
    if product:
        qs = qs.filter(product=product)
    if method:
        qs = qs.filter(repayment_method=method)
    if risk:
        qs = qs.filter(risk_level=risk)
    if officer:
        qs = qs.filter(officer_id=officer)
    if overdue and as_of:
        qs = qs.filter(first_unpaid_due__lt=as_of)
    return qs


def schedule_versions(loan: Loan) -> list[ScheduleVersion]:
    return list(loan.schedule_versions.order_by("number").prefetch_related("installments"))


def installments_in_force(
    loan: Loan, payments: list[loanmath.Payment] | None = None
) -> list[loanmath.Installment]:
    versions = list(loan.schedule_versions.order_by("number"))
    rows: dict[int, list[Installment]] = {}
    for row in Installment.objects.filter(version__loan=loan).order_by("period"):
        rows.setdefault(row.version_id, []).append(row)
    return in_force(versions, rows, loan_payments(loan) if payments is None else payments)


def loan_payments(loan: Loan) -> list[loanmath.Payment]:
    return [
        loanmath.Payment(paid_date=d, amount=a)
        for d, a in Repayment.objects.filter(loan=loan)
        .order_by("paid_date", "id")
        .values_list("paid_date", "amount")
    ]


def loan_allocation(loan: Loan) -> loanmath.Allocation:
    payments = loan_payments(loan)
    return loanmath.allocate(installments_in_force(loan, payments), payments)


def loan_dpd(loan: Loan, as_of: date) -> int:
    return loanmath.days_past_due(loan_allocation(loan), as_of)


def allocations(loan_ids: Sequence[int]) -> dict[int, loanmath.Allocation]:
    """Each loan's payments allocated to its schedule in force: 3 queries for any number of loans."""
    schedules, payments = load_schedules(loan_ids)
    return {
        loan_id: loanmath.allocate(schedules[loan_id], payments[loan_id]) for loan_id in loan_ids
    }
