"""The planner's invariants (followup-policy.md), and a plain re-reading of the spec to agree with."""

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huifang.followups.calendar import WorkingCalendar
from huifang.followups.planning import plan_loan
from huifang.followups.policy import BORROWER, DEFAULT_POLICY, select
from huifang.lib.dates import add_months

CHINA = holidays.country_holidays("CN")


@pytest.fixture(autouse=True)
def _fixed_data_key():
    # Overrides the suite's fixture of that name, which needs Django: these tests are pure.
    return None


@st.composite
def loans(draw):
    d = draw(st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31)))
    term = draw(st.integers(min_value=1, max_value=120))
    maturity = draw(st.sampled_from(["term", "any", "near a monthly date"]))
    if maturity == "term":
        m = add_months(d, term)
    elif maturity == "any":  # a maturity given apart from the term, as an import may
        m = d + timedelta(days=draw(st.integers(min_value=0, max_value=term * 31 + 60)))
    else:  # pre_maturity 14, 15 or 16 days from a monthly anniversary: the 15-day edge
        k = draw(st.integers(min_value=1, max_value=term))
        delta = draw(st.sampled_from([-16, -15, -14, 14, 15, 16]))
        m = add_months(d, k) + timedelta(days=30 + delta)
    overrides = draw(
        st.dictionaries(
            st.dates(min_value=d, max_value=m + timedelta(days=10)), st.booleans(), max_size=25
        )
    )
    # Closures: runs of rest days long enough to push two visits onto one day (step 4)
    # or out of (D, M) altogether (step 3).
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        start = draw(st.just(d + timedelta(days=1)) | st.dates(min_value=d, max_value=max(d, m)))
        for n in range(draw(st.integers(min_value=1, max_value=60))):
            overrides[start + timedelta(days=n)] = False
    if (m - d).days <= 400 and draw(st.integers(min_value=0, max_value=9)) == 0:
        # Closed from the day after D to M: every visit rolls back to D or before (step 3).
        for n in range(1, (m - d).days + 1):
            overrides[d + timedelta(days=n)] = False
        overrides[d] = draw(st.booleans())
    return {
        "disbursement_date": d,
        "maturity_date": m,
        "term_months": term,
        "risk_level": draw(st.sampled_from(["low", "medium", "high", None, ""])),
        "borrower_type": draw(st.sampled_from(["individual", "enterprise"])),
        "guarantor_ids": draw(st.lists(st.integers(min_value=1, max_value=5), max_size=3)),
        "overrides": overrides,
    }


def _plan(loan, **extra):
    args = {k: v for k, v in loan.items() if k != "overrides"}
    return plan_loan(calendar=WorkingCalendar(loan["overrides"]), **args, **extra)


# -- a second reading of the spec, written for clarity, not speed -------------------


def reference_plan(loan) -> set[tuple]:
    """followup-policy.md read line by line, with the package's is_working_day."""
    d, m, t = loan["disbursement_date"], loan["maturity_date"], loan["term_months"]
    risk = loan["risk_level"] or "medium"
    overrides = loan["overrides"]

    def working(day):
        return overrides[day] if day in overrides else CHINA.is_working_day(day)

    step = {
        ("short", "low"): None,
        ("short", "medium"): None,
        ("short", "high"): 1,
        ("long", "low"): 6,
        ("long", "medium"): 3,
        ("long", "high"): 1,
    }[("short" if t <= 12 else "long", risk)]

    borrower = [
        ("first", d + timedelta(days=30)),
        ("pre_maturity", m - timedelta(days=30)),
        ("d90", d + timedelta(days=90)),
    ]
    if step:
        k = 1
        while add_months(d, k * step) < m:
            borrower.append(("periodic", add_months(d, k * step)))
            k += 1
    guarantor = [("pre_maturity", m - timedelta(days=30)), ("d90", d + timedelta(days=90))]

    def visits_of(candidates):
        accepted = []
        for kind, day in candidates:
            if d < day < m and all(abs((day - a).days) >= 15 for _, a in accepted):
                accepted.append((kind, day))
        landed = []
        for kind, day in accepted:
            r = day
            while not working(r):
                r += timedelta(days=1)
            if r >= m:
                r = day
                while not working(r):
                    r -= timedelta(days=1)
                if r <= d:
                    continue
            if all(r != other for _, other in landed):
                landed.append((kind, r))
        return landed

    def channel(role, kind):
        if role == "borrower" and kind == "first":
            return "onsite" if loan["borrower_type"] == "enterprise" else "phone"
        if (role, kind, loan["borrower_type"], risk) == (
            "borrower",
            "periodic",
            "individual",
            "low",
        ):
            return "online"
        return "phone"

    out = {("borrower", None, k, r, channel("borrower", k)) for k, r in visits_of(borrower)}
    for ref in loan["guarantor_ids"]:
        out |= {("guarantor", ref, k, r, channel("guarantor", k)) for k, r in visits_of(guarantor)}
    return out


