"""Follow-up planning of one loan, date by date as followup-policy.md defines it.

Every expected date below was worked out by hand from the spec and the 2024-2026
State Council holiday notices; the comments show the working.
"""

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from huifang.followups.calendar import WorkingCalendar
from huifang.followups.planning import PlannedVisit, plan_from_as_of, plan_loan
from huifang.followups.policy import (
    BORROWER,
    DEFAULT_POLICY,
    DISBURSEMENT,
    GUARANTOR,
    HIGH,
    LOW,
    MEDIUM,
    SHORT,
    Candidate,
    Policy,
    Rule,
    select,
)
from huifang.lib.dates import add_months

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
CALENDAR = WorkingCalendar()


@pytest.fixture(autouse=True)
def _fixed_data_key():
    # Overrides the suite's fixture of that name, which needs Django: these tests are pure.
    return None


def plan(
    d: date,
    m: date,
    term: int,
    risk: str | None = MEDIUM,
    borrower_type: str = "individual",
    guarantors=(),
    calendar: WorkingCalendar = CALENDAR,
    policy: Policy = DEFAULT_POLICY,
    as_of: date | None = None,
) -> list[PlannedVisit]:
    return plan_loan(
        disbursement_date=d,
        maturity_date=m,
        term_months=term,
        risk_level=risk,
        borrower_type=borrower_type,
        guarantor_ids=guarantors,
        calendar=calendar,
        policy=policy,
        as_of=as_of,
    )


def borrower_dates(visits: list[PlannedVisit]) -> list[tuple[str, date]]:
    return [(v.kind, v.due_date) for v in visits if v.subject_role == BORROWER]


# -- the spec's worked example ---------------------------------------------------


def test_the_worked_example():
    # D = 2025-01-31, T = 12, M = 2026-01-31, medium risk, short-term.
    visits = plan(date(2025, 1, 31), date(2026, 1, 31), 12, MEDIUM)

    assert visits == [
        # 2025-03-02 is a Sunday.
        PlannedVisit(BORROWER, None, "first", date(2025, 3, 3), "phone"),
        # 2025-05-01 Labour Day; rest until 05-05.
        PlannedVisit(BORROWER, None, "d90", date(2025, 5, 6), "phone"),
        # 2026-01-01 New Year's Day, 01-02 bridging, 01-03 Saturday, 01-04 a make-up Sunday.
        PlannedVisit(BORROWER, None, "pre_maturity", date(2026, 1, 4), "phone"),
    ]


# -- the sample portfolio ----------------------------------------------------------


def _sample_loans():
    with (SAMPLES / "loans_en.csv").open(encoding="utf-8") as f:
        yield from csv.DictReader(f)


def test_every_row_of_the_sample_expected_visits():
    # Given the sample portfolio, planned as `plan_followups --as-of 2020-01-01` would
    got = set()
    for row in _sample_loans():
        d = date.fromisoformat(row["disbursement_date"])
        term = int(row["term_months"])
        m = (
            date.fromisoformat(row["maturity_date"])
            if row["maturity_date"]
            else add_months(d, term)
        )
        guarantors = [row["guarantor_id_no"]] if row["guarantor_name"] else []
        risk = row["risk_level"] or None
        as_of = date(2020, 1, 1)
        for v in plan(d, m, term, risk, row["borrower_type"], guarantors, as_of=as_of):
            got.add((row["loan_no"], v.subject_role, v.kind, v.due_date.isoformat(), v.channel))

    # Then the visits are exactly those of expected_visits.csv
    with (SAMPLES / "expected_visits.csv").open(encoding="utf-8") as f:
        expected = {
            (r["loan_no"], r["subject_role"], r["kind"], r["due_date"], r["channel"])
            for r in csv.DictReader(f)
        }
    assert len(expected) == 316
    assert sorted(got - expected) == []
    assert sorted(expected - got) == []


# -- month ends and leap days --------------------------------------------------------


