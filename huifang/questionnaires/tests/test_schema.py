"""The definition format and its answers (schema.md): pure functions, no database."""

import copy

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from huifang.questionnaires import schema
from huifang.questionnaires.schema import (
    DefinitionError,
    answers_from_post,
    answers_text,
    clean_answers,
    findings,
    validate_definition,
    visible_keys,
)


def question(key, kind="yes_no", label=None, **extra):
    return {"key": key, "type": kind, "label": label or f"题目{key}", **extra}


def definition(*questions, title="经营情况"):
    return {"sections": [{"key": "main", "title": title, "questions": list(questions)}]}


TREND = [
    {"value": "up", "label": "上升"},
    {"value": "flat", "label": "基本持平"},
    {"value": "down", "label": "下降"},
]
FUND = definition(
    question(
        "funds_as_contract",
        required=True,
        risks=[{"when": {"equals": False}, "signal": "fund_misuse", "severity": "high"}],
    ),
    question(
        "actual_use",
        "text",
        "资金实际用途",
        required=True,
        show_if={"question": "funds_as_contract", "equals": False},
    ),
    question(
        "revenue_trend",
        "single",
        "经营收入",
        options=TREND,
        risks=[
            {
                "when": {"equals": "down"},
                "signal": "business_decline",
                "severity": "medium",
                "label": "经营收入下降",
            }
        ],
    ),
    question("monthly_revenue", "money", "月收入", min=0, max=10_000_000),
    question("orders", "number", "订单数"),
    question("visit_day", "date", "回访日期"),
    question("channels", "multiple", "销售渠道", options=TREND),
    question(
        "satisfaction",
        "rating",
        "满意度",
        risks=[{"when": {"lte": 2}, "signal": "borrower_dissatisfied", "severity": "low"}],
    ),
    question("nps", "nps", "推荐度"),
    question("photos", "photo", "现场照片"),
)


def problems_of(data) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as caught:
        validate_definition(data)
    return caught.value.problems


# --- validating a definition ----------------------------------------------------------------


def test_a_well_formed_definition_passes():
    validate_definition(FUND)


