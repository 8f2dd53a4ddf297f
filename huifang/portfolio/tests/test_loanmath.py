"""Schedules, the waterfall and DPD (loan-math.md) against fixed, hand-checked numbers.

Pure functions: no database, no Django setup needed.
"""

import csv
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy_financial as npf
import pytest

from huifang.portfolio.loanmath import (
    METHODS,
    Installment,
    Payment,
    allocate,
    build_schedule,
    days_past_due,
    dpd_floor_category,
    first_unpaid_due,
    outstanding_principal,
    round_cents,
)

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
SAMPLE_AS_OF = date(2026, 6, 30)


# --- reading the sample portfolio ---------------------------------------------------------


def parse_rate(text: str) -> Decimal:
    """interfaces.md: a decimal fraction "0.0435" or a percent "4.35%"."""
    text = text.strip()
    if text.endswith("%"):
        return Decimal(text[:-1]) / 100
    return Decimal(text)


def parse_date(text: str) -> date:
    """interfaces.md: YYYY-MM-DD, YYYY/MM/DD or YYYY/M/D."""
    year, month, day = text.strip().replace("/", "-").split("-")
    return date(int(year), int(month), int(day))


def read_csv(name: str) -> list[dict[str, str]]:
    with open(SAMPLES / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def sample_schedules() -> dict[str, list[Installment]]:
    schedules = {}
    for row in read_csv("loans_en.csv"):
        maturity = row["maturity_date"].strip()
        schedules[row["loan_no"]] = build_schedule(
            principal=Decimal(row["principal"]),
            annual_rate=parse_rate(row["annual_rate"]),
            term_months=int(row["term_months"]),
            disbursement_date=parse_date(row["disbursement_date"]),
            maturity_date=parse_date(maturity) if maturity else None,
            method=row["repayment_method"],
        )
    return schedules


SCHEDULES = sample_schedules()
EXPECTED_SCHEDULE = read_csv("expected_schedule.csv")
EXPECTED_DPD = read_csv("expected_dpd_2026-06-30.csv")


def sample_payments() -> dict[str, list[Payment]]:
    payments: dict[str, list[Payment]] = {}
    for row in read_csv("repayments.csv"):
        payments.setdefault(row["loan_no"], []).append(
            Payment(parse_date(row["paid_date"]), Decimal(row["amount"]))
        )
    return payments


PAYMENTS = sample_payments()


def test_parse_rate_accepts_fraction_and_percent():
    assert parse_rate("0.0435") == parse_rate("4.35%") == Decimal("0.0435")


def test_parse_date_accepts_both_forms():
    assert parse_date("2024/2/9") == parse_date("2024-02-09") == date(2024, 2, 9)


def test_samples_cover_every_loan_and_method():
    assert len(SCHEDULES) == 40
    assert {row["loan_no"] for row in EXPECTED_SCHEDULE} == set(SCHEDULES)
    methods = {row["repayment_method"] for row in read_csv("loans_en.csv")}
    assert methods == set(METHODS)


@pytest.mark.parametrize("loan_no", sorted(SCHEDULES))
def test_sample_schedule_matches_expected(loan_no):
    expected = [row for row in EXPECTED_SCHEDULE if row["loan_no"] == loan_no]
    got = [
        {
            "loan_no": loan_no,
            "period": str(i.period),
            "due_date": i.due_date.isoformat(),
            "principal": f"{i.principal:.2f}",
            "interest": f"{i.interest:.2f}",
            "payment": f"{i.payment:.2f}",
            "balance": f"{i.balance:.2f}",
        }
        for i in SCHEDULES[loan_no]
    ]
    assert got == expected


@pytest.mark.parametrize("row", EXPECTED_DPD, ids=lambda row: row["loan_no"])
def test_sample_dpd_matches_expected(row):
    as_of = parse_date(row["as_of"])
    assert as_of == SAMPLE_AS_OF
    allocation = allocate(SCHEDULES[row["loan_no"]], PAYMENTS.get(row["loan_no"], []))

    dpd = days_past_due(allocation, as_of)

    assert dpd == int(row["dpd"])
    assert dpd_floor_category(dpd) == row["category"]
    # The one-pass DPD agrees with allocating only the payments made up to the date.
    naive = allocate(SCHEDULES[row["loan_no"]], PAYMENTS.get(row["loan_no"], []), until=as_of)
    assert days_past_due(naive, as_of) == dpd


# --- schedules: hand-checked edge cases ---------------------------------------------------


def schedule(principal="10000.00", rate="0.12", term=3, start=date(2024, 1, 31), **kw):
    return build_schedule(
        principal=Decimal(principal),
        annual_rate=Decimal(rate),
        term_months=term,
        disbursement_date=start,
        method=kw.pop("method", "equal_principal"),
        **kw,
    )


def rows(installments):
    """(principal, interest, balance) as strings, for compact expectations."""
    return [(str(i.principal), str(i.interest), str(i.balance)) for i in installments]


def test_round_cents_rounds_half_up():
    assert round_cents(Decimal("0.005")) == Decimal("0.01")
    assert round_cents(Decimal("0.015")) == Decimal("0.02")
    assert round_cents(Decimal("0.0049999")) == Decimal("0.00")
    assert round_cents(Decimal("2.675")) == Decimal("2.68")


def test_month_end_disbursement_clamps_each_due_date_from_d():
    dues = [i.due_date for i in schedule(term=4, start=date(2024, 1, 31))]
    # Computed from D every time: after Feb 29 comes Mar 31, not Mar 29.
    assert dues == [date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31)]
    dues = [i.due_date for i in schedule(term=2, start=date(2025, 1, 31))]
    assert dues == [date(2025, 2, 28), date(2025, 3, 31)]


