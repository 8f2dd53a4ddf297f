"""What repayment behaviour says about a loan as of a date: pure, on loanmath's allocation.

- days past due (loan-math.md, through loanmath.days_past_due);
- a partial payment: the earliest instalment due before the date is partly paid;
- a worsening trend: the last TREND_PERIODS instalments due were each settled
  later than the one before (or are still unpaid), the latest at least a day late.
"""

from dataclasses import dataclass
from datetime import date

from huifang.portfolio import loanmath

TREND_PERIODS = 3


@dataclass(frozen=True)
class Behaviour:
    dpd: int
    partial_payment: bool
    worsening: bool
    lateness: tuple[int, ...]  # days late of the last instalments due, oldest first


def _days_late(state: loanmath.InstallmentState, as_of: date) -> int:
    due = state.installment.due_date
    settled = state.covered_on if state.covered_on and state.covered_on <= as_of else None
    return max(0, ((settled or as_of) - due).days)


def behaviour(allocation: loanmath.Allocation, as_of: date) -> Behaviour:
    dpd = loanmath.days_past_due(allocation, as_of)
    due = [s for s in allocation.states if s.installment.due_date < as_of]
    partial = False
    for state in due:
        if state.covered_on is None or state.covered_on > as_of:
            # Paid amounts are those of all recorded payments; exact for as_of on or after the last.
            partial = state.interest_paid + state.principal_paid > 0
            break
    lateness = tuple(_days_late(s, as_of) for s in due[-TREND_PERIODS:])
    worsening = (
        len(lateness) == TREND_PERIODS
        and lateness[-1] > 0
        and all(a < b for a, b in zip(lateness, lateness[1:], strict=False))
    )
    return Behaviour(dpd=dpd, partial_payment=partial, worsening=worsening, lateness=lateness)