def test_every_problem_is_listed_by_section_and_question_number_and_label():
    # given a definition with a problem in the second question of the second section
    data = copy.deepcopy(FUND)
    data["sections"].append(
        {
            "key": "more",
            "title": "其他",
            "questions": [
                question("a1"),
                question("income", "single", "经营收入", options=[{"value": "x", "label": "X"}]),
            ],
        }
    )
    data["sections"][0]["questions"][0]["type"] = "yesno"

    problems = problems_of(data)

    assert ("第2节第2题（经营收入）：选项", "单选题至少需要两个选项") in problems
    assert problems[0][0] == "第1节第1题（题目funds_as_contract）：题型"
    assert "yesno" in problems[0][1]


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        ([], "问卷", "内容必须是一个 JSON 对象"),
        ({"sections": []}, "问卷", "至少需要一节"),
        ({"sections": [], "title": "x"}, "问卷", "未知字段“title”"),
        (
            {"sections": [{"key": "s", "title": "", "questions": [question("a")]}]},
            "第1节：标题",
            "不能为空",
        ),
        (
            {"sections": [{"key": "S 1", "title": "甲", "questions": [question("a")]}]},
            "第1节（甲）：代码",
            "只能由小写字母、数字和下划线组成",
        ),
        ({"sections": [{"key": "s", "title": "甲", "questions": []}]}, "第1节（甲）", "至少需要一道题"),
        (definition(question("a"), question("a")), "第1节第2题（题目a）：代码", "重复"),
        (definition(question("a", label=" ")), "第1节第1题：题目", "不能为空"),
        (definition(question("a", requried=True)), "第1节第1题（题目a）", "未知字段“requried”"),
        (definition(question("a", required="yes")), "第1节第1题（题目a）：必答", "true 或 false"),
        (
            definition(question("a", options=TREND)),
            "第1节第1题（题目a）：选项",
            "只有单选题和多选题",
        ),
        (
            definition(question("a", "multiple", options=TREND + [TREND[0]])),
            "第1节第1题（题目a）：第4个选项的值",
            "重复",
        ),
        (
            definition(question("a", "single", options=[{"value": "x"}, {"value": "y", "label": "Y"}])),
            "第1节第1题（题目a）：第1个选项的名称",
            "不能为空",
        ),
        (definition(question("a", "text", min=1)), "第1节第1题（题目a）：取值范围", "只有数字题"),
        (definition(question("a", "money", min="abc")), "第1节第1题（题目a）：最小值", "必须是数字"),
        (definition(question("a", "number", min=5, max=1)), "第1节第1题（题目a）：取值范围", "最小值不能大于最大值"),
        (
            definition(question("a", show_if={"question": "b", "equals": True}), question("b")),
            "第1节第1题（题目a）：显示条件",
            "不存在或不在本题之前",
        ),
        (
            definition(question("a"), question("b", show_if={"question": "a", "equals": "no"})),
            "第1节第2题（题目b）：显示条件",
            "不是是否题的回答",
        ),
        (
            definition(question("a", "text"), question("b", show_if={"question": "a", "equals": "x"})),
            "第1节第2题（题目b）：显示条件",
            "只能根据",
        ),
        (
            definition(
                question("a", "single", options=TREND),
                question("b", show_if={"question": "a", "in": ["up", "sideways"]}),
            ),
            "第1节第2题（题目b）：显示条件",
            "“sideways”不是题目“题目a”的选项值",
        ),
        (
            definition(question("a"), question("b", show_if={"question": "a", "equals": True, "in": [True]})),
            "第1节第2题（题目b）：显示条件",
            "必须且只能设置",
        ),
        (
            definition(question("a", risks=[{"when": {"equals": False}, "signal": "fraud", "severity": "high"}])),
            "第1节第1题（题目a）：第1条风险规则的信号",
            "“fraud”不是可用的预警信号",
        ),
        (
            definition(question("a", risks=[{"when": {"equals": False}, "signal": "other_risk", "severity": "urgent"}])),
            "第1节第1题（题目a）：第1条风险规则的严重程度",
            "low、medium 或 high",
        ),
        (
            definition(question("a", risks=[{"when": {"lt": 3}, "signal": "other_risk", "severity": "low"}])),
            "第1节第1题（题目a）：第1条风险规则的条件",
            "不能使用运算符“lt”",
        ),
        (
            definition(question("a", risks=[{"when": {"equals": False, "in": [False]}, "signal": "other_risk", "severity": "low"}])),
            "第1节第1题（题目a）：第1条风险规则的条件",
            "只含一个运算符",
        ),
        (
            definition(question("a", "rating", risks=[{"when": {"lte": "two"}, "signal": "other_risk", "severity": "low"}])),
            "第1节第1题（题目a）：第1条风险规则的条件",
            "必须是数字",
        ),
        (
            definition(question("a", "rating", risks=[{"when": {"equals": 6}, "signal": "other_risk", "severity": "low"}])),
            "第1节第1题（题目a）：第1条风险规则的条件",
            "不在题目“题目a”的分值范围内",
        ),
        (
            definition(question("a", "text", risks=[{"when": {"equals": "x"}, "signal": "other_risk", "severity": "low"}])),
            "第1节第1题（题目a）：风险规则",
            "文字题不能设置风险规则",
        ),
    ],
)  # fmt: skip
def test_a_wrong_definition_is_refused_saying_where_and_why(data, where, message):
    problems = problems_of(data)
    assert any(w == where and message in m for w, m in problems), problems


def test_a_long_label_is_shortened_in_the_place_name():
    data = definition(
        question("a", "single", "请问您的经营场所近三个月的客流量与去年同期相比有何变化")
    )
    (where, _message), *_ = problems_of(data)
    assert where == "第1节第1题（请问您的经营场所近三个月的客流量与去年同…）：选项"