def test_month_end_disbursement_long_term_medium():
    # D = 2024-01-31, T = 24, M = 2026-01-31, step 3 months, each periodic date
    # add_months(D, 3k) clamped: 04-30, 07-31, 10-31, 2025-01-31, 04-30, 07-31, 10-31.
    visits = plan(date(2024, 1, 31), date(2026, 1, 31), 24, MEDIUM)

    assert borrower_dates(visits) == [
        ("first", date(2024, 3, 1)),  # D + 30, a Friday
        ("d90", date(2024, 4, 30)),  # D + 90, a Tuesday; periodic 2024-04-30 collides (0 days)
        ("periodic", date(2024, 7, 31)),
        ("periodic", date(2024, 10, 31)),
        ("periodic", date(2025, 2, 5)),  # 2025-01-31 is in the Spring Festival (01-28..02-04)
        ("periodic", date(2025, 4, 30)),
        ("periodic", date(2025, 7, 31)),
        ("periodic", date(2025, 10, 31)),
        ("pre_maturity", date(2026, 1, 4)),  # 2026-01-01 → the make-up Sunday
    ]


def test_feb_29_disbursement_short_term_high():
    # D = 2024-02-29, T = 12, M = add_months(D, 12) = 2025-02-28, step 1 month:
    # periodic add_months(D, k) = the 29th of each month, k = 1..11 (k = 12 is M).
    d = date(2024, 2, 29)
    m = add_months(d, 12)
    assert m == date(2025, 2, 28)

    visits = plan(d, m, 12, HIGH)

    assert borrower_dates(visits) == [
        ("first", date(2024, 4, 1)),  # D + 30 = 03-30, a Saturday; 03-29 periodic rejected (1 day)
        ("periodic", date(2024, 4, 29)),  # 30 days from first, 30 from d90
        ("d90", date(2024, 5, 29)),  # D + 90; periodic 05-29 rejected (0 days)
        ("periodic", date(2024, 7, 1)),  # 06-29 a Saturday
        ("periodic", date(2024, 7, 29)),
        ("periodic", date(2024, 8, 29)),
        ("periodic", date(2024, 9, 29)),  # a Sunday, but a make-up working day
        ("periodic", date(2024, 10, 29)),
        ("periodic", date(2024, 11, 29)),
        ("periodic", date(2024, 12, 30)),  # 12-29 a Sunday
        # M - 30 = 2025-01-29, Spring Festival; periodic 2025-01-29 rejected (0 days).
        ("pre_maturity", date(2025, 2, 5)),
    ]


# -- the 15-day rule -------------------------------------------------------------


def test_a_candidate_exactly_15_days_away_is_accepted():
    # D = 2025-03-03, M = D + 75: first = D + 30 = 04-02, pre_maturity = M - 30 = 04-17.
    d = date(2025, 3, 3)
    visits = plan(d, d + timedelta(days=75), 2)

    assert borrower_dates(visits) == [
        ("first", date(2025, 4, 2)),
        ("pre_maturity", date(2025, 4, 17)),
    ]


def test_a_candidate_14_days_away_is_rejected():
    # M = D + 74: pre_maturity = 04-16, 14 days after first.
    d = date(2025, 3, 3)
    visits = plan(d, d + timedelta(days=74), 2)

    assert borrower_dates(visits) == [("first", date(2025, 4, 2))]


def test_selection_is_on_the_unrolled_dates():
    # D = 2025-08-18, M = 2025-10-31: first = 09-17, pre_maturity = 10-01 is 14 days
    # later and so rejected, although it would roll to 10-09, 22 days after first.
    visits = plan(date(2025, 8, 18), date(2025, 10, 31), 2)

    assert borrower_dates(visits) == [("first", date(2025, 9, 17))]


def test_selection_order_first_then_pre_maturity_then_d90():
    # D = 2025-03-03, M = 2025-07-03 (T = 4): pre_maturity 06-03 is taken before d90
    # 06-01 (2 days away), so d90 is the one rejected.
    visits = plan(date(2025, 3, 3), date(2025, 7, 3), 4)

    assert borrower_dates(visits) == [
        ("first", date(2025, 4, 2)),
        ("pre_maturity", date(2025, 6, 3)),
    ]