def test_feb_29_disbursement_over_twelve_months():
    dues = [i.due_date for i in schedule(term=12, start=date(2024, 2, 29))]
    # The 29th exists in every month until February 2025, which has only 28 days.
    assert dues == [date(2024, m, 29) for m in range(3, 13)] + [
        date(2025, 1, 29),
        date(2025, 2, 28),
    ]


def test_equal_principal_hand_checked():
    # p = round(10000 / 3) = 3333.33; interest = round(B * 0.01)
    assert rows(schedule()) == [
        ("3333.33", "100.00", "6666.67"),
        ("3333.33", "66.67", "3333.34"),
        ("3333.34", "33.33", "0.00"),
    ]


def test_equal_installment_hand_checked():
    # A = round(10000 * 0.01 * 1.01**3 / (1.01**3 - 1)) = round(3400.2211...) = 3400.22
    got = schedule(method="equal_installment")
    assert rows(got) == [
        ("3300.22", "100.00", "6699.78"),
        ("3333.22", "67.00", "3366.56"),
        ("3366.56", "33.67", "0.00"),
    ]
    assert [str(i.payment) for i in got] == ["3400.22", "3400.22", "3400.23"]


def test_interest_first_and_bullet_hand_checked():
    assert rows(schedule(method="interest_first")) == [
        ("0.00", "100.00", "10000.00"),
        ("0.00", "100.00", "10000.00"),
        ("10000.00", "100.00", "0.00"),
    ]
    # bullet: round(10000 * 0.12 * 3 / 12) = 300.00, one period due on M.
    (only,) = schedule(method="bullet")
    assert only == Installment(
        1, date(2024, 4, 30), Decimal("10000.00"), Decimal("300.00"), Decimal("0.00")
    )


@pytest.mark.parametrize("method", METHODS)
def test_zero_rate(method):
    got = schedule(principal="1000.00", rate="0", method=method)
    assert all(i.interest == 0 for i in got)
    expected = {
        # equal_installment at r == 0 is as equal_principal: p = round(1000 / 3)
        "equal_installment": ["333.33", "333.33", "333.34"],
        "equal_principal": ["333.33", "333.33", "333.34"],
        "interest_first": ["0.00", "0.00", "1000.00"],
        "bullet": ["1000.00"],
    }[method]
    assert [str(i.principal) for i in got] == expected


@pytest.mark.parametrize("method", METHODS)
def test_one_month_term(method):
    # Every method degenerates to one period: principal P, interest round(P * R / 12).
    (only,) = schedule(term=1, method=method)
    assert only == Installment(
        1, date(2024, 2, 29), Decimal("10000.00"), Decimal("100.00"), Decimal("0.00")
    )


