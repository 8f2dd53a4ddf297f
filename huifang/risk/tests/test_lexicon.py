"""The risk lexicon over officers' notes: terms as whole words, and negation."""

import pytest

from huifang.risk.lexicon import DEFAULT_TERMS, Term, match


def terms_of(text: str) -> list[str]:
    return [h.term for h in match(text, DEFAULT_TERMS)]


@pytest.mark.parametrize(
    "text",
    [
        "企业未停产，经营正常",
        "没有裁员",
        "借款人否认拖欠工资",
        "公司尚未被起诉",
        "并未发现转移资产",
        "不存在资金链断裂的情况",
        "从未违约",
        "无逾期记录",
        "账户没有被冻结",
        "目前不停产",
        "借款人并未失联，电话可以接通",
        "厂房未被查封",
        "没发现挪用贷款",
    ],
)
def test_negated_lexicon_words_raise_nothing(text):
    assert match(text, DEFAULT_TERMS) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("工厂已停产", ["停产"]),
        ("工厂停产了", ["停产"]),
        ("上月裁员三十人", ["裁员"]),
        ("拖欠工资三个月", ["拖欠工资"]),
        ("借款人被列为被执行人", ["被执行"]),
        ("厂房被法院查封，账户被冻结", ["查封", "冻结"]),
        ("老板跑路，借款人失联", ["跑路", "失联"]),
        ("股东抽逃出资", ["抽逃"]),
        ("挪用贷款资金用于赌博", ["挪用", "赌博"]),
        ("资金链断裂", ["资金链断裂"]),
        ("企业破产", ["破产"]),  # inside one compound word
        ("停工停产", ["停工", "停产"]),
        ("涉诉两起", ["涉诉"]),
        ("借款人转移资产", ["转移资产"]),
    ],
)
def test_terms_raise_their_signal(text, expected):
    assert terms_of(text) == expected


def test_a_negator_does_not_reach_into_the_next_clause():
    # 未停产 is denied, but 裁员 after the comma is not
    hits = match("企业未停产，但已裁员二十人", DEFAULT_TERMS)
    assert [(h.term, h.code) for h in hits] == [("裁员", "business_decline")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没有钱所以停产了", ["停产"]),
        ("未按时发工资，导致裁员", ["裁员"]),
        ("没有订单，已经停工", ["停工"]),
        ("不但裁员还停产", ["裁员", "停产"]),  # 不但 is not a negator
    ],
)
def test_a_negation_ends_where_the_sentence_turns(text, expected):
    assert terms_of(text) == expected


def test_a_denied_term_still_raises_where_it_stands_undenied():
    assert terms_of("上周未停产，本周已停产") == ["停产"]


def test_a_term_straddling_two_words_is_not_that_term():
    # 跑路 inside 奔跑 + 路线 is not 跑路
    assert terms_of("每天沿着奔跑路线送货") == []


def test_full_width_text_and_custom_terms():
    hits = match("ＡＢＣ公司已经停业", [Term("停业", "business_decline", "medium")])
    assert [(h.term, h.severity) for h in hits] == [("停业", "medium")]


def test_the_hit_carries_its_clause_as_evidence():
    (hit,) = match("店面正常营业。据邻居说，老板已经跑路了！其他无异常", DEFAULT_TERMS)
    assert hit.code == "borrower_missing"
    assert hit.excerpt == "老板已经跑路了"


def test_empty_text_raises_nothing():
    assert match("", DEFAULT_TERMS) == [] and match("   ", DEFAULT_TERMS) == []


def test_the_shipped_terms_have_codes_and_severities():
    from huifang.risk.codes import SEVERITY_RANK, SignalCode

    required = {
        "停产", "停工", "裁员", "拖欠工资", "欠薪", "诉讼", "起诉", "被执行", "失联", "跑路",
        "查封", "冻结", "转移资产", "抽逃", "赌博", "挪用", "资金链断裂", "破产", "违约",
        "涉诉", "逾期",
    }  # fmt: skip
    shipped = {t.term for t in DEFAULT_TERMS}
    assert required <= shipped
    assert all(t.code in SignalCode.values and t.severity in SEVERITY_RANK for t in DEFAULT_TERMS)
