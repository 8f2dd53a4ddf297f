"""Restructuring arithmetic (restructuring.md): worked examples, invariants, refusals.

Pure functions: no database, no Django setup needed.

Worked example (the loan of `five_year_loan`): 120,000.00 yuan, 6% a year
(r = 0.005 a month), 60 months equal instalment, disbursed 2024-01-15, maturity
2029-01-15. Its first instalment is A = round(120000 * 0.005 * 1.005**60 /
(1.005**60 - 1)) = 2319.94 (600.00 interest + 1719.94 principal); after twelve
periods the balance B12 is 98,783.57.

- All twelve instalments paid on their due dates, effective 2025-01-20:
  O = 98,783.57, overdue interest 0.
  Step 3: the largest m with 2025-01-20 + m months <= 2029-01-15 is 47
  (2028-12-20), so N = 47 + 12 = 59, new maturity 2029-12-20.
  Periods 1..12 (2025-02-20 .. 2026-01-20): principal 0, interest
  round(98783.57 * 0.005) = round(493.91785) = 493.92, balance 98,783.57.
  Periods 13..59 amortise 98,783.57 over 47 months: 1.005**47 = 1.2641683...,
  A = round(493.91785 * 1.2641683 / 0.2641683) = round(2363.6267) = 2363.63.
  Period 13: interest 493.92, principal 2363.63 - 493.92 = 1869.71, balance
  96,913.86; period 14: interest round(96913.86 * 0.005) = round(484.5693) =
  484.57, principal 1879.06, balance 95,034.80. The last period (59, 2029-12-20)
  takes the remaining 2,351.69 with interest round(11.758) = 11.76.

- Only eleven instalments paid, effective 2025-01-20: instalment 12 (due
  2025-01-15) is unpaid, so O = B11 = 98,783.57 + 1,816.94 = 100,600.51 and
  the overdue interest is its 503.00.
  Not capitalised: 503.00 is due on the first due date as carried_interest,
  the base stays 100,600.51 (first interest-only line round(503.0026) = 503.00).
  Capitalised: the base is 101,103.51 and no interest is carried
  (first interest-only line round(505.51755) = 505.52).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from huifang.lib.dates import add_months
from huifang.portfolio.loanmath import CENT, METHODS, Payment, build_schedule
from huifang.portfolio.restructuring import outstanding_at, restructure

D0 = date(2024, 1, 15)
M0 = date(2029, 1, 15)
E = date(2025, 1, 20)


def five_year_loan():
    return build_schedule(
        principal=Decimal("120000"),
        annual_rate=Decimal("0.06"),
        term_months=60,
        disbursement_date=D0,
        method="equal_installment",
    )


def paid_on_time(schedule, count):
    return [Payment(i.due_date, i.payment) for i in schedule[:count]]


def restructure_five_year(repayments, **changes):
    schedule = five_year_loan()
    return restructure(
        schedule=schedule,
        repayments=repayments,
        disbursement=D0,
        maturity=M0,
        annual_rate=Decimal("0.06"),
        method="equal_installment",
        effective=E,
        **changes,
    )


# --- worked examples (see the module docstring) ---------------------------------------------


def test_a_year_interest_only_and_a_year_longer_after_one_year_of_five():
    # given a five-year loan paid on time for a year
    schedule = five_year_loan()
    # when it gets 12 interest-only months and 12 more months from 2025-01-20
    new = restructure_five_year(
        paid_on_time(schedule, 12), extend_months=12, interest_only_months=12
    )
    # then it runs 59 months to 2029-12-20: a year of interest, then 2363.63 a month
    assert len(new) == 59
    assert new[0].due_date == date(2025, 2, 20)
    assert new[-1].due_date == date(2029, 12, 20)
    for row in new[:12]:
        assert (row.principal, row.interest, row.balance) == (
            Decimal("0.00"),
            Decimal("493.92"),
            Decimal("98783.57"),
        )
    assert new[12][1:5] == (
        date(2026, 2, 20),
        Decimal("1869.71"),
        Decimal("493.92"),
        Decimal("96913.86"),
    )
    assert new[12].payment == Decimal("2363.63")
    assert (new[13].principal, new[13].interest, new[13].balance) == (
        Decimal("1879.06"),
        Decimal("484.57"),
        Decimal("95034.80"),
    )
    assert (new[-1].principal, new[-1].interest, new[-1].balance) == (
        Decimal("2351.69"),
        Decimal("11.76"),
        Decimal("0.00"),
    )
    assert all(row.payment == Decimal("2363.63") for row in new[12:-1])
    assert sum(row.principal for row in new) == Decimal("98783.57")


def test_outstanding_and_overdue_interest_at_the_effective_date():
    schedule = five_year_loan()
    assert outstanding_at(schedule, paid_on_time(schedule, 12), E) == (
        Decimal("98783.57"),
        Decimal("0.00"),
    )
    assert outstanding_at(schedule, paid_on_time(schedule, 11), E) == (
        Decimal("100600.51"),
        Decimal("503.00"),
    )
    # a repayment on the effective date itself is not "before E"
    late = [*paid_on_time(schedule, 11), Payment(E, Decimal("2319.94"))]
    assert outstanding_at(schedule, late, E) == (Decimal("100600.51"), Decimal("503.00"))


def test_overdue_interest_is_carried_to_the_first_due_date_when_not_capitalised():
    new = restructure_five_year(paid_on_time(five_year_loan(), 11), interest_only_months=1)
    assert new[0].carried_interest == Decimal("503.00")
    assert new[0].interest == Decimal("503.00")  # round(100600.51 * 0.005), none on the 503.00
    assert new[0].payment == Decimal("1006.00")
    assert all(row.carried_interest == 0 for row in new[1:])
    assert sum(row.principal for row in new) == Decimal("100600.51")


def test_capitalised_overdue_interest_is_added_to_the_principal():
    new = restructure_five_year(
        paid_on_time(five_year_loan(), 11),
        interest_only_months=1,
        capitalise_overdue_interest=True,
    )
    assert all(row.carried_interest == 0 for row in new)
    assert new[0].interest == Decimal("505.52")
    assert new[0].balance == Decimal("101103.51")
    assert sum(row.principal for row in new) == Decimal("101103.51")


def test_target_instalment_solves_the_smallest_term():
    # 47 months give 2363.63 (see the docstring), so a target of exactly that gives 47
    new = restructure_five_year(
        paid_on_time(five_year_loan(), 12), target_instalment=Decimal("2363.63")
    )
    assert len(new) == 47
    assert new[0].payment == Decimal("2363.63")
    # a cent less needs a longer term
    longer = restructure_five_year(
        paid_on_time(five_year_loan(), 12), target_instalment=Decimal("2363.62")
    )
    assert len(longer) == 48
    assert longer[0].payment <= Decimal("2363.62")


def test_new_rate_and_bullet_method():
    new = restructure_five_year(
        paid_on_time(five_year_loan(), 12),
        interest_only_months=2,
        new_rate=Decimal("0.12"),
        new_method="bullet",
    )
    # 2 interest-only lines at round(98783.57 * 0.01) = 987.84, then one payment on period 47
    assert [(r.period, r.interest) for r in new[:2]] == [
        (1, Decimal("987.84")),
        (2, Decimal("987.84")),
    ]
    assert new[2].period == 47
    assert new[2].due_date == date(2028, 12, 20)
    assert new[2].principal == Decimal("98783.57")
    # interest for the 45 months after G: round(98783.57 * 0.12 * 45 / 12) = 44452.6065
    assert new[2].interest == Decimal("44452.61")


def test_a_loan_past_maturity_gets_at_least_one_month():
    schedule = five_year_loan()
    new = restructure(
        schedule=schedule,
        repayments=[],
        disbursement=D0,
        maturity=M0,
        annual_rate=Decimal("0.06"),
        method="equal_installment",
        effective=date(2030, 1, 1),
    )
    assert len(new) == 1
    assert new[0].due_date == date(2030, 2, 1)
    assert new[0].principal == Decimal("120000.00")


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"effective": date(2025, 1, 15)}, "最后一次还款日"),
        ({"effective": date(2025, 1, 10)}, "最后一次还款日"),
        ({"effective": D0, "repayments": []}, "放款日"),
        ({"effective": date(2023, 1, 1), "repayments": []}, "放款日"),
        ({"new_rate": Decimal("-0.01")}, "年利率"),
        ({"new_rate": Decimal("1")}, "年利率"),
        ({"extend_months": 314}, "超过上限"),
        ({"interest_only_months": 47}, "只还息月数"),
        ({"interest_only_months": 60}, "只还息月数"),
        ({"extend_months": -1}, "展期月数"),
        ({"target_instalment": Decimal("274.40")}, "目标月供"),
        ({"target_instalment": Decimal("0")}, "目标月供"),
        ({"target_instalment": Decimal("3000"), "new_method": "bullet"}, "等额本息"),
        ({"target_instalment": Decimal("3000"), "extend_months": 3}, "展期月数"),
        ({"target_instalment": Decimal("600"), "interest_only_months": 200}, "超过上限"),
        ({"new_method": "balloon"}, "还款方式"),
    ],
)
def test_refusals(changes, message):
    schedule = five_year_loan()
    args = {
        "schedule": schedule,
        "repayments": paid_on_time(schedule, 12),
        "disbursement": D0,
        "maturity": M0,
        "annual_rate": Decimal("0.06"),
        "method": "equal_installment",
        "effective": E,
    }
    with pytest.raises(ValueError, match=message):
        restructure(**(args | changes))


def test_a_fully_repaid_loan_is_refused():
    with pytest.raises(ValueError, match="无未还本金"):
        restructure_five_year([Payment(date(2024, 6, 1), Decimal("200000"))])


# --- invariants (hypothesis) -------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=10_000_000_000).map(lambda n: Decimal(n) * CENT)
rates = st.integers(min_value=0, max_value=999_999).map(lambda n: Decimal(n).scaleb(-6))


@st.composite
def cases(draw):
    term = draw(st.integers(min_value=1, max_value=120))
    method = draw(st.sampled_from(METHODS))
    disbursement = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    rate = draw(rates)
    schedule = build_schedule(
        principal=draw(cents),
        annual_rate=rate,
        term_months=term,
        disbursement_date=disbursement,
        method=method,
    )
    days = draw(st.lists(st.integers(min_value=1, max_value=term * 31 + 60), max_size=8))
    small = st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n) * CENT)
    amounts = draw(st.lists(small, min_size=len(days), max_size=len(days)))
    repayments = [
        Payment(disbursement + timedelta(days=d), a) for d, a in zip(days, amounts, strict=True)
    ]
    last = max((p.paid_date for p in repayments), default=disbursement)
    effective = last + timedelta(days=draw(st.integers(min_value=1, max_value=400)))
    new_method = draw(st.sampled_from((None, *METHODS)))
    target = None
    if (new_method or method) == "equal_installment" and draw(st.booleans()):
        target = draw(cents)
    return {
        "schedule": schedule,
        "repayments": repayments,
        "disbursement": disbursement,
        "maturity": schedule[-1].due_date,
        "annual_rate": rate,
        "method": method,
        "effective": effective,
        "extend_months": 0 if target else draw(st.integers(min_value=0, max_value=60)),
        "interest_only_months": draw(st.integers(min_value=0, max_value=24)),
        "new_rate": draw(st.none() | rates),
        "new_method": new_method,
        "capitalise_overdue_interest": draw(st.booleans()),
        "target_instalment": target,
    }


@settings(max_examples=300, deadline=None)
@given(cases())
def test_invariants(case):
    before = list(case["schedule"])
    outstanding, overdue = outstanding_at(case["schedule"], case["repayments"], case["effective"])
    try:
        new = restructure(**case)
    except ValueError:
        assume(False)
    base = outstanding + (overdue if case["capitalise_overdue_interest"] else 0)
    # the principals add up to O (plus capitalised interest) exactly
    assert sum(row.principal for row in new) == base
    assert all(row.balance >= 0 for row in new)
    assert new[-1].balance == 0
    assert all(row.due_date == add_months(case["effective"], row.period) for row in new)
    assert [row.period for row in new] == sorted({row.period for row in new})
    assert all(row.principal >= 0 and row.interest >= 0 for row in new)
    carried = sum(row.carried_interest for row in new)
    assert carried == (0 if case["capitalise_overdue_interest"] else overdue)
    assert all(row.carried_interest == 0 for row in new[1:])
    # the old schedule is unchanged
    assert case["schedule"] == before