# --- answers ---------------------------------------------------------------------------------


def test_answers_are_normalised_by_type():
    raw = {
        "funds_as_contract": "false",
        "actual_use": "  买了一辆货车  ",
        "revenue_trend": "down",
        "monthly_revenue": "１２,０００.5元",
        "orders": "12.50",
        "visit_day": "2025/6/3",
        "channels": ["down", "up", "up"],
        "satisfaction": "2",
        "nps": 7,
        "photos": ["12", "7", "12"],
    }

    answers, errors = clean_answers(FUND, raw, complete=True)

    assert errors == {}
    assert answers == {
        "funds_as_contract": False,
        "actual_use": "买了一辆货车",
        "revenue_trend": "down",
        "monthly_revenue": "12000.50",
        "orders": "12.5",
        "visit_day": "2025-06-03",
        "channels": ["up", "down"],
        "satisfaction": 2,
        "nps": 7,
        "photos": [12, 7],
    }
    # normalised answers are a fixed point
    assert clean_answers(FUND, answers, complete=True) == (answers, {})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("funds_as_contract", "maybe", "请选择“是”或“否”"),
        ("revenue_trend", "sideways", "请从选项中选择一项"),
        ("channels", ["up", "sideways"], "“sideways”不是本题的选项"),
        ("monthly_revenue", "一万", "请填写金额"),
        ("monthly_revenue", "12.345", "最多两位小数"),
        ("monthly_revenue", "-5", "不能小于 0"),
        ("monthly_revenue", "20000000", "不能大于 10000000"),
        ("orders", "abc", "请填写数字"),
        ("orders", True, "请填写数字"),
        ("orders", "1e30", "数值过大"),
        ("visit_day", "2025-02-30", "没有这一天"),
        ("visit_day", "下周三", "请填写日期"),
        ("satisfaction", "6", "请选择 1 到 5 分"),
        ("satisfaction", "3.5", "请选择 1 到 5 分"),
        ("nps", 11, "请选择 0 到 10 分"),
        ("photos", ["x"], "照片编号无效"),
        ("photos", [0], "照片编号无效"),
    ],
)
def test_a_wrong_answer_gets_a_chinese_message_and_is_not_kept(key, value, message):
    answers, errors = clean_answers(FUND, {"funds_as_contract": True, key: value}, complete=False)
    assert message in errors[key]
    assert key not in answers


def test_required_questions_must_be_answered_only_when_complete():
    # a draft may leave them open
    assert clean_answers(FUND, {}, complete=False) == ({}, {})
    # a submission may not
    _answers, errors = clean_answers(FUND, {"funds_as_contract": " "}, complete=True)
    assert errors == {"funds_as_contract": "此题为必答题"}


def test_a_hidden_question_is_neither_required_nor_kept():
    # funds used as the contract says: the actual use is not asked
    answers, errors = clean_answers(
        FUND, {"funds_as_contract": "true", "actual_use": "旅游"}, complete=True
    )
    assert answers == {"funds_as_contract": True}
    assert errors == {}
    # not as the contract says: it is asked, and required
    _answers, errors = clean_answers(FUND, {"funds_as_contract": "false"}, complete=True)
    assert errors == {"actual_use": "此题为必答题"}


def test_a_condition_on_a_hidden_question_hides_too():
    data = definition(
        question("a"),
        question("b", "single", options=TREND, show_if={"question": "a", "equals": True}),
        question("c", "text", show_if={"question": "b", "in": ["down", "flat"]}),
        question("d", "text"),
    )
    assert visible_keys(data, {"a": True, "b": "down"}) == {"a", "b", "c", "d"}
    # b hidden: its answer does not show c
    assert visible_keys(data, {"a": False, "b": "down"}) == {"a", "d"}
    assert clean_answers(data, {"a": "false", "b": "down", "c": "说明"}, complete=False)[0] == {
        "a": False
    }


