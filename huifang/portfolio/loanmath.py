"""Repayment schedules, the payment waterfall and days past due: the pure core.

Everything here works on plain values (Decimal, date, int); the services load
loans and repayments, call these functions and save the results. The rules are
those of `loan-math.md`; each function names the section it implements.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import NamedTuple

from huifang.lib.dates import add_months

METHODS = ("equal_installment", "equal_principal", "interest_first", "bullet")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_TERM_MONTHS = 360

# loan-math.md computes r = R / 12 "in Decimal (default 28-digit context)". The
# thread's current context may have been changed by a caller, so the schedule is
# always computed in a fresh copy of Python's default context.
SPEC_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)


def round_cents(x: Decimal) -> Decimal:
    """loan-math.md: "round" is quantize(0.01, ROUND_HALF_UP)."""
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


class Installment(NamedTuple):
    """One period of a schedule. A named tuple: schedules of 100,000 loans are built at import.

    settled_on: set on the installments of an earlier schedule version that a
    restructuring replaced (restructuring.md): whatever of them is still unpaid on
    that date moved into the new version's outstanding principal, so from then on
    they count as covered ("settled") without being paid.
    """

    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    balance: Decimal  # the balance after this period's principal (B_k)
    settled_on: date | None = None

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest


def _validate(
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    disbursement_date: date,
    maturity_date: date,
    method: str,
) -> None:
    if not isinstance(principal, Decimal) or not isinstance(annual_rate, Decimal):
        # A float would carry binary noise into every cent of the schedule.
        raise TypeError("principal and annual_rate must be Decimal")
    if not principal.is_finite() or principal <= 0:
        raise ValueError(f"principal must be positive, got {principal}")
    if principal != round_cents(principal):
        raise ValueError(f"principal must be a whole number of cents, got {principal}")
    if not annual_rate.is_finite() or not 0 <= annual_rate < 1:
        raise ValueError(f"annual_rate must satisfy 0 <= rate < 1, got {annual_rate}")
    if isinstance(term_months, bool) or not isinstance(term_months, int):
        raise ValueError(f"term_months must be an integer, got {term_months!r}")
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValueError(f"term_months must be between 1 and 360, got {term_months}")
    if method not in METHODS:
        raise ValueError(f"unknown repayment method {method!r}; expected one of {METHODS}")
    if maturity_date <= disbursement_date:
        raise ValueError(
            f"maturity date {maturity_date} must be after disbursement date {disbursement_date}"
        )
    # With several periods, period T-1 is due on add_months(D, T-1); a maturity on or
    # before it would make the due dates go backwards.
    if method != "bullet" and term_months > 1:
        previous_due = add_months(disbursement_date, term_months - 1)
        if maturity_date <= previous_due:
            raise ValueError(
                f"maturity date {maturity_date} must be after period {term_months - 1}'s "
                f"due date {previous_due}"
            )


def build_schedule(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    disbursement_date: date,
    maturity_date: date | None = None,
    method: str,
) -> list[Installment]:
    """The contractual schedule, loan-math.md (one section per method).

    Period k < T is due on add_months(D, k), the last one on the maturity date
    (default add_months(D, T)); a bullet loan has one period, due on maturity.
    """
    maturity = maturity_date or add_months(disbursement_date, term_months)
    _validate(principal, annual_rate, term_months, disbursement_date, maturity, method)
    principal = round_cents(principal)  # same value; "41100" becomes 41100.00 in every row
    with localcontext(SPEC_CONTEXT):
        if method == "bullet":
            # "bullet": interest for the whole term by months, not by days.
            interest = round_cents(principal * annual_rate * term_months / 12)
            return [Installment(1, maturity, principal, interest, ZERO)]
        rows = amortise(principal, annual_rate / 12, term_months, method)
    due_dates = [add_months(disbursement_date, k) for k in range(1, term_months)] + [maturity]
    return [
        Installment(k, due, p, i, b)
        for k, (due, (p, i, b)) in enumerate(zip(due_dates, rows, strict=True), start=1)
    ]


def amortise(
    principal: Decimal, r: Decimal, term: int, method: str
) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(principal_k, interest_k, B_k) for k = 1..T; r is the unrounded monthly rate.

    Call inside `localcontext(SPEC_CONTEXT)` (build_schedule and restructuring do).
    """
    if method == "equal_installment" and r == 0:
        method = "equal_principal"  # "equal_installment": r == 0 is as equal_principal
    regular = ZERO  # A or p; interest_first has neither
    if method == "equal_installment":
        growth = (1 + r) ** term
        regular = round_cents(principal * r * growth / (growth - 1))  # A
    elif method == "equal_principal":
        regular = round_cents(principal / term)  # p
    rows = []
    balance = principal
    for k in range(1, term + 1):
        interest = round_cents(balance * r)
        if k == term:
            # The last period clears the balance and so absorbs all rounding.
            repaid = balance
        elif method == "interest_first":
            repaid = ZERO
        elif method == "equal_installment":
            # The min matters when rounded instalments run the balance out early.
            repaid = min(regular - interest, balance)
        else:
            repaid = min(regular, balance)
        balance -= repaid
        rows.append((repaid, interest, balance))
    return rows


