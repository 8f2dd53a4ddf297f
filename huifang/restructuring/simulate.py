"""The simulator: a loan's current schedule beside restructuring options, compared.

For each option the new version's installments (portfolio.restructuring, the
arithmetic of restructuring.md) and the figures a risk manager weighs: the
regular instalment, the interest-only payment, total interest, the last date and
the present value of the payments at the contract rate. Nothing is saved.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _

from huifang.lib.dates import add_months
from huifang.portfolio import loanmath
from huifang.portfolio.loanmath import SPEC_CONTEXT, ZERO, round_cents
from huifang.portfolio.models import Loan
from huifang.portfolio.restructuring import RestructuringError, outstanding_at, restructure


@dataclass(frozen=True)
class Basis:
    """What the loan is now: the schedule in force, the payments, the terms of the current version."""

    loan_no: str
    disbursement: date
    maturity: date
    annual_rate: Decimal
    method: str
    contract_rate: Decimal
    schedule: list[loanmath.Installment]
    payments: list[loanmath.Payment]
    last_paid: date | None
    current_since: date  # the current version's effective date


def basis_for(loan: Loan) -> Basis:
    from huifang.portfolio.selectors import installments_in_force, loan_payments

    current = loan.schedule_versions.order_by("-number").first()
    payments = loan_payments(loan)
    return Basis(
        loan_no=loan.loan_no,
        disbursement=loan.disbursement_date,
        maturity=current.maturity_date if current else loan.maturity_date,
        annual_rate=current.annual_rate if current else loan.annual_rate,
        method=current.repayment_method if current else loan.repayment_method,
        contract_rate=loan.annual_rate,
        schedule=installments_in_force(loan, payments),
        payments=payments,
        last_paid=max((p.paid_date for p in payments), default=None),
        current_since=current.effective_date if current else loan.disbursement_date,
    )


@dataclass(frozen=True)
class Terms:
    """restructuring.md's inputs."""

    effective_date: date
    extend_months: int = 0
    interest_only_months: int = 0
    new_rate: Decimal | None = None
    new_method: str | None = None
    capitalise_overdue_interest: bool = False
    target_instalment: Decimal | None = None


@dataclass(frozen=True)
class Row:
    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    carried_interest: Decimal
    balance: Decimal

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest + self.carried_interest


@dataclass
class Outcome:
    label: str
    terms: Terms | None  # None: the current schedule
    rows: list[Row] = field(default_factory=list)
    error: str = ""
    error_field: str = ""
    outstanding: Decimal = ZERO
    overdue_interest: Decimal = ZERO
    term: int = 0
    instalment: Decimal = ZERO  # the regular payment (after any interest-only months)
    interest_only_payment: Decimal | None = None
    total_interest: Decimal = ZERO
    total_payment: Decimal = ZERO
    last_date: date | None = None
    present_value: Decimal = ZERO

    @property
    def ok(self) -> bool:
        return not self.error


def months_between(start: date, end: date) -> Decimal:
    """Months from start to end: whole months by add_months, then the fraction of the next month."""
    if end <= start:
        return Decimal(0)
    whole = (end.year - start.year) * 12 + end.month - start.month
    while whole > 0 and add_months(start, whole) > end:
        whole -= 1
    base, following = add_months(start, whole), add_months(start, whole + 1)
    return whole + Decimal((end - base).days) / Decimal((following - base).days)


def present_value(
    flows: Sequence[tuple[date, Decimal]], start: date, annual_rate: Decimal
) -> Decimal:
    """The payments discounted to `start` monthly at annual_rate / 12 (a payment due before start counts in full)."""
    with localcontext(SPEC_CONTEXT):
        r = annual_rate / 12
        total = Decimal(0)
        for due, amount in flows:
            total += amount / (1 + r) ** months_between(start, due)
    return round_cents(total)


def current_outcome(basis: Basis, effective: date) -> Outcome:
    """The schedule in force as it stands: what is still unpaid at the effective date, when it is due."""
    outcome = Outcome(label=_("现行计划"), terms=None)
    before = [p for p in basis.payments if p.paid_date < effective]
    states = [s for s in loanmath.allocate(basis.schedule, before).states if not s.settled]
    outcome.outstanding, outcome.overdue_interest = outstanding_at(
        basis.schedule, basis.payments, effective
    )
    balance = outcome.outstanding
    for state in states:
        principal, interest = state.principal_due_left, state.interest_due_left
        if not principal and not interest:
            continue
        balance -= principal
        item = state.installment
        outcome.rows.append(Row(item.period, item.due_date, principal, interest, ZERO, balance))
    future = [r for r in outcome.rows if r.due_date >= effective]
    outcome.term = len(future)
    # The regular payment is the first one that repays principal (an earlier restructuring
    # may have left interest-only months, whose payment is shown on its own).
    amortising = [r for r in future if r.principal > 0]
    outcome.instalment = (amortising or future)[0].payment if future else ZERO
    if future and amortising and amortising[0] is not future[0]:
        outcome.interest_only_payment = future[0].payment
    _totals(outcome, basis, effective)
    return outcome