@pytest.mark.parametrize("method", METHODS)
def test_360_month_term(method):
    got = schedule(
        principal="100000.00", rate="0.06", term=360, method=method, start=date(2024, 1, 15)
    )
    assert got[-1].due_date == date(2054, 1, 15)
    assert got[-1].balance == 0
    assert sum(i.principal for i in got) == Decimal("100000.00")
    if method == "bullet":
        # round(100000 * 0.06 * 360 / 12) = 180000.00
        assert rows(got) == [("100000.00", "180000.00", "0.00")]
        return
    assert len(got) == 360
    assert got[0].due_date == date(2024, 2, 15) and got[-2].due_date == date(2053, 12, 15)
    assert got[0].interest == Decimal("500.00")  # round(100000 * 0.005)
    if method == "equal_installment":
        # The textbook 30-year 6% payment on 100,000 is 599.55.
        assert got[0].payment == Decimal("599.55")
        assert got[0].principal == Decimal("99.55")
        assert all(i.payment == Decimal("599.55") for i in got[:-1])
        assert abs(got[-1].payment - Decimal("599.55")) < Decimal("1.00")
    elif method == "equal_principal":
        # p = round(100000 / 360) = 277.78; the last takes 100000 - 359 * 277.78 = 276.98
        assert all(i.principal == Decimal("277.78") for i in got[:-1])
        assert got[-1].principal == Decimal("276.98")
        assert got[-1].interest == Decimal("1.38")  # round(276.98 * 0.005 = 1.3849)
    else:
        assert all(i.interest == Decimal("500.00") for i in got)
        assert got[-1].principal == Decimal("100000.00")


@pytest.mark.parametrize("method", METHODS)
def test_amounts_always_carry_two_decimals(method):
    # A principal read as "41100" (SAMPLE-025) still yields 41100.00 in every row.
    for i in schedule(principal="41100", rate="0.1", term=3, method=method):
        for amount in (i.principal, i.interest, i.payment, i.balance):
            assert amount.as_tuple().exponent == -2


def test_explicit_maturity_moves_only_the_last_due_date():
    got = schedule(term=3, start=date(2024, 1, 10), maturity_date=date(2024, 4, 20))
    assert [i.due_date for i in got] == [date(2024, 2, 10), date(2024, 3, 10), date(2024, 4, 20)]
    # Interest is by months, not by days: the longer last period changes nothing.
    assert rows(got) == rows(schedule(term=3, start=date(2024, 1, 10)))
    (only,) = schedule(
        term=3, start=date(2024, 1, 10), maturity_date=date(2024, 4, 20), method="bullet"
    )
    assert only.due_date == date(2024, 4, 20) and only.interest == Decimal("300.00")


def test_tiny_principal_one_cent():
    for method in ("equal_installment", "equal_principal", "interest_first"):
        got = schedule(principal="0.01", rate="0.99", term=360, method=method)
        # round(0.01 * 0.0825) = 0.00: nothing is owed until the cent at maturity.
        assert all(i.payment == 0 for i in got[:-1])
        assert rows(got[-1:]) == [("0.01", "0.00", "0.00")]
    (only,) = schedule(principal="0.01", rate="0.99", term=360, method="bullet")
    assert only.interest == Decimal("0.30")  # round(0.01 * 0.99 * 30 = 0.297)


def test_min_rule_runs_the_balance_out_early_equal_installment():
    # r = 0.0825; A = round(0.05 * r * 1.0825**4 / (1.0825**4 - 1)) = round(0.0152) = 0.02;
    # interest rounds to 0.00 throughout, so A repays 0.02, 0.02, then only the 0.01 left.
    got = schedule(principal="0.05", rate="0.99", term=4, method="equal_installment")
    assert rows(got) == [
        ("0.02", "0.00", "0.03"),
        ("0.02", "0.00", "0.01"),
        ("0.01", "0.00", "0.00"),
        ("0.00", "0.00", "0.00"),
    ]


