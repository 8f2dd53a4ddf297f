"""The working-day calendar follow-up dates roll onto (followup-policy.md, "Working days").

The base is the `holidays` package's China calendar and its `is_working_day`: a
Saturday or Sunday is a rest day unless it is an official make-up working day
(调休, the package's `weekend_workdays`); a weekday is a working day unless it is
in the package's holiday list, which holds the official holidays, their bridging
days (the package's "substituted" days off, e.g. 2026-01-02 "substituted from
2026-01-04") and, for a holiday falling on a weekend, the package's own
"observed" day on the next working day. The institution's entries override it
day by day.

Official data: the package knows a year's State Council notice (its make-up
days and bridging days) only for the years listed in the China calendar's
`special_public_holidays` (2001-2026 in holidays 0.109). For any other year
it still answers, but from fixed rules only (statutory holidays, lunar dates,
and its generic "observed" shift for a holiday on a weekend), with no make-up
working days: such a year is provisional until the notice is known. Its
`start_year`/`end_year` (1950-2100) do not tell this; outside them it knows no
holidays at all.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import NamedTuple

import holidays

_NO_OVERRIDES: Mapping[date, bool] = MappingProxyType({})

# Years of working-day table kept on each side of a requested date, so that
# rolling from any day of a covered year never runs off the table (a run of
# rest days is never close to a year long unless an institution says so).
_MARGIN_YEARS = 1


@cache
def _china() -> holidays.HolidayBase:
    return holidays.country_holidays("CN")


@cache
def _package_flags(year: int) -> bytes:
    """One byte per day of `year` (1 = working day) by the package alone."""
    china = _china()
    start = date(year, 1, 1).toordinal()
    end = date(year, 12, 31).toordinal() + 1
    return bytes(china.is_working_day(date.fromordinal(o)) for o in range(start, end))


@cache
def package_official_years() -> frozenset[int]:
    """Years whose State Council notice the installed `holidays` package carries."""
    return frozenset(getattr(_china(), "special_public_holidays", {}))


class DayTable(NamedTuple):
    """Working days of a span of whole years, indexed by `ordinal - base`.

    `work[i]` is 1 for a working day; `forward[i]` / `backward[i]` the ordinal of
    the first working day on or after / the last on or before, or -1 when none
    lies inside the table; `dates[i]` the day itself, made once.
    """

    base: int
    work: bytes
    forward: list[int]
    backward: list[int]
    dates: list[date]


_EMPTY = DayTable(0, b"", [], [], [])


class WorkingCalendar:
    """Working days of mainland China, overridden by the institution's own entries.

    `overrides` maps a date to True (a working day) or False (a rest day); it
    wins over the package. `notice_years` names years for which the institution
    has entered the State Council's notice itself (so they are not provisional
    even though the package does not know them).

    A calendar never changes once built: a changed calendar is a new object.
    Working-day tables are built lazily, one year at a time, and kept.
    """

    __slots__ = (
        "_overrides",
        "_notice_years",
        "_years",
        "_first_year",
        "_last_year",
        "table",
    )

    def __init__(
        self,
        overrides: Mapping[date, bool] = _NO_OVERRIDES,
        *,
        notice_years: Iterable[int] = (),
    ) -> None:
        by_year: dict[int, dict[date, bool]] = {}
        for day, working in overrides.items():
            by_year.setdefault(day.year, {})[day] = bool(working)
        self._overrides = by_year
        self._notice_years = frozenset(notice_years)
        self._years: dict[int, bytes] = {}
        self._first_year = 0
        self._last_year = -1
        # Read directly by the planner; replaced whole when it grows, so a
        # reader holding one table always sees a consistent one.
        self.table = _EMPTY

    # -- public API ---------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        table = self.table
        i = d.toordinal() - table.base
        if not 0 <= i < len(table.work):
            self.cover(d.year, d.year)
            table = self.table
            i = d.toordinal() - table.base
        return table.work[i] == 1

    def roll_forward(self, d: date) -> date:
        """The first working day on or after `d`."""
        return date.fromordinal(self.roll_forward_ordinal(d.toordinal()))

    def roll_backward(self, d: date) -> date:
        """The last working day on or before `d`."""
        return date.fromordinal(self.roll_backward_ordinal(d.toordinal()))

    def official_years(self) -> set[int]:
        """Years with official data: the package's notices plus the institution's."""
        return set(package_official_years() | self._notice_years)

    def is_provisional(self, year: int) -> bool:
        """True for a year whose State Council notice nobody has given us yet."""
        return year not in package_official_years() and year not in self._notice_years

    # -- for the planner ----------------------------------------------------

    def roll_forward_ordinal(self, o: int) -> int:
        table = self.table
        i = o - table.base
        if 0 <= i < len(table.forward) and (r := table.forward[i]) >= 0:
            return r
        return self._scan(o, 1)

    def roll_backward_ordinal(self, o: int) -> int:
        table = self.table
        i = o - table.base
        if 0 <= i < len(table.backward) and (r := table.backward[i]) >= 0:
            return r
        return self._scan(o, -1)

    def cover(self, first_year: int, last_year: int) -> None:
        """Make sure the table spans these years, with a margin on each side."""
        first_year = max(first_year - _MARGIN_YEARS, date.min.year)
        last_year = min(last_year + _MARGIN_YEARS, date.max.year)
        if self._first_year <= first_year and last_year <= self._last_year:
            return
        if self._last_year >= self._first_year:  # grow, never shrink
            first_year = min(first_year, self._first_year)
            last_year = max(last_year, self._last_year)
        self._rebuild(first_year, last_year)

    # -- internals ----------------------------------------------------------

    def _year_flags(self, year: int) -> bytes:
        flags = self._years.get(year)
        if flags is None:
            flags = _package_flags(year)
            if overrides := self._overrides.get(year):
                table = bytearray(flags)
                start = date(year, 1, 1).toordinal()
                for day, working in overrides.items():
                    table[day.toordinal() - start] = working
                flags = bytes(table)
            self._years[year] = flags
        return flags

    def _rebuild(self, first_year: int, last_year: int) -> None:
        work = b"".join(self._year_flags(y) for y in range(first_year, last_year + 1))
        base = date(first_year, 1, 1).toordinal()
        n = len(work)
        forward = [-1] * n
        nxt = -1
        for i in range(n - 1, -1, -1):
            if work[i]:
                nxt = base + i
            forward[i] = nxt
        backward = [-1] * n
        prev = -1
        for i in range(n):
            if work[i]:
                prev = base + i
            backward[i] = prev
        dates = [date.fromordinal(o) for o in range(base, base + n)]
        self.table = DayTable(base, work, forward, backward, dates)
        self._first_year, self._last_year = first_year, last_year

    def _scan(self, o: int, step: int) -> int:
        # Off the table, or no working day inside it in that direction: widen
        # the table a year at a time until one is found.
        year = date.fromordinal(o).year
        self.cover(year, year)
        while True:
            table = self.table
            i = o - table.base
            found = table.forward if step > 0 else table.backward
            if 0 <= i < len(found) and found[i] >= 0:
                return found[i]
            if step > 0:
                if self._last_year >= date.max.year:
                    raise ValueError(f"no working day on or after {date.fromordinal(o)}")
                self.cover(self._first_year + 1, self._last_year + 1)
            else:
                if self._first_year <= date.min.year:
                    raise ValueError(f"no working day on or before {date.fromordinal(o)}")
                self.cover(self._first_year - 1, self._last_year - 1)
