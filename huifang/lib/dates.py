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
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))