def test_min_rule_over_360_months():
    # r = 0.2399 / 12; A = round(0.25 * r / (1 - (1 + r)**-360)) = round(0.0050019) = 0.01
    # and interest = round(B * r) = 0.00 for every B <= 0.25: 0.01 a month for 25 months.
    got = schedule(
        principal="0.25",
        rate="0.2399",
        term=360,
        method="equal_installment",
        start=date(2024, 1, 15),
    )
    assert all(i.principal == Decimal("0.01") and i.interest == 0 for i in got[:25])
    assert got[24].balance == 0 and got[24].due_date == date(2026, 2, 15)
    assert all(i.payment == 0 for i in got[25:])


def test_min_rule_equal_principal():
    # p = round(0.10 / 6) = 0.02 runs the balance out after five periods.
    got = schedule(principal="0.10", rate="0.12", term=6)
    assert [str(i.principal) for i in got] == ["0.02"] * 5 + ["0.00"]
    got = schedule(principal="1.00", rate="0", term=120)
    assert [i.principal for i in got] == [Decimal("0.01")] * 100 + [Decimal("0.00")] * 20


def test_instalment_equal_to_interest_repays_nothing_until_maturity():
    # A = round(1.00 * 0.0825 / (1 - 1.0825**-360)) = 0.08 = round(1.00 * 0.0825)
    got = schedule(principal="1.00", rate="0.99", term=360, method="equal_installment")
    assert all(i.principal == 0 and i.interest == Decimal("0.08") for i in got[:-1])
    assert rows(got[-1:]) == [("1.00", "0.08", "0.00")]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"principal": Decimal("0")}, "principal must be positive"),
        ({"principal": Decimal("-5.00")}, "principal must be positive"),
        ({"principal": Decimal("1.005")}, "whole number of cents"),
        ({"annual_rate": Decimal("-0.01")}, "annual_rate"),
        ({"annual_rate": Decimal("1")}, "annual_rate"),
        ({"term_months": 0}, "term_months"),
        ({"term_months": 361}, "term_months"),
        ({"method": "balloon"}, "unknown repayment method"),
        ({"maturity_date": date(2024, 1, 31)}, "must be after disbursement"),
        ({"maturity_date": date(2023, 12, 31)}, "must be after disbursement"),
        # Period 2 is due on 2024-03-31: a maturity on or before it would reorder due dates.
        ({"maturity_date": date(2024, 3, 31)}, "must be after period 2"),
    ],
)
def test_invalid_input_is_refused(changes, message):
    arguments = {
        "principal": Decimal("1000.00"),
        "annual_rate": Decimal("0.12"),
        "term_months": 3,
        "disbursement_date": date(2024, 1, 31),
        "method": "equal_installment",
    } | changes
    with pytest.raises(ValueError, match=message):
        build_schedule(**arguments)


def test_float_money_is_refused():
    with pytest.raises(TypeError):
        build_schedule(
            principal=Decimal("1000.00"),
            annual_rate=0.12,
            term_months=3,
            disbursement_date=date(2024, 1, 1),
            method="bullet",
        )


def test_equal_installment_matches_numpy_financial_pmt():
    rng = random.Random(20240131)
    for _ in range(500):
        principal = Decimal(rng.randint(1, 10**11)) / 100
        rate = Decimal(rng.randint(1, 999_999)) / 10**6
        term = rng.randint(2, 360)
        got = build_schedule(
            principal=principal,
            annual_rate=rate,
            term_months=term,
            disbursement_date=date(2024, 1, 1),
            method="equal_installment",
        )
        # For T >= 2 the first payment is A itself (A - interest_1 < P).
        instalment = got[0].payment
        # numpy works in binary floats: good enough as an independent oracle to a cent.
        oracle = -float(npf.pmt(float(rate) / 12, term, float(principal)))
        expected = round_cents(Decimal(repr(oracle)))
        assert abs(instalment - expected) <= Decimal("0.01"), (principal, rate, term)


# --- the waterfall and DPD ----------------------------------------------------------------


@pytest.fixture
def three_months():
    # payments 3400.22, 3400.22, 3400.23 due 2024-02-29, 2024-03-31, 2024-04-30
    return schedule(method="equal_installment")