def test_a_condition_on_a_multiple_choice_shows_when_any_wanted_option_is_ticked():
    data = definition(
        question("m", "multiple", options=TREND),
        question("why", "text", show_if={"question": "m", "in": ["down", "flat"]}),
    )
    assert "why" in visible_keys(data, {"m": ["up", "flat"]})
    assert "why" not in visible_keys(data, {"m": ["up"]})


def test_findings_name_the_signal_severity_question_answer_and_label():
    answers = {"funds_as_contract": False, "actual_use": "炒股", "revenue_trend": "down"}
    answers["satisfaction"] = 1
    assert findings(FUND, answers) == [
        {
            "signal": "fund_misuse",
            "severity": "high",
            "question": "funds_as_contract",
            "answer": False,
            "label": "资金挪用",  # no label of its own: the signal's
        },
        {
            "signal": "business_decline",
            "severity": "medium",
            "question": "revenue_trend",
            "answer": "down",
            "label": "经营收入下降",
        },
        {
            "signal": "borrower_dissatisfied",
            "severity": "low",
            "question": "satisfaction",
            "answer": 1,
            "label": "客户不满意",
        },
    ]
    assert findings(FUND, {"funds_as_contract": True, "satisfaction": 3}) == []


@pytest.mark.parametrize(
    ("kind", "when", "answer", "matches"),
    [
        ("money", {"gt": 1000}, "1000.01", True),
        ("money", {"gt": 1000}, "1000.00", False),
        ("money", {"gte": "1000"}, "1000.00", True),
        ("money", {"equals": 1000}, "1000.00", True),
        ("number", {"lt": 0}, "-1", True),
        ("number", {"not_equals": 3}, "3.0", False),
        ("nps", {"in": [0, 1, 2]}, 2, True),
        ("nps", {"lte": 6}, 7, False),
        ("rating", {"equals": 1}, True, False),
        ("multiple", {"contains": "down"}, ["up", "down"], True),
        ("multiple", {"contains": "down"}, ["up"], False),
        ("single", {"in": ["flat", "down"]}, "flat", True),
        ("single", {"not_equals": "up"}, "up", False),
        ("yes_no", {"not_equals": True}, False, True),
    ],
)
def test_risk_operators(kind, when, answer, matches):
    extra = {"options": TREND} if kind in ("single", "multiple") else {}
    data = definition(
        question(
            "x", kind, **extra, risks=[{"when": when, "signal": "other_risk", "severity": "low"}]
        )
    )
    validate_definition(data)
    assert bool(findings(data, {"x": answer})) is matches


def test_answers_text_reads_like_the_record():
    answers, _errors = clean_answers(
        FUND,
        {
            "funds_as_contract": False,
            "actual_use": "买车\n和装修",
            "revenue_trend": "flat",
            "monthly_revenue": "12000",
            "channels": ["up", "down"],
            "satisfaction": 4,
            "photos": [3, 4],
        },
        complete=False,
    )
    assert answers_text(FUND, answers).splitlines() == [
        "题目funds_as_contract：否",
        "资金实际用途：买车 和装修",
        "经营收入：基本持平",
        "月收入：12,000.00 元",
        "销售渠道：上升、下降",
        "满意度：4 分",
        "现场照片：2 张照片",
    ]


def test_answers_from_post_reads_the_named_inputs():
    post = QueryDict(mutable=True)
    post.update({"q-funds_as_contract": "false", "q-actual_use": "炒股", "other": "x"})
    post.setlist("q-channels", ["up", "", "down"])
    post.setlist("q-photos", ["5"])
    post["q-orders"] = ""

    raw = answers_from_post(FUND, post)

    assert raw == {
        "funds_as_contract": "false",
        "actual_use": "炒股",
        "channels": ["up", "down"],
        "photos": ["5"],
        "orders": "",
    }
    assert answers_from_post(FUND, QueryDict("v-nps=9"), prefix="v") == {"nps": "9"}


