"""What repayment behaviour says: days past due, partial payments, a worsening trend."""

from datetime import date, timedelta
from decimal import Decimal

from huifang.portfolio import loanmath
from huifang.risk.behaviour import behaviour

SCHEDULE = loanmath.build_schedule(
    principal=Decimal("12000.00"),
    annual_rate=Decimal("0"),
    term_months=12,
    disbursement_date=date(2025, 1, 15),
    method="equal_principal",
)  # 1,000.00 due on the 15th of each month from 2025-02-15


def pay(*payments: tuple[date, str]) -> loanmath.Allocation:
    return loanmath.allocate(
        SCHEDULE, [loanmath.Payment(paid_date=d, amount=Decimal(a)) for d, a in payments]
    )


def test_nothing_paid_fifteen_days_after_the_first_due_date():
    seen = behaviour(pay(), date(2025, 3, 2))
    assert (seen.dpd, seen.partial_payment, seen.worsening) == (15, False, False)


def test_a_partial_payment_of_the_earliest_unpaid_instalment():
    seen = behaviour(pay((date(2025, 2, 20), "400.00")), date(2025, 3, 2))
    assert seen.dpd == 15 and seen.partial_payment


def test_paid_on_time_is_neither_overdue_nor_partial():
    seen = behaviour(pay((date(2025, 2, 15), "1000.00")), date(2025, 3, 2))
    assert (seen.dpd, seen.partial_payment, seen.worsening) == (0, False, False)


def test_each_instalment_paid_later_than_the_last_is_a_worsening_trend():
    due = [s.due_date for s in SCHEDULE[:3]]
    allocation = pay(
        (due[0] + timedelta(days=2), "1000.00"),
        (due[1] + timedelta(days=6), "1000.00"),
        (due[2] + timedelta(days=12), "1000.00"),
    )
    seen = behaviour(allocation, date(2025, 5, 1))
    assert seen.lateness == (2, 6, 12) and seen.worsening and seen.dpd == 0


def test_late_but_improving_is_not_a_worsening_trend():
    due = [s.due_date for s in SCHEDULE[:3]]
    allocation = pay(
        (due[0] + timedelta(days=12), "1000.00"),
        (due[1] + timedelta(days=6), "1000.00"),
        (due[2] + timedelta(days=2), "1000.00"),
    )
    assert not behaviour(allocation, date(2025, 5, 1)).worsening
