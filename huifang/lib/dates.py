"""Calendar arithmetic shared by schedules and follow-up planning."""

import calendar
from datetime import date


def add_months(d: date, k: int) -> date:
    """The same day of the month k months later, clamped to that month's last day.

    followup-policy.md, "Notation": always computed from the original date,
    never chained (2024-01-31 + 1 = 2024-02-29; 2024-02-29 + 12 = 2025-02-28).
    """
    month_index = d.month - 1 + k
    year = d.year + month_index // 12
    month = month_index % 12 + 1
    day = d.day
    if day > 28:  # only then can the target month be too short
        last_day = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]
        day = min(day, last_day)
    return date(year, month, day)


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
