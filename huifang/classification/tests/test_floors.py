"""The classification floors (classification.md), on plain values."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huifang.classification.floors import (
    CATEGORIES,
    DEFAULT_RULES,
    RANK,
    WARNING_LEVELS,
    Facts,
    RulesError,
    dpd_floor,
    floors,
    reason_label,
    suggest,
    validate_rules,
)
from huifang.portfolio import loanmath


@pytest.mark.parametrize(
    ("dpd", "category"),
    [
        (0, "normal"),
        (1, "special_mention"),
        (90, "special_mention"),
        (91, "substandard"),
        (270, "substandard"),
        (271, "doubtful"),
        (360, "doubtful"),
        (361, "loss"),
        (2000, "loss"),
    ],
)
def test_the_spec_dpd_table(dpd, category):
    # given only days past due, then the suggestion is the table's floor
    assert dpd_floor(dpd) == category
    assert suggest(Facts(dpd=dpd))[0] == category


def test_a_loan_with_nothing_against_it_is_normal_with_no_reasons():
    assert suggest(Facts(dpd=0)) == ("normal", [])


def test_dpd_reason_names_the_days():
    assert suggest(Facts(dpd=45)) == ("special_mention", ["dpd:45"])


def test_fund_misuse_confirmed_by_a_visit_is_at_least_special_mention():
    category, reasons = suggest(Facts(dpd=0, signals={"fund_misuse": "visit 123"}))
    assert category == "special_mention"
    assert reasons == ["fund_misuse:visit 123"]


def test_fund_misuse_does_not_lower_a_worse_dpd_floor():
    category, reasons = suggest(Facts(dpd=100, signals={"fund_misuse": "visit 7"}))
    assert category == "substandard"
    assert reasons == ["dpd:100", "fund_misuse:visit 7"]


def test_signals_outside_the_rule_set_set_no_floor():
    assert suggest(Facts(dpd=0, signals={"business_decline": "visit 1"})) == ("normal", [])


@pytest.mark.parametrize(
    ("levels", "category", "reasons"),
    [
        ({"red"}, "substandard", ["warning:red"]),
        ({"orange"}, "special_mention", ["warning:orange"]),
        ({"yellow", "blue"}, "normal", []),
        ({"red", "orange"}, "substandard", ["warning:red", "warning:orange"]),
    ],
)
def test_open_warnings(levels, category, reasons):
    assert suggest(Facts(dpd=0, warning_levels=frozenset(levels))) == (category, reasons)


def test_a_restructured_loan_in_observation_is_not_upgraded():
    # given a loan confirmed doubtful, restructured, now current
    facts = Facts(dpd=0, in_observation=True, previous="doubtful")
    # then it stays doubtful during the observation period
    assert suggest(facts) == ("doubtful", ["restructured:observation:doubtful"])
    # and after it, the floors alone decide
    assert suggest(Facts(dpd=0, in_observation=False, previous="doubtful")) == ("normal", [])


def test_observation_never_improves_a_worse_floor():
    facts = Facts(dpd=400, in_observation=True, previous="substandard")
    assert suggest(facts)[0] == "loss"


def test_an_admin_can_extend_the_rule_set():
    rules = validate_rules(
        {
            **DEFAULT_RULES,
            "signals": {**DEFAULT_RULES["signals"], "repayment_willingness": "substandard"},
            "warnings": {**DEFAULT_RULES["warnings"], "yellow": "special_mention"},
        }
    )
    facts = Facts(dpd=0, signals={"repayment_willingness": "visit 9"}, warning_levels={"yellow"})
    assert suggest(facts, rules) == (
        "substandard",
        ["repayment_willingness:visit 9", "warning:yellow"],
    )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"dpd": [[0, "loss"]]}, "逐档递增"),
        ({"dpd": [[10, "loss"], [5, "doubtful"]]}, "逐档递增"),
        ({"dpd": [[10, "bad"]]}, "分类“bad”无效"),
        ({"warnings": {"purple": "loss"}}, "预警级别“purple”"),
        ({"signals": {"fund_misuse": "worse"}}, "分类“worse”无效"),
        ({"colours": {}}, "未知的规则部分：colours"),
        ({"signals": {"Legal Risk": "loss"}}, "信号代码“Legal Risk”无效"),
        # classification.md fixes the DPD table: it cannot be weakened, changed or dropped.
        ({"dpd": [[1, "special_mention"], [181, "substandard"]]}, "不能修改或删除"),
        ({"dpd": []}, "不能修改或删除"),
        # The default rule set's other floors can be extended, not weakened.
        ({"signals": {}}, "fund_misuse 是默认规则"),
        ({"warnings": {"red": "special_mention", "orange": "special_mention"}}, "warnings red"),
        ({"observation_holds": False}, "不能关闭"),
        ({"observation_holds": "yes"}, "true 或 false"),
    ],
)
def test_a_rule_set_that_makes_no_sense_is_refused(rules, message):
    with pytest.raises(RulesError, match=message):
        validate_rules(rules)


def test_a_rule_set_without_dpd_gets_the_spec_table():
    assert validate_rules({"signals": {"fund_misuse": "loss"}})["dpd"] == DEFAULT_RULES["dpd"]


def test_the_default_rules_are_valid():
    assert validate_rules(DEFAULT_RULES) == DEFAULT_RULES


def test_reasons_read_in_chinese():
    assert reason_label("dpd:45") == "逾期天数：45"
    assert reason_label("warning:red") == "存在未解除的红色预警"
    assert "回访 123" in reason_label("fund_misuse:visit 123")
    assert "可疑" in reason_label("restructured:observation:doubtful")


facts_strategy = st.builds(
    Facts,
    dpd=st.integers(min_value=0, max_value=5000),
    signals=st.dictionaries(
        st.sampled_from(["fund_misuse", "business_decline", "other_risk"]),
        st.sampled_from(["visit 1", "visit 22", ""]),
        max_size=3,
    ),
    warning_levels=st.frozensets(st.sampled_from(WARNING_LEVELS)),
    in_observation=st.booleans(),
    previous=st.none() | st.sampled_from(CATEGORIES),
)


@given(facts_strategy)
def test_the_suggestion_is_never_better_than_any_floor_and_the_worst_wins(facts):
    category, reasons = suggest(facts)
    applied = floors(facts)
    # never better than any applicable floor
    assert all(RANK[category] >= RANK[floor] for floor, _ in applied)
    # the worst floor wins, or normal when none applies
    assert category == (max((f for f, _ in applied), key=RANK.__getitem__) if applied else "normal")
    # one reason per floor that applied
    assert len(reasons) == len(applied)


@given(st.integers(min_value=0, max_value=5000))
def test_dpd_floor_agrees_with_the_portfolio_core(dpd):
    assert dpd_floor(dpd) == loanmath.dpd_floor_category(dpd)


@given(facts_strategy, st.integers(min_value=0, max_value=400))
def test_more_days_past_due_never_improve_the_suggestion(facts, more):
    worse = Facts(
        dpd=facts.dpd + more,
        signals=facts.signals,
        warning_levels=facts.warning_levels,
        in_observation=facts.in_observation,
        previous=facts.previous,
    )
    assert RANK[suggest(worse)[0]] >= RANK[suggest(facts)[0]]
