"""The retry rule for contact attempts (followups.contact)."""

from datetime import date

from huifang.followups.contact import contact_state


def weekdays(d: date) -> bool:
    return d.weekday() < 5


def test_no_attempt_means_the_questionnaire_is_needed():
    state = contact_state([], max_attempts=3, is_working_day=weekdays)
    assert state.may_submit and state.needs_answers and not state.findings


def test_reached_needs_answers():
    state = contact_state(
        [(date(2025, 3, 3), "unreachable"), (date(2025, 3, 4), "reached")],
        max_attempts=3,
        is_working_day=weekdays,
    )
    assert state.may_submit and state.needs_answers and state.findings == []


def test_unreachable_waits_for_the_next_working_day():
    # Friday: the next try is Monday
    state = contact_state(
        [(date(2025, 3, 7), "unreachable")], max_attempts=3, is_working_day=weekdays
    )
    assert not state.may_submit
    assert state.next_try == date(2025, 3, 10)
    assert state.unreachable_days == 1


def test_several_calls_on_one_day_count_once():
    day = date(2025, 3, 3)
    state = contact_state([(day, "unreachable")] * 5, max_attempts=3, is_working_day=weekdays)
    assert not state.may_submit and state.unreachable_days == 1


def test_after_max_days_unreachable_the_visit_may_be_submitted_as_a_finding():
    attempts = [(date(2025, 3, d), "unreachable") for d in (3, 4, 5)]
    state = contact_state(attempts, max_attempts=3, is_working_day=weekdays)
    assert state.may_submit and not state.needs_answers
    assert [(f["signal"], f["severity"]) for f in state.findings] == [("contact_failure", "high")]


def test_refused_and_wrong_number_are_findings_at_once():
    refused = contact_state(
        [(date(2025, 3, 3), "refused")], max_attempts=3, is_working_day=weekdays
    )
    wrong = contact_state(
        [(date(2025, 3, 3), "wrong_number")], max_attempts=3, is_working_day=weekdays
    )
    assert refused.may_submit and not refused.needs_answers
    assert refused.findings[0]["signal"] == "repayment_willingness"
    assert wrong.findings[0]["signal"] == "contact_failure"