@dataclass(frozen=True, slots=True)
class Payment:
    paid_date: date
    amount: Decimal


@dataclass(slots=True)
class InstallmentState:
    """How far one installment is paid.

    covered_on is the paid date of the payment that completed it, None while it
    is not covered. An installment of 0.00 (e.g. the periods of a zero-rate
    interest_first loan before maturity) owes nothing, so it is covered from the
    start and its covered_on is date.min.
    """

    installment: Installment
    interest_paid: Decimal = ZERO
    principal_paid: Decimal = ZERO
    covered_on: date | None = None
    settled: bool = False  # covered by a restructuring, not by payments (Installment.settled_on)

    @property
    def interest_due_left(self) -> Decimal:
        return self.installment.interest - self.interest_paid

    @property
    def principal_due_left(self) -> Decimal:
        return self.installment.principal - self.principal_paid

    @property
    def is_covered(self) -> bool:
        return self.covered_on is not None


@dataclass(slots=True)
class Allocation:
    states: list[InstallmentState]
    credit: Decimal  # paid beyond the whole schedule: kept and reported, never lost
    total_paid: Decimal


def allocate(
    installments: Sequence[Installment],
    payments: Iterable[Payment],
    *,
    until: date | None = None,
) -> Allocation:
    """The payment waterfall, loan-math.md "Payments and days past due".

    Payments in paid-date order (stable for equal dates) go to the installments
    in due-date order, interest before principal; payments after `until` are
    ignored when it is given.

    Installments a restructuring replaced (settled_on set) take payments made
    before that date as usual; what is left of them on it is settled, so later
    payments go to the new version's installments.
    """
    # Replaced installments first, by the date they were settled, then the schedule in force.
    ordered = sorted(installments, key=lambda i: (i.settled_on or date.max, i.due_date))
    states = [InstallmentState(i, covered_on=date.min if i.payment == 0 else None) for i in ordered]
    credit = total = ZERO
    cursor = 0  # states before it are covered; the waterfall never goes back
    for payment in sorted(payments, key=lambda p: p.paid_date):
        if payment.amount < 0:
            raise ValueError(f"payment amounts must not be negative, got {payment.amount}")
        if until is not None and payment.paid_date > until:
            continue
        cursor = _settle(states, cursor, payment.paid_date)
        total += payment.amount
        left = payment.amount
        while left > 0 and cursor < len(states):
            state = states[cursor]
            if not state.is_covered:
                paid = min(left, state.interest_due_left)
                state.interest_paid += paid
                left -= paid
                paid = min(left, state.principal_due_left)
                state.principal_paid += paid
                left -= paid
                if state.interest_due_left == 0 and state.principal_due_left == 0:
                    state.covered_on = payment.paid_date
            if state.is_covered:
                cursor += 1
        credit += left
    _settle(states, cursor, date.max if until is None else until)
    return Allocation(states=states, credit=credit, total_paid=total)


def _settle(states: list[InstallmentState], cursor: int, on: date) -> int:
    """Settle the replaced installments whose settled_on is on or before `on`; the new cursor.

    Replaced installments come first in due-date order (a restructuring's new
    version is due after its effective date), so they lie at the cursor.
    """
    while cursor < len(states):
        state = states[cursor]
        if not state.is_covered:
            settled_on = state.installment.settled_on
            if settled_on is None or settled_on > on:
                break
            state.covered_on = settled_on
            state.settled = True
        cursor += 1
    return cursor


def days_past_due(allocation: Allocation, as_of: date) -> int:
    """DPD as of a date, loan-math.md "Payments and days past due".

    Works from one allocation of all payments: since the waterfall applies
    payments in date order, the installments covered by the payments made on or
    before `as_of` are exactly those with covered_on <= as_of.
    """
    for state in allocation.states:
        due = state.installment.due_date
        if due >= as_of:
            if state.installment.settled_on is not None:
                continue  # a replaced installment paid ahead; the new version's come after it
            break  # due dates only grow: nothing later is due before as_of
        if state.covered_on is None or state.covered_on > as_of:
            return (as_of - due).days
    return 0


def first_unpaid_due(allocation: Allocation) -> date | None:
    """Due date of the earliest installment not covered by all the payments."""
    for state in allocation.states:
        if not state.is_covered:
            return state.installment.due_date
    return None


def outstanding_principal(allocation: Allocation) -> Decimal:
    """Principal not yet repaid by the allocated payments (what a restructuring settled moved on)."""
    return sum((s.principal_due_left for s in allocation.states if not s.settled), ZERO)


def dpd_floor_category(dpd: int) -> str:
    """The classification floor set by days past due alone (DPD floor)."""
    if dpd <= 0:
        return "normal"
    if dpd <= 90:
        return "special_mention"
    if dpd <= 270:
        return "substandard"
    if dpd <= 360:
        return "doubtful"
    return "loss"