# -- holidays --------------------------------------------------------------------


def test_national_day_and_a_weekend():
    # D = 2025-07-03, T = 12: first 08-02 (Saturday) → 08-04; d90 10-01 → rest until
    # 10-08 → 10-09; pre_maturity 2026-06-03 a Wednesday.
    visits = plan(date(2025, 7, 3), date(2026, 7, 3), 12)

    assert borrower_dates(visits) == [
        ("first", date(2025, 8, 4)),
        ("d90", date(2025, 10, 9)),
        ("pre_maturity", date(2026, 6, 3)),
    ]


def test_a_make_up_saturday_keeps_the_visit():
    # D = 2025-09-11: first = D + 30 = 2025-10-11, a Saturday worked for National Day.
    visits = plan(date(2025, 9, 11), date(2025, 12, 11), 3)

    assert borrower_dates(visits)[0] == ("first", date(2025, 10, 11))


def test_spring_festival():
    # D = 2024-12-30: first = 2025-01-29, the first day of the Spring Festival → 02-05.
    visits = plan(date(2024, 12, 30), date(2025, 6, 30), 6)

    assert borrower_dates(visits)[0] == ("first", date(2025, 2, 5))


# -- near maturity ----------------------------------------------------------------


def test_step_2_rolls_backward_when_forward_reaches_maturity():
    # D = 2025-09-01, M = 2025-10-05 (T = 1): first = 10-01 rolls forward to 10-09, on
    # or after M, so back from 10-01 instead: 09-30. pre_maturity = 09-05, a Friday.
    visits = plan(date(2025, 9, 1), date(2025, 10, 5), 1)

    assert borrower_dates(visits) == [
        ("pre_maturity", date(2025, 9, 5)),
        ("first", date(2025, 9, 30)),
    ]


def test_one_month_loan_backward_onto_a_make_up_saturday():
    # SAMPLE-008: D = 2025-01-10, M = 2025-02-10. first = 02-09 (Sunday) → 02-10 = M,
    # so back from 02-09: 02-08, a Saturday worked for the Spring Festival.
    # pre_maturity = 01-11 (Saturday) → 01-13.
    visits = plan(date(2025, 1, 10), date(2025, 2, 10), 1, MEDIUM, guarantors=["G"])

    assert visits == [
        PlannedVisit(BORROWER, None, "pre_maturity", date(2025, 1, 13), "phone"),
        PlannedVisit(BORROWER, None, "first", date(2025, 2, 8), "phone"),
        PlannedVisit(GUARANTOR, "G", "pre_maturity", date(2025, 1, 13), "phone"),
    ]


def test_two_month_loan():
    # SAMPLE-004: D = 2024-09-19, M = 2024-11-19. first = 10-19 (Saturday) → 10-21;
    # pre_maturity 10-20 is 1 day from first: rejected; d90 after M.
    visits = plan(date(2024, 9, 19), date(2024, 11, 19), 2)

    assert borrower_dates(visits) == [("first", date(2024, 10, 21))]


def test_step_3_drops_a_visit_with_no_working_day_between_d_and_m():
    # Step 3 needs every day between D and M to be a rest day: an institution closed
    # from 2025-06-01 to 2025-07-15 and a loan inside that closure.
    closed = {date(2025, 6, 1) + timedelta(days=n): False for n in range(45)}
    calendar = WorkingCalendar(closed)
    # D = 2025-06-01, M = 2025-07-11: first 07-01 → forward 07-16 ≥ M → back ≤ D: dropped;
    # pre_maturity 06-11 likewise.
    assert plan(date(2025, 6, 1), date(2025, 7, 11), 1, calendar=calendar) == []


