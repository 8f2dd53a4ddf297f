"""Warning rules over a loan's facts: the default rule set and the rule editor's checks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huifang.risk.codes import LEVEL_RANK, SEVERITY_RANK, SignalCode
from huifang.risk.rules import (
    DEFAULT_RULES,
    Facts,
    OpenSignal,
    Rule,
    evaluate,
    validate_conditions,
)


def level(**facts) -> str | None:
    return evaluate(DEFAULT_RULES, Facts(**facts)).level


def sig(code: str, severity: str = "high", pk: int | None = 1) -> OpenSignal:
    return OpenSignal(pk, code, severity)


def test_nothing_wrong_means_no_warning():
    assert level() is None
    assert level(signals=[sig("business_decline", "low")]) is None


def test_three_failed_contacts_and_dpd_15_is_yellow():
    assert level(failed_contacts=3, dpd=15) == "yellow"


@pytest.mark.parametrize(("contacts", "dpd"), [(2, 15), (3, 14), (0, 20)])
def test_fewer_failed_contacts_or_less_overdue_is_not_yellow(contacts, dpd):
    assert level(failed_contacts=contacts, dpd=dpd) in (None, "blue")


def test_overdue_with_a_partial_payment_is_blue():
    assert level(dpd=10, partial_payment=True) == "blue"
    assert level(dpd=10, partial_payment=False) is None


@pytest.mark.parametrize(
    ("dpd", "expected"),
    [(0, None), (30, None), (31, "yellow"), (60, "yellow"), (61, "orange"), (90, "orange")],
)
def test_days_past_due_ladder(dpd, expected):
    assert level(dpd=dpd) == expected


@pytest.mark.parametrize("dpd", [91, 200, 400])
def test_more_than_90_days_past_due_is_red(dpd):
    assert level(dpd=dpd) == "red"


def test_fund_misuse_high_is_orange_but_low_is_not():
    assert level(signals=[sig("fund_misuse", "high")]) == "orange"
    assert level(signals=[sig("fund_misuse", "low")]) is None


@pytest.mark.parametrize("code", ["legal_risk", "asset_seizure", "borrower_missing"])
def test_legal_seizure_or_missing_borrower_is_red(code):
    assert level(signals=[sig(code, "high")]) == "red"


def test_a_medium_signal_is_blue_and_a_high_business_signal_yellow():
    assert level(signals=[sig("business_decline", "medium")]) == "blue"
    assert level(signals=[sig("business_decline", "high")]) == "yellow"


def test_the_highest_matching_level_wins_and_names_its_rules_and_signals():
    outcome = evaluate(
        DEFAULT_RULES,
        Facts(
            signals=[sig("business_decline", "medium", 7), sig("asset_seizure", "high", 9)],
            dpd=40,
        ),
    )
    assert outcome.level == "red"
    assert outcome.rules[0].code == "legal_or_seizure"
    assert {"overdue_31_60", "signal_medium"} <= {r.code for r in outcome.rules}
    assert set(outcome.signal_ids) == {7, 9}


def test_min_count():
    rule = Rule("two", "两条", "yellow", {"signals": ["other_risk"], "min_count": 2})
    assert evaluate([rule], Facts(signals=[sig("other_risk")])).level is None
    two = [sig("other_risk", pk=1), sig("other_risk", pk=2)]
    assert evaluate([rule], Facts(signals=two)).level == "yellow"


def test_a_rule_without_conditions_matches_nothing():
    assert evaluate([Rule("empty", "空", "red", {})], Facts(dpd=500)).level is None


@given(
    dpd=st.integers(min_value=0, max_value=1000),
    contacts=st.integers(min_value=0, max_value=10),
    partial=st.booleans(),
    codes=st.lists(
        st.tuples(st.sampled_from(SignalCode.values), st.sampled_from(list(SEVERITY_RANK))),
        max_size=6,
    ),
)
def test_more_trouble_never_lowers_the_level(dpd, contacts, partial, codes):
    signals = [OpenSignal(i, c, s) for i, (c, s) in enumerate(codes)]
    base = level(dpd=dpd, failed_contacts=contacts, partial_payment=partial, signals=signals)
    worse = level(
        dpd=dpd,
        failed_contacts=contacts + 1,
        partial_payment=partial,
        signals=[*signals, OpenSignal(99, "fund_misuse", "high")],
    )
    assert LEVEL_RANK.get(worse or "", 0) >= LEVEL_RANK.get(base or "", 0)


def test_the_default_rules_are_valid():
    for rule in DEFAULT_RULES:
        assert validate_conditions(rule.conditions) == {}, rule.code


@pytest.mark.parametrize(
    ("conditions", "field"),
    [
        ({}, "conditions"),
        ([], "conditions"),
        ({"dpd_minimum": 3}, "dpd_minimum"),
        ({"signals": ["no_such_signal"]}, "signals"),
        ({"signals": []}, "signals"),
        ({"min_severity": "high"}, "signals"),
        ({"signals": ["overdue"], "min_severity": "huge"}, "min_severity"),
        ({"dpd_min": -1}, "dpd_min"),
        ({"dpd_min": "15"}, "dpd_min"),
        ({"dpd_min": 30, "dpd_max": 10}, "dpd_max"),
        ({"partial_payment": "yes"}, "partial_payment"),
        ({"failed_contacts_min": True}, "failed_contacts_min"),
    ],
)
def test_bad_conditions_are_named(conditions, field):
    errors = validate_conditions(conditions)
    assert field in errors and errors[field]
