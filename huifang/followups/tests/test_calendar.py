"""The working-day calendar (followup-policy.md, "Working days"): the package, then the institution."""

from datetime import date, timedelta

import holidays
import pytest

from huifang.followups.calendar import WorkingCalendar, package_official_years


@pytest.fixture(autouse=True)
def _fixed_data_key():
    # Overrides the suite's fixture of that name, which needs Django: these tests are pure.
    return None


def _days(start: date, end: date):
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


def test_agrees_with_the_package_day_by_day():
    # Given the holidays package's China calendar
    china = holidays.country_holidays("CN", years=range(2000, 2031))
    calendar = WorkingCalendar()

    # Then every day from 2001 to 2030 is a working day exactly when the package says so
    for day in _days(date(2001, 1, 1), date(2030, 12, 31)):
        assert calendar.is_working_day(day) == china.is_working_day(day), day


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2025 Spring Festival: rest 01-28 to 02-04; Sunday 01-26 and Saturday 02-08 are worked.
        (date(2025, 1, 26), True),
        (date(2025, 1, 28), False),
        (date(2025, 1, 31), False),
        (date(2025, 2, 3), False),  # a Monday, a bridging rest day
        (date(2025, 2, 4), False),
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),
        # 2025 National Day and Mid-Autumn: rest 10-01 to 10-08; Sunday 09-28 and Saturday 10-11 worked.
        (date(2025, 9, 28), True),
        (date(2025, 10, 1), False),
        (date(2025, 10, 6), False),  # Mid-Autumn Festival
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),
        # 2026 New Year: 01-01 holiday, 01-02 bridging, Sunday 01-04 worked.
        (date(2026, 1, 1), False),
        (date(2026, 1, 2), False),
        (date(2026, 1, 3), False),
        (date(2026, 1, 4), True),
        # 2024: Sunday 09-29 worked for National Day.
        (date(2024, 9, 29), True),
        # A plain weekend and a plain weekday.
        (date(2025, 3, 1), False),
        (date(2025, 3, 3), True),
    ],
)
def test_official_holidays_bridging_and_make_up_days(day, working):
    assert WorkingCalendar().is_working_day(day) is working


def test_make_up_day_of_the_next_years_notice_counts():
    # The 2002 notice made Saturday and Sunday 2001-12-29/30 working days.
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2001, 12, 29))
    assert calendar.is_working_day(date(2001, 12, 30))


def test_roll_forward_and_backward():
    calendar = WorkingCalendar()
    # A working day stays where it is.
    assert calendar.roll_forward(date(2025, 3, 3)) == date(2025, 3, 3)
    assert calendar.roll_backward(date(2025, 3, 3)) == date(2025, 3, 3)
    # A weekend.
    assert calendar.roll_forward(date(2025, 3, 1)) == date(2025, 3, 3)
    assert calendar.roll_backward(date(2025, 3, 2)) == date(2025, 2, 28)
    # Across National Day 2025.
    assert calendar.roll_forward(date(2025, 10, 1)) == date(2025, 10, 9)
    assert calendar.roll_backward(date(2025, 10, 8)) == date(2025, 9, 30)
    # Onto the make-up Sunday after New Year 2026.
    assert calendar.roll_forward(date(2026, 1, 1)) == date(2026, 1, 4)
    # Across a year end: 2027-01-01 is a Friday holiday, then a weekend.
    assert calendar.roll_forward(date(2026, 12, 31)) == date(2026, 12, 31)
    assert calendar.roll_forward(date(2027, 1, 1)) == date(2027, 1, 4)
    assert calendar.roll_backward(date(2027, 1, 3)) == date(2026, 12, 31)


def test_a_rest_day_made_a_working_day_and_a_working_day_made_a_rest_day():
    # Given an institution that works on Saturday 2025-03-01 and closes on Monday 2025-03-03
    calendar = WorkingCalendar({date(2025, 3, 1): True, date(2025, 3, 3): False})

    # Then those two days follow the institution, and their neighbours the package
    assert calendar.is_working_day(date(2025, 3, 1))
    assert not calendar.is_working_day(date(2025, 3, 3))
    assert not calendar.is_working_day(date(2025, 3, 2))
    assert calendar.is_working_day(date(2025, 3, 4))
    assert calendar.roll_forward(date(2025, 3, 2)) == date(2025, 3, 4)
    assert calendar.roll_backward(date(2025, 3, 3)) == date(2025, 3, 1)


def test_overrides_do_not_leak_between_calendars():
    WorkingCalendar({date(2025, 3, 3): False}).is_working_day(date(2025, 3, 3))
    assert WorkingCalendar().is_working_day(date(2025, 3, 3))


def test_official_years_are_the_years_of_the_package_notices():
    # holidays 0.109 carries the State Council notices for 2001 to 2026.
    assert package_official_years() == frozenset(range(2001, 2027))
    calendar = WorkingCalendar()
    assert calendar.official_years() == set(range(2001, 2027))
    assert not calendar.is_provisional(2025)
    assert not calendar.is_provisional(2026)
    assert calendar.is_provisional(2027)
    assert calendar.is_provisional(2000)
    assert calendar.is_provisional(2101)


def test_a_year_is_official_once_the_institution_enters_its_notice():
    calendar = WorkingCalendar({date(2027, 2, 20): True}, notice_years=[2027])
    assert not calendar.is_provisional(2027)
    assert 2027 in calendar.official_years()
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday


def test_a_provisional_year_has_holidays_but_no_make_up_days():
    # 2027 is not in holidays 0.109's notices: only the fixed rules apply.
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(date(2027, 10, 1))
    for day in _days(date(2027, 1, 1), date(2027, 12, 31)):
        if day.weekday() >= 5:
            assert not calendar.is_working_day(day), day


def test_far_years_outside_the_package_range_are_plain_weeks():
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2150, 10, 1))  # a Thursday, no holidays known
    assert not calendar.is_working_day(date(2150, 10, 4))  # a Sunday
