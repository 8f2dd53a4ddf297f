"""The follow-up visits of one loan (followup-policy.md): pure, no ORM.

`plan_loan` computes every visit of a loan's life; the service that saves them
keeps those on or after the as-of date ("Planning over time").
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from huifang.followups.calendar import WorkingCalendar
from huifang.followups.policy import BORROWER, DEFAULT_POLICY, GUARANTOR, Policy, select


class PlannedVisit(NamedTuple):
    subject_role: str
    subject_ref: str | int | None  # None for the borrower, the guarantor's id otherwise
    kind: str
    due_date: date
    channel: str


def plan_loan(
    *,
    disbursement_date: date,
    maturity_date: date,
    term_months: int,
    risk_level: str | None,
    borrower_type: str,
    guarantor_ids: Sequence[str | int] = (),
    calendar: WorkingCalendar,
    policy: Policy = DEFAULT_POLICY,
    as_of: date | None = None,
) -> list[PlannedVisit]:
    """The visits of one loan, per followup-policy.md.

    Candidates are filtered and selected on their unrolled dates ("Borrower
    visits"), then each accepted date is rolled onto a working day ("Working
    days", steps 1-4). A risk level of None or "" means the policy's default
    (medium). A guarantor id given twice is planned once. With `as_of`, only
    visits due on or after it are returned.

    Order: the borrower's visits by due date, then each guarantor's by due date,
    guarantors in the order given (a subject never has two visits on one day).
    """
    borrower_plan, guarantor_plan = policy.subject_plans(term_months, risk_level, borrower_type)
    d_ord = disbursement_date.toordinal()
    m_ord = maturity_date.toordinal()
    if m_ord <= d_ord + 1:
        return []
    calendar.cover(disbursement_date.year, maturity_date.year)
    window = policy.collision_days
    floor = as_of.toordinal() if as_of is not None else 0

    visits: list[PlannedVisit] = []
    borrower = select(borrower_plan, disbursement_date, maturity_date, window)
    _emit(_roll(borrower, d_ord, m_ord, floor, calendar), calendar, BORROWER, None, visits)
    if guarantor_ids:
        # Every guarantor has the same candidates and so the same days; only
        # the subject differs.
        guarantor = select(guarantor_plan, disbursement_date, maturity_date, window)
        days = _roll(guarantor, d_ord, m_ord, floor, calendar)
        seen: set[str | int] = set()
        for ref in guarantor_ids:
            if ref not in seen:
                seen.add(ref)
                _emit(days, calendar, GUARANTOR, ref, visits)
    return visits


def _roll(
    accepted: list[tuple[int, str, str]],
    d_ord: int,
    m_ord: int,
    floor: int,
    calendar: WorkingCalendar,
) -> list[tuple[int, str, str]]:
    """followup-policy.md, "Working days": one subject's accepted dates rolled, by due date.

    `accepted` is in selection order; the result keeps those due on or after `floor`.
    """
    base, _, forward, backward, _ = calendar.table
    days: list[tuple[int, str, str]] = []
    taken: set[int] = set()
    for o, kind, channel in accepted:
        # `cover` spans D's year to M's year with a margin, so both lookups hit
        # this table; -1 (no working day inside it) falls back to the slow path,
        # which may grow the calendar's table but leaves this one as it was.
        r = forward[o - base]
        if r < 0:
            r = calendar.roll_forward_ordinal(o)
        if r >= m_ord:  # step 2: back from the original date instead
            r = backward[o - base]
            if r < 0:
                r = calendar.roll_backward_ordinal(o)
            if r <= d_ord:  # step 3
                continue
        if r in taken:  # step 4: the earlier one in selection order stays
            continue
        taken.add(r)
        if r >= floor:
            days.append((r, kind, channel))
    days.sort()
    return days


def _emit(
    days: list[tuple[int, str, str]],
    calendar: WorkingCalendar,
    role: str,
    ref: str | int | None,
    out: list[PlannedVisit],
) -> None:
    base, _, _, _, dates = calendar.table
    new = tuple.__new__  # PlannedVisit(...) without its Python-level __new__
    out.extend(
        [
            new(PlannedVisit, (role, ref, kind, dates[r - base], channel))
            for r, kind, channel in days
        ]
    )


def plan_from_as_of(visits: Iterable[PlannedVisit], as_of: date) -> list[PlannedVisit]:
    """The visits due on or after `as_of` ("Planning over time"), order kept."""
    return [v for v in visits if v.due_date >= as_of]