def test_step_3_with_a_policy_visiting_soon_after_disbursement():
    # An admin's policy with a visit on D + 2. D = 2025-09-30, M = 2025-10-05:
    # 10-02 → forward 10-09 ≥ M → back to 09-30 = D: dropped.
    policy = Policy(
        rules=(Rule(SHORT, MEDIUM, (Candidate("first", BORROWER, DISBURSEMENT, 2, order=1),)),),
        channel_rules=(),
    )
    assert plan(date(2025, 9, 30), date(2025, 10, 5), 1, policy=policy) == []
    # The same candidate one day later in the year lands on a working day.
    assert borrower_dates(plan(date(2025, 9, 26), date(2025, 10, 5), 1, policy=policy)) == [
        ("first", date(2025, 9, 28))  # a Sunday worked for National Day
    ]


def test_step_4_two_visits_on_one_day_the_first_in_selection_order_stays():
    # The institution closed from 2025-04-01 to 2025-05-10. D = 2025-03-03, T = 12, high:
    # first 04-02 and periodic add_months(D, 2) = 05-03 (31 days apart, both accepted)
    # both roll to Monday 05-12: first stays, the periodic visit goes.
    closed = {date(2025, 4, 1) + timedelta(days=n): False for n in range(40)}
    visits = plan(date(2025, 3, 3), date(2026, 3, 3), 12, HIGH, calendar=WorkingCalendar(closed))

    dates = borrower_dates(visits)
    assert dates[:3] == [
        ("first", date(2025, 5, 12)),
        ("d90", date(2025, 6, 3)),  # D + 90 = 06-01, a Sunday
        ("periodic", date(2025, 7, 3)),  # 06-03 rejected: 2 days from d90
    ]
    assert [day for _, day in dates].count(date(2025, 5, 12)) == 1


# -- guarantors ------------------------------------------------------------------


def test_two_guarantors_each_get_their_own_visits():
    # D = 2025-03-03, M = 2025-05-03: the borrower's pre_maturity 04-03 is 1 day from
    # first and rejected; each guarantor has no first, so theirs is accepted.
    visits = plan(date(2025, 3, 3), date(2025, 5, 3), 2, guarantors=["G1", "G2"])

    assert visits == [
        PlannedVisit(BORROWER, None, "first", date(2025, 4, 2), "phone"),
        PlannedVisit(GUARANTOR, "G1", "pre_maturity", date(2025, 4, 3), "phone"),
        PlannedVisit(GUARANTOR, "G2", "pre_maturity", date(2025, 4, 3), "phone"),
    ]


def test_guarantors_in_the_worked_example():
    visits = plan(date(2025, 1, 31), date(2026, 1, 31), 12, guarantors=[7, 9])

    for ref in (7, 9):
        assert [(v.kind, v.due_date) for v in visits if v.subject_ref == ref] == [
            ("d90", date(2025, 5, 6)),
            ("pre_maturity", date(2026, 1, 4)),
        ]
    assert len(visits) == 3 + 2 + 2


def test_a_guarantor_named_twice_is_planned_once():
    visits = plan(date(2025, 1, 31), date(2026, 1, 31), 12, guarantors=["G", "G"])
    assert [v.subject_ref for v in visits].count("G") == 2


# -- rules: term class and risk level -----------------------------------------------