def test_payment_goes_to_interest_before_principal(three_months):
    allocation = allocate(three_months, [Payment(date(2024, 2, 29), Decimal("150.00"))])
    first = allocation.states[0]
    assert (first.interest_paid, first.principal_paid) == (Decimal("100.00"), Decimal("50.00"))
    assert first.interest_due_left == 0 and first.principal_due_left == Decimal("3250.22")
    assert not first.is_covered and first.covered_on is None
    assert outstanding_principal(allocation) == Decimal("9950.00")


def test_covered_on_is_the_date_of_the_completing_payment(three_months):
    payments = [
        # Given out of order: the waterfall sorts by paid date.
        Payment(date(2024, 3, 5), Decimal("3400.22")),
        Payment(date(2024, 2, 20), Decimal("3000.00")),
    ]
    allocation = allocate(three_months, payments)
    assert [s.covered_on for s in allocation.states] == [date(2024, 3, 5), None, None]
    assert allocation.states[1].interest_paid == Decimal("67.00")
    assert allocation.states[1].principal_paid == Decimal("2933.00")
    assert allocation.total_paid == Decimal("6400.22") and allocation.credit == 0
    assert first_unpaid_due(allocation) == date(2024, 3, 31)


def test_overpayment_is_kept_as_credit(three_months):
    allocation = allocate(three_months, [Payment(date(2024, 2, 1), Decimal("10300.00"))])
    assert all(s.covered_on == date(2024, 2, 1) for s in allocation.states)
    assert allocation.credit == Decimal("10300.00") - Decimal("10200.67")
    assert outstanding_principal(allocation) == 0
    assert first_unpaid_due(allocation) is None
    assert days_past_due(allocation, date(2030, 1, 1)) == 0


def test_until_ignores_later_payments(three_months):
    payments = [
        Payment(date(2024, 2, 29), Decimal("3400.22")),
        Payment(date(2024, 3, 1), Decimal("3400.22")),
    ]
    allocation = allocate(three_months, payments, until=date(2024, 2, 29))
    assert allocation.total_paid == Decimal("3400.22")
    assert [s.is_covered for s in allocation.states] == [True, False, False]


def test_negative_payment_is_refused(three_months):
    with pytest.raises(ValueError, match="negative"):
        allocate(three_months, [Payment(date(2024, 2, 1), Decimal("-1.00"))])


def test_zero_installments_are_covered_from_the_start():
    got = schedule(principal="1000.00", rate="0", term=3, method="interest_first")
    allocation = allocate(got, [])
    assert [s.covered_on for s in allocation.states] == [date.min, date.min, None]
    # Nothing is owed before maturity, so nothing is past due before it.
    assert days_past_due(allocation, date(2024, 4, 30)) == 0
    assert days_past_due(allocation, date(2024, 5, 1)) == 1
    assert first_unpaid_due(allocation) == date(2024, 4, 30)


def test_dpd_counts_from_the_earliest_uncovered_installment(three_months):
    late = [Payment(date(2024, 3, 10), Decimal("3400.22"))]
    allocation = allocate(three_months, late)
    # Due "before A": nothing is past due on the due date itself.
    assert days_past_due(allocation, date(2024, 2, 29)) == 0
    assert days_past_due(allocation, date(2024, 3, 1)) == 1
    assert days_past_due(allocation, date(2024, 3, 9)) == 9
    # A payment made on A counts as made on or before A.
    assert days_past_due(allocation, date(2024, 3, 10)) == 0
    assert days_past_due(allocation, date(2024, 4, 1)) == 1  # now the March installment
    assert days_past_due(allocation, date(2024, 5, 1)) == 31  # still March: the earliest
    assert days_past_due(allocation, date(2023, 12, 31)) == 0


def test_partial_payment_leaves_the_installment_past_due(three_months):
    allocation = allocate(three_months, [Payment(date(2024, 2, 29), Decimal("3400.21"))])
    assert days_past_due(allocation, date(2024, 3, 15)) == 15


@pytest.mark.parametrize(
    ("dpd", "category"),
    [
        (0, "normal"),
        (1, "special_mention"),
        (90, "special_mention"),
        (91, "substandard"),
        (270, "substandard"),
        (271, "doubtful"),
        (360, "doubtful"),
        (361, "loss"),
        (5000, "loss"),
    ],
)
def test_dpd_floor_category(dpd, category):
    assert dpd_floor_category(dpd) == category