def test_the_signal_vocabulary_is_the_contracts():
    assert list(schema.SIGNALS) == [
        "fund_misuse",
        "business_decline",
        "repayment_ability",
        "repayment_willingness",
        "guarantor_risk",
        "collateral_risk",
        "contact_failure",
        "borrower_dissatisfied",
        "other_risk",
    ]
    assert str(schema.SIGNALS["fund_misuse"]) == "资金挪用"
    assert list(schema.SEVERITIES) == ["low", "medium", "high"]


# --- properties ----------------------------------------------------------------------------

KINDS = [
    "yes_no",
    "single",
    "multiple",
    "number",
    "money",
    "date",
    "text",
    "rating",
    "nps",
    "photo",
]
RAW_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20),
    st.sampled_from(
        ["", " ", "true", "false", "up", "down", "flat", "3", "12.5", "2025-06-30", "x"]
    ),
    st.lists(st.sampled_from(["up", "down", "flat", "1", "2", ""]), max_size=3),
)


@st.composite
def definitions(draw):
    """A valid definition of up to 8 questions, some shown only on an earlier answer."""
    questions = []
    for i in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(KINDS))
        q = question(f"q{i}", kind, required=draw(st.booleans()))
        if kind in ("single", "multiple"):
            q["options"] = TREND
        conditional = [
            p for p in questions if p["type"] in ("yes_no", "single", "multiple", "rating")
        ]
        if conditional and draw(st.booleans()):
            target = draw(st.sampled_from(conditional))
            value = {
                "yes_no": draw(st.booleans()),
                "single": draw(st.sampled_from(["up", "flat", "down"])),
                "multiple": draw(st.sampled_from(["up", "flat", "down"])),
                "rating": draw(st.integers(1, 5)),
            }[target["type"]]
            q["show_if"] = {"question": target["key"], "equals": value}
        rule = {
            "yes_no": {"equals": False},
            "single": {"equals": "down"},
            "multiple": {"contains": "down"},
            "number": {"lt": 0},
            "money": {"gte": 10},
            "rating": {"lte": 2},
            "nps": {"lte": 6},
        }.get(kind)
        if rule:
            q["risks"] = [{"when": rule, "signal": "other_risk", "severity": "low"}]
        questions.append(q)
    return definition(*questions)


@settings(max_examples=300, deadline=None)
@given(
    data=definitions(),
    raw=st.dictionaries(st.sampled_from([f"q{i}" for i in range(9)]), RAW_VALUES),
)
def test_clean_answers_never_keeps_hidden_answers_and_is_idempotent(data, raw):
    validate_definition(data)
    answers, errors = clean_answers(data, raw, complete=True)
    shown = visible_keys(data, answers)
    # every kept answer is of a question shown for the kept answers
    assert set(answers) <= shown
    # an error is only ever about a shown question
    assert set(errors) <= visible_keys(data, raw) | shown
    # cleaning the clean answers changes nothing
    assert clean_answers(data, answers, complete=False) == (answers, {})
    # every shown required question is either answered or in error
    for q in schema.iter_questions(data):
        if q["key"] in shown and q.get("required"):
            assert q["key"] in answers or q["key"] in errors


@settings(max_examples=300, deadline=None)
@given(
    data=definitions(),
    raw=st.dictionaries(st.sampled_from([f"q{i}" for i in range(9)]), RAW_VALUES),
)
def test_findings_only_for_visible_answered_questions(data, raw):
    answers, _errors = clean_answers(data, raw, complete=False)
    found = findings(data, raw)
    assert {f["question"] for f in found} <= set(answers)
    # the raw and the clean answers mean the same risks
    assert found == findings(data, answers)
    for item in found:
        assert item["answer"] == answers[item["question"]]
        assert set(item) == {"signal", "severity", "question", "answer", "label"}