# The places a proposal keeps (Proposal.new_rate, Proposal.target_instalment): more would be
# rounded on saving, and the approved schedule would differ from the one simulated.
RATE_PLACES, AMOUNT_PLACES = 8, 2


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def precision_error(terms: Terms) -> RestructuringError | None:
    """A figure with more decimal places than a proposal keeps, or None."""
    rate, target = terms.new_rate, terms.target_instalment
    if rate is not None and rate.is_finite() and _places(rate) > RATE_PLACES:
        return RestructuringError(
            _("年利率 %(rate)s 的小数位数不能超过 %(places)s 位")
            % {"rate": rate, "places": RATE_PLACES},
            "new_rate",
        )
    if target is not None and target.is_finite() and _places(target) > AMOUNT_PLACES:
        return RestructuringError(
            _("目标月供 %(amount)s 元最多精确到分（两位小数）") % {"amount": target},
            "target_instalment",
        )
    return None


def option_outcome(basis: Basis, terms: Terms, label: str) -> Outcome:
    outcome = Outcome(label=label, terms=terms)
    try:
        error = precision_error(terms)
        if error is not None:
            raise error
        check_effective(basis, terms.effective_date)
        rows = restructure(
            schedule=basis.schedule,
            repayments=basis.payments,
            disbursement=basis.disbursement,
            maturity=basis.maturity,
            annual_rate=basis.annual_rate,
            method=basis.method,
            effective=terms.effective_date,
            extend_months=terms.extend_months,
            interest_only_months=terms.interest_only_months,
            new_rate=terms.new_rate,
            new_method=terms.new_method,
            capitalise_overdue_interest=terms.capitalise_overdue_interest,
            target_instalment=terms.target_instalment,
        )
    except RestructuringError as exc:
        outcome.error, outcome.error_field = str(exc), exc.field
        return outcome
    outcome.outstanding, outcome.overdue_interest = outstanding_at(
        basis.schedule, basis.payments, terms.effective_date
    )
    outcome.rows = [
        Row(r.period, r.due_date, r.principal, r.interest, r.carried_interest, r.balance)
        for r in rows
    ]
    outcome.term = rows[-1].period
    months = terms.interest_only_months
    regular = [r for r in rows if r.period > months]
    outcome.instalment = regular[0].principal + regular[0].interest
    if months:
        outcome.interest_only_payment = rows[0].interest
    _totals(outcome, basis, terms.effective_date)
    return outcome


def _totals(outcome: Outcome, basis: Basis, effective: date) -> None:
    outcome.total_interest = sum((r.interest + r.carried_interest for r in outcome.rows), ZERO)
    outcome.total_payment = sum((r.payment for r in outcome.rows), ZERO)
    outcome.last_date = max((r.due_date for r in outcome.rows), default=None)
    outcome.present_value = present_value(
        [(r.due_date, r.payment) for r in outcome.rows], effective, basis.contract_rate
    )


def check_effective(basis: Basis, effective: date) -> None:
    """restructuring.md's conditions on E that need more than the arithmetic knows."""
    if basis.last_paid is not None and effective <= basis.last_paid:
        raise RestructuringError(
            _("生效日 %(effective)s 早于或等于最后一次还款日 %(paid)s：生效日必须晚于最后一次还款")
            % {"effective": effective, "paid": basis.last_paid},
            "effective_date",
        )
    if effective <= basis.current_since:
        raise RestructuringError(
            _("生效日 %(effective)s 必须晚于现行还款计划的生效日 %(since)s")
            % {"effective": effective, "since": basis.current_since},
            "effective_date",
        )


def suggested_options(basis: Basis, effective: date) -> list[tuple[str, Terms]]:
    """Options worth comparing for a borrower in difficulty, beside any the user enters."""
    options = [
        (
            _("只还息12个月并展期12个月"),
            Terms(effective, extend_months=12, interest_only_months=12),
        ),
        (_("展期12个月"), Terms(effective, extend_months=12)),
        (_("只还息6个月"), Terms(effective, interest_only_months=6)),
    ]
    if basis.method == "equal_installment":
        current = current_outcome(basis, effective)
        if current.instalment > 0:
            target = round_cents(current.instalment * Decimal("0.7"))
            options.append(
                (
                    _("月供降至现行的七成（%(target)s 元）") % {"target": target},
                    Terms(effective, target_instalment=target),
                )
            )
    return options


def simulate(basis: Basis, effective: date, options: Sequence[tuple[str, Terms]]) -> list[Outcome]:
    """The current schedule first, then each option (refused ones carry their reason)."""
    return [current_outcome(basis, effective)] + [
        option_outcome(basis, terms, label) for label, terms in options
    ]


def balance_series(outcome: Outcome, effective: date) -> list[tuple[date, Decimal]]:
    """Remaining principal over time, for the chart: O at the effective date, then after each payment."""
    points = [
        (
            effective,
            outcome.outstanding + (outcome.overdue_interest if _capitalised(outcome) else ZERO),
        )
    ]
    balance = points[0][1]
    for row in sorted(outcome.rows, key=lambda r: r.due_date):
        balance -= row.principal
        points.append((max(row.due_date, effective), balance))
    return points


def _capitalised(outcome: Outcome) -> bool:
    return bool(outcome.terms and outcome.terms.capitalise_overdue_interest)
