"""Invariants of loan-math.md checked on random loans and payments (hypothesis)."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from huifang.lib.dates import add_months
from huifang.portfolio.loanmath import (
    CENT,
    METHODS,
    Installment,
    Payment,
    allocate,
    build_schedule,
    days_past_due,
    first_unpaid_due,
    outstanding_principal,
)

cents = st.integers(min_value=1, max_value=100_000_000_000).map(lambda n: Decimal(n) * CENT)
rates = st.integers(min_value=0, max_value=999_999).map(lambda n: Decimal(n).scaleb(-6))
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@st.composite
def loans(draw, max_term: int = 360) -> list[Installment]:
    term = draw(st.integers(min_value=1, max_value=max_term))
    start = draw(dates)
    # Sometimes a contract maturity other than add_months(D, T), after period T-1's due date.
    shift = draw(st.none() | st.integers(min_value=1, max_value=60))
    maturity = None if shift is None else add_months(start, term - 1) + timedelta(days=shift)
    return build_schedule(
        principal=draw(cents),
        annual_rate=draw(rates),
        term_months=term,
        disbursement_date=start,
        maturity_date=maturity,
        method=draw(st.sampled_from(METHODS)),
    )


@PROPERTY_SETTINGS
@given(
    principal=cents,
    rate=rates,
    term=st.integers(min_value=1, max_value=360),
    start=dates,
    method=st.sampled_from(METHODS),
)
def test_schedule_invariants(principal, rate, term, start, method):
    got = build_schedule(
        principal=principal,
        annual_rate=rate,
        term_months=term,
        disbursement_date=start,
        method=method,
    )

    assert len(got) == (1 if method == "bullet" else term)
    assert [i.period for i in got] == list(range(1, len(got) + 1))
    assert sum(i.principal for i in got) == principal
    assert got[-1].balance == 0
    assert got[-1].due_date == add_months(start, term)
    balance = principal
    for i in got:
        assert i.balance == balance - i.principal
        balance = i.balance
        assert i.balance >= 0 and i.principal >= 0 and i.interest >= 0
        for amount in (i.principal, i.interest, i.balance, i.payment):
            assert amount.as_tuple().exponent == -2
    previous = start
    for i in got:
        assert i.due_date > previous
        previous = i.due_date


def paid_through(installments: list[Installment], payments: list[Payment], as_of: date) -> int:
    """DPD computed from scratch, without the waterfall's bookkeeping.

    The waterfall fills installments in due-date order, so installment k is covered
    by the payments up to A exactly when they add up to at least the first k payments.
    """
    paid = sum((p.amount for p in payments if p.paid_date <= as_of), Decimal(0))
    owed = Decimal(0)
    for i in installments:
        owed += i.payment
        if i.due_date < as_of and paid < owed:
            return (as_of - i.due_date).days
    return 0


@st.composite
def loans_with_payments(draw):
    installments = draw(loans(max_term=60))
    start = installments[0].due_date - timedelta(days=40)
    end = installments[-1].due_date + timedelta(days=90)
    largest = max(int(i.payment / CENT) for i in installments)
    random_payment = st.builds(
        Payment,
        st.dates(min_value=start, max_value=end),
        st.integers(min_value=0, max_value=2 * largest + 2).map(lambda n: Decimal(n) * CENT),
    )
    # Exact instalments paid around their due dates: the case where ties and
    # "covered on the due date" matter.
    on_time_payments = [
        Payment(i.due_date + timedelta(days=draw(st.integers(-5, 20))), i.payment)
        for i in installments
        if draw(st.booleans())
    ]
    payments = draw(st.lists(random_payment, max_size=15)) + on_time_payments
    payments = draw(st.permutations(payments))
    as_ofs = draw(st.lists(st.dates(min_value=start, max_value=end), min_size=1, max_size=10))
    # The boundaries: due dates and paid dates themselves, and the day after.
    as_ofs += [i.due_date + timedelta(days=d) for i in installments[:3] for d in (0, 1)]
    as_ofs += [p.paid_date for p in payments[:5]]
    return installments, payments, as_ofs


@PROPERTY_SETTINGS
@given(loans_with_payments())
def test_allocation_invariants(case):
    installments, payments, _ = case

    allocation = allocate(installments, payments)

    total = sum((p.amount for p in payments), Decimal(0))
    assert allocation.total_paid == total
    applied = sum(s.interest_paid + s.principal_paid for s in allocation.states)
    assert applied + allocation.credit == total
    assert allocation.credit >= 0
    for s in allocation.states:
        assert 0 <= s.interest_paid <= s.installment.interest
        assert 0 <= s.principal_paid <= s.installment.principal
        assert s.is_covered == (s.interest_due_left == 0 and s.principal_due_left == 0)
    # Installments that owe something are covered in due-date order: a prefix, covered
    # on non-decreasing dates; those that owe nothing are covered from the start.
    owing = [s for s in allocation.states if s.installment.payment > 0]
    covered = [s.is_covered for s in owing]
    assert covered == sorted(covered, reverse=True)
    covered_on = [s.covered_on for s in owing if s.covered_on is not None]
    assert covered_on == sorted(covered_on)
    assert all(s.covered_on == date.min for s in allocation.states if s.installment.payment == 0)
    if allocation.credit > 0:
        assert all(covered)
    assert outstanding_principal(allocation) == sum(
        (s.installment.principal - s.principal_paid for s in allocation.states), Decimal(0)
    )
    first_owing = next((s for s in owing if not s.is_covered), None)
    assert first_unpaid_due(allocation) == (first_owing and first_owing.installment.due_date)


@PROPERTY_SETTINGS
@given(loans_with_payments())
def test_dpd_from_one_allocation_equals_the_definition(case):
    installments, payments, as_ofs = case

    allocation = allocate(installments, payments)

    for as_of in as_ofs:
        naive = allocate(installments, payments, until=as_of)
        expected = days_past_due(naive, as_of)
        assert days_past_due(allocation, as_of) == expected
        assert paid_through(installments, payments, as_of) == expected
