"""Contact results and the retry rule: when may a visit be submitted without answers?

A pure function of the attempts so far. Reached: the questionnaire must be
answered. Refused or wrong number: the visit may be submitted at once, and the
result itself is a finding. Unreachable: try again on a later working day; after
`max_attempts` unanswered attempts on different days the visit may be submitted
as "could not reach", which is a finding of its own.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

REACHED, UNREACHABLE, REFUSED, WRONG_NUMBER = "reached", "unreachable", "refused", "wrong_number"


@dataclass(frozen=True)
class ContactState:
    result: str  # the latest attempt's result, "" when there was none
    unreachable_days: int  # distinct days with an unanswered attempt
    may_submit: bool
    needs_answers: bool
    next_try: date | None = None
    findings: list[dict] = field(default_factory=list)


def contact_state(
    attempts: Sequence[tuple[date, str]],
    *,
    max_attempts: int,
    is_working_day: Callable[[date], bool],
) -> ContactState:
    """`attempts`: (day, result) in the order they were made."""
    if not attempts:
        # Nothing recorded: an officer who fills in the answers has reached the person.
        return ContactState(result="", unreachable_days=0, may_submit=True, needs_answers=True)
    last_day, result = attempts[-1]
    unreachable_days = len({day for day, r in attempts if r == UNREACHABLE})
    if result == REACHED:
        return ContactState(result, unreachable_days, may_submit=True, needs_answers=True)
    if result == REFUSED:
        finding = _finding("repayment_willingness", "medium", _("拒绝回访"))
        return ContactState(result, unreachable_days, True, False, findings=[finding])
    if result == WRONG_NUMBER:
        finding = _finding("contact_failure", "medium", _("联系号码错误，需核实联系方式"))
        return ContactState(result, unreachable_days, True, False, findings=[finding])
    if unreachable_days >= max_attempts:
        finding = _finding(
            "contact_failure", "high", _("连续 %(n)d 天无法联系") % {"n": unreachable_days}
        )
        return ContactState(result, unreachable_days, True, False, findings=[finding])
    next_try = last_day + timedelta(days=1)
    while not is_working_day(next_try):
        next_try += timedelta(days=1)
    return ContactState(result, unreachable_days, False, False, next_try=next_try)


def _finding(signal: str, severity: str, label: str) -> dict:
    return {
        "signal": signal,
        "severity": severity,
        "question": "",
        "answer": None,
        "label": label,
    }
