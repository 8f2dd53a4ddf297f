"""The archive's word segmentation and excerpts (archive.text): pure functions."""

from hypothesis import given
from hypothesis import strategies as st

from huifang.archive.text import query_terms, segment, snippet, tokens_text

NOTES = "店铺生意兴隆，新增两名员工，资金用于购进面粉。"


def test_segment_finds_the_words_and_the_shorter_words_inside_long_ones():
    words = segment(NOTES)
    for word in ("生意", "兴隆", "生意兴隆", "员工", "面粉", "资金"):
        assert word in words
    assert "停产" not in words


def test_segment_drops_punctuation_and_spaces_and_lowercases_latin():
    words = segment("ABC公司 ， 2025年！ Loan-001  \n ＸＹＺ")
    assert "，" not in words and "！" not in words and " " not in words and "-" not in words
    assert {"abc", "2025", "loan", "001", "xyz"} <= set(words)


def test_segment_keeps_each_word_once_in_order():
    words = segment("员工 员工 面粉 员工")
    assert words == ["员工", "面粉"]


def test_tokens_are_single_space_separated():
    text = tokens_text(NOTES)
    assert "  " not in text and text == text.strip()
    assert text.split(" ") == segment(NOTES)


def test_query_terms_keep_a_long_word_whole_and_split_a_phrase():
    assert query_terms("生意兴隆") == ["生意兴隆"]
    assert query_terms("员工 面粉") == ["员工", "面粉"]
    assert query_terms("  ，。") == []
    assert query_terms("") == []


@given(st.text(max_size=60))
def test_every_query_term_of_a_text_is_among_its_indexed_words(text):
    # What a search finds: any word the query mode cuts from a text, the index holds.
    assert set(query_terms(text)) <= set(segment(text))


def test_snippet_marks_the_match_and_escapes_the_rest():
    text = "客户说<b>明年</b>准备扩大经营 & 新增两名员工"
    html = snippet(text, ["员工"])
    assert "<mark>员工</mark>" in html
    assert "&lt;b&gt;明年&lt;/b&gt;" in html and "&amp;" in html
    assert "<b>" not in html


def test_snippet_is_an_excerpt_around_the_first_match():
    text = "前情" * 100 + "发现厂房已经停产" + "后续" * 100
    html = snippet(text, ["停产"], width=30)
    assert "<mark>停产</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    plain = html.replace("<mark>", "").replace("</mark>", "").strip("…")
    assert len(plain) == 30


def test_snippet_marks_every_occurrence_and_latin_case_insensitively():
    html = snippet("ABC 公司与 abc 合作", ["abc"])
    assert html.count("<mark>") == 2
    assert "<mark>ABC</mark>" in html


def test_snippet_without_a_match_is_the_beginning_of_the_text():
    assert snippet("一二三四五六七八九十", ["停产"], width=4) == "一二三四…"
    assert snippet("", ["停产"]) == ""
    assert snippet("短文本", []) == "短文本"


def test_snippet_is_safe_html_even_for_a_term_with_markup():
    html = snippet("a <script> b", ["<script>"])
    assert html == "a <mark>&lt;script&gt;</mark> b"
