"""The observation period of a restructured loan (重组观察期), classification.md: the pure rule.

From the first repayment date after the change, at least two consecutive
repayment periods and at least one year, restarting if the borrower misses a
payment. A period is kept when its installment was covered on or before its due
date; a missed one restarts the count at the next period.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from huifang.lib.dates import add_months
from huifang.portfolio.loanmath import InstallmentState

PERIODS = 2
MONTHS = 12


@dataclass(frozen=True)
class Observation:
    start: date  # the (re)started period's first due date; the first due date until one is kept
    kept: int  # consecutive periods paid on time since start
    end: date | None  # the due date it was completed on, None while it runs
    restarts: int

    def running(self, as_of: date) -> bool:
        return self.end is None or as_of < self.end


def observe(states: Sequence[InstallmentState], first_due: date, as_of: date) -> Observation:
    """The observation period as of a date, from the allocation of the loan's payments."""
    start: date | None = first_due
    kept = restarts = 0
    for state in states:
        due = state.installment.due_date
        if state.settled or due < first_due:
            continue
        if due > as_of:
            break
        on_time = state.covered_on is not None and state.covered_on <= due
        if not on_time:
            if due == as_of:
                break  # may still be paid today
            start, kept = None, 0
            restarts += 1
            continue
        if start is None:
            start = due
        kept += 1
        if kept >= PERIODS and due >= add_months(start, MONTHS):
            return Observation(start, kept, due, restarts)
    return Observation(start or first_due, kept, None, restarts)
