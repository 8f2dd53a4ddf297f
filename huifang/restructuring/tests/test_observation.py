"""The observation period rule (classification.md), on plain allocations."""

from datetime import date
from decimal import Decimal

from huifang.lib.dates import add_months
from huifang.portfolio import loanmath
from huifang.restructuring.observation import observe

F = date(2026, 3, 1)


def _states(paid_late: dict[int, int], periods: int = 24):
    """Monthly 1,000.00 instalments from F; each paid on its due date, or so many days late."""
    schedule = [
        loanmath.Installment(k, add_months(F, k - 1), Decimal("900"), Decimal("100"), Decimal(0))
        for k in range(1, periods + 1)
    ]
    payments = [
        loanmath.Payment(
            paid_date=i.due_date
            if i.period not in paid_late
            else add_months(i.due_date, 0).fromordinal(
                i.due_date.toordinal() + paid_late[i.period]
            ),
            amount=Decimal("1000"),
        )
        for i in schedule
    ]
    return loanmath.allocate(schedule, payments).states


def test_a_year_and_two_periods_on_time_end_it():
    states = _states({})
    assert observe(states, F, add_months(F, 12) - date.resolution).running(add_months(F, 11))
    done = observe(states, F, add_months(F, 12))
    assert done.end == add_months(F, 12) and done.kept == 13 and not done.running(add_months(F, 12))


def test_a_missed_payment_restarts_it():
    states = _states({4: 10})  # period 4 paid ten days late
    as_of = add_months(F, 13)
    observation = observe(states, F, as_of)
    assert observation.restarts == 1 and observation.start == add_months(F, 4)
    assert observation.running(as_of)
    assert observe(states, F, add_months(F, 16)).end == add_months(F, 16)


def test_nothing_due_yet_is_running():
    observation = observe(_states({}), F, date(2026, 2, 15))
    assert observation.running(date(2026, 2, 15)) and observation.kept == 0
