"""add_months, as followup-policy.md "Notation" defines it."""

import calendar
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huifang.lib.dates import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # The examples of followup-policy.md "Notation".
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        # Always from the original date: two months after Jan 31 is Mar 31, where
        # chaining through Feb 29 would give Mar 29.
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 1, 31), 3, date(2024, 4, 30)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 5, 17), 0, date(2024, 5, 17)),
        (date(2024, 1, 15), 360, date(2054, 1, 15)),
    ],
)
def test_add_months_examples(start, months, expected):
    assert add_months(start, months) == expected


def test_add_months_is_not_chained():
    start = date(2024, 1, 31)
    assert add_months(add_months(start, 1), 1) == date(2024, 3, 29)
    assert add_months(start, 2) == date(2024, 3, 31)


@settings(max_examples=500, deadline=None)
@given(
    start=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    months=st.integers(min_value=-600, max_value=720),
)
def test_add_months_clamps_to_the_last_day_of_the_target_month(start, months):
    got = add_months(start, months)

    assert (got.year * 12 + got.month) - (start.year * 12 + start.month) == months
    last_day = calendar.monthrange(got.year, got.month)[1]
    assert got.day == min(start.day, last_day)