# -- properties ------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(loan=loans())
def test_agrees_with_a_plain_reading_of_the_spec(loan):
    assert set(_plan(loan)) == reference_plan(loan)


@settings(max_examples=300, deadline=None)
@given(loan=loans())
def test_invariants(loan):
    calendar = WorkingCalendar(loan["overrides"])
    d, m = loan["disbursement_date"], loan["maturity_date"]
    args = {k: v for k, v in loan.items() if k != "overrides"}

    visits = plan_loan(calendar=calendar, **args)

    seen = set()
    for v in visits:
        # every planned date is a working day, strictly between D and M
        assert calendar.is_working_day(v.due_date)
        assert d < v.due_date < m
        # no two visits of one subject on one day
        assert (v.subject_role, v.subject_ref, v.due_date) not in seen
        seen.add((v.subject_role, v.subject_ref, v.due_date))
    # the documented order: borrower first, guarantors as given, each by due date
    subjects = [(v.subject_role, v.subject_ref) for v in visits]
    expected_subjects = [(BORROWER, None)] + [("guarantor", g) for g in loan["guarantor_ids"]]
    order = {s: i for i, s in reversed(list(enumerate(expected_subjects)))}
    keys = [(order[s], v.due_date) for s, v in zip(subjects, visits, strict=True)]
    assert keys == sorted(keys)
    # deterministic: again, and with a fresh calendar
    assert plan_loan(calendar=calendar, **args) == visits
    assert _plan(loan) == visits


@settings(max_examples=300, deadline=None)
@given(loan=loans())
def test_accepted_unrolled_dates_are_15_days_apart(loan):
    d, m = loan["disbursement_date"], loan["maturity_date"]
    for plan_ in DEFAULT_POLICY.subject_plans(
        loan["term_months"], loan["risk_level"], loan["borrower_type"]
    ):
        accepted = sorted(o for o, _, _ in select(plan_, d, m, 15))
        assert all(b - a >= 15 for a, b in zip(accepted, accepted[1:], strict=False))
        assert all(d.toordinal() < o < m.toordinal() for o in accepted)


@settings(max_examples=200, deadline=None)
@given(loan=loans(), as_of=st.dates(min_value=date(2018, 1, 1), max_value=date(2032, 12, 31)))
def test_as_of_only_cuts(loan, as_of):
    everything = _plan(loan)
    assert _plan(loan, as_of=as_of) == [v for v in everything if v.due_date >= as_of]


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    overrides=st.dictionaries(
        st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)), st.booleans()
    ),
)
def test_calendar_rolls_to_the_nearest_working_day(day, overrides):
    calendar = WorkingCalendar(overrides)

    def working(x):
        return overrides[x] if x in overrides else CHINA.is_working_day(x)

    assert calendar.is_working_day(day) == working(day)
    forward = calendar.roll_forward(day)
    backward = calendar.roll_backward(day)
    assert working(forward) and working(backward)
    assert backward <= day <= forward
    assert not any(working(day + timedelta(days=n)) for n in range((forward - day).days))
    assert not any(working(day - timedelta(days=n)) for n in range((day - backward).days))