@pytest.mark.parametrize(
    ("term", "risk", "step"),
    [
        (12, LOW, None),
        (12, MEDIUM, None),
        (12, None, None),  # no risk level: medium
        (12, "", None),
        (12, HIGH, 1),
        (13, LOW, 6),
        (13, MEDIUM, 3),
        (13, None, 3),
        (13, HIGH, 1),
        (120, LOW, 6),
    ],
)
def test_periodic_step_by_term_class_and_risk(term, risk, step):
    assert DEFAULT_POLICY.rule_for(term, risk).periodic_step() == step

    # The unrolled periodic candidates that survive selection are add_months(D, k * step).
    d = date(2025, 3, 10)
    m = add_months(d, term)
    plan_, _ = DEFAULT_POLICY.subject_plans(term, risk, "individual")
    periodic = [date.fromordinal(o) for o, kind, _ in select(plan_, d, m, 15) if kind == "periodic"]
    if step is None:
        assert periodic == []
    else:
        allowed = {add_months(d, k * step) for k in range(1, term // step + 1)}
        assert periodic and set(periodic) <= allowed


def test_long_term_low_risk_every_six_months_online():
    # D = 2025-03-03, T = 24: periodic 09-03, 2026-03-03, 2026-09-03 (2027-03-03 is M).
    visits = plan(date(2025, 3, 3), date(2027, 3, 3), 24, LOW)

    assert [(v.kind, v.due_date, v.channel) for v in visits] == [
        ("first", date(2025, 4, 2), "phone"),
        ("d90", date(2025, 6, 3), "phone"),  # 06-01 a Sunday, 06-02 Dragon Boat holiday
        ("periodic", date(2025, 9, 3), "online"),
        ("periodic", date(2026, 3, 3), "online"),
        ("periodic", date(2026, 9, 3), "online"),
        ("pre_maturity", date(2027, 2, 1), "phone"),  # M - 30 = 2027-02-01, a Monday
    ]


def test_unknown_risk_level_is_an_error():
    with pytest.raises(ValueError, match="risk level"):
        plan(date(2025, 3, 3), date(2026, 3, 3), 12, "extreme")


# -- channels --------------------------------------------------------------------


def test_channels():
    d, m = date(2025, 3, 3), date(2027, 3, 3)
    enterprise = plan(d, m, 24, LOW, "enterprise", guarantors=["G"])
    individual = plan(d, m, 24, HIGH, "individual")

    assert {(v.subject_role, v.kind, v.channel) for v in enterprise} == {
        (BORROWER, "first", "onsite"),
        (BORROWER, "d90", "phone"),
        (BORROWER, "periodic", "phone"),  # online only for a low-risk individual
        (BORROWER, "pre_maturity", "phone"),
        (GUARANTOR, "d90", "phone"),
        (GUARANTOR, "pre_maturity", "phone"),
    }
    assert {(v.kind, v.channel) for v in individual} == {
        ("first", "phone"),
        ("d90", "phone"),
        ("periodic", "phone"),
        ("pre_maturity", "phone"),
    }


# -- institution overrides ----------------------------------------------------------


def test_a_working_day_made_a_rest_day_moves_the_visit():
    # The worked example's first visit, 2025-03-03, on a day the institution is closed.
    calendar = WorkingCalendar({date(2025, 3, 3): False})
    visits = plan(date(2025, 1, 31), date(2026, 1, 31), 12, calendar=calendar)

    assert borrower_dates(visits)[0] == ("first", date(2025, 3, 4))


def test_a_rest_day_made_a_working_day_keeps_the_visit():
    # Sunday 2025-03-02, D + 30, declared a working day by the institution.
    calendar = WorkingCalendar({date(2025, 3, 2): True})
    visits = plan(date(2025, 1, 31), date(2026, 1, 31), 12, calendar=calendar)

    assert borrower_dates(visits)[0] == ("first", date(2025, 3, 2))


# -- as of ----------------------------------------------------------------------


def test_as_of_keeps_visits_due_on_or_after_it():
    everything = plan(date(2025, 1, 31), date(2026, 1, 31), 12)

    from_may = plan(date(2025, 1, 31), date(2026, 1, 31), 12, as_of=date(2025, 5, 6))

    assert [v.kind for v in from_may] == ["d90", "pre_maturity"]
    assert plan_from_as_of(everything, date(2025, 5, 6)) == from_may
    assert plan_from_as_of(everything, date(2025, 5, 7)) == from_may[1:]


def test_maturity_not_after_disbursement_plans_nothing():
    assert plan(date(2025, 3, 3), date(2025, 3, 3), 0) == []
    assert plan(date(2025, 3, 3), date(2025, 3, 4), 1) == []
