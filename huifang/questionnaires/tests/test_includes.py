"""The answer form and the read-only answers, as the visit pages and PDFs include them."""

from html.parser import HTMLParser

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from huifang.questionnaires.models import Questionnaire
from huifang.questionnaires.schema import answers_from_post, clean_answers, findings


class Inputs(HTMLParser):
    """What a browser would submit from the rendered form (unchanged): name -> values."""

    def __init__(self) -> None:
        super().__init__()
        self.data = QueryDict(mutable=True)
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.data.appendlist(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.appendlist(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            values = self.data.getlist(self._textarea)
            values[-1] += data
            self.data.setlist(self._textarea, values)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def submitted(html: str) -> QueryDict:
    parser = Inputs()
    parser.feed(html)
    return parser.data


def standard() -> dict:
    return Questionnaire.objects.get(code="borrower-standard").versions.get(number=1).definition


ANSWERS = {
    "funds_as_contract": False,
    "actual_use": "一半用于装修门店\n一半用于进货",
    "invoices_seen": True,
    "revenue_trend": "down",
    "monthly_revenue": "38000.00",
    "orders": "fewer",
    "premises_normal": True,
    "income_sufficient": True,
    "intends_on_time": True,
    "difficulty_next_3m": False,
    "guarantor_status": "none",
    "collateral_status": "normal",
    "site_photos": [11],
    "satisfaction": 2,
    "nps": 0,
    "suggestions": "希望延长还款期限",
}
PHOTOS = [(11, "门头.jpg", "/media/t/11.jpg"), (12, "库存.jpg", "/media/t/12.jpg")]


@pytest.mark.django_db
def test_the_form_submits_back_exactly_the_answers_it_shows():
    # given the standard questionnaire rendered with answers
    html = render_to_string(
        "questionnaires/_answer_form.html",
        {"definition": standard(), "answers": ANSWERS, "photos": PHOTOS, "show_scripts": True},
    )

    # when the page is submitted as it is, then the same answers come back
    raw = answers_from_post(standard(), submitted(html))
    assert clean_answers(standard(), raw, complete=True) == (ANSWERS, {})


@pytest.mark.django_db
def test_the_form_has_the_right_input_for_each_type():
    html = render_to_string(
        "questionnaires/_answer_form.html",
        {"definition": standard(), "answers": {}, "prefix": "v", "show_scripts": True},
    )
    assert (
        'type="radio" id="id_v-funds_as_contract_0" name="v-funds_as_contract" value="true"' in html
    )
    assert (
        'inputmode="decimal" autocomplete="off" id="id_v-monthly_revenue" name="v-monthly_revenue"'
        in html
    )
    assert html.count('name="v-nps"') == 11 and html.count('name="v-satisfaction"') == 5
    assert '<textarea id="id_v-suggestions" name="v-suggestions"' in html
    # no photos yet: a hint where to attach them
    assert "附件" in html and 'name="v-site_photos"' not in html
    # the script of each question, in its own box
    assert html.count('class="qf-script"') == 21
    # a conditional question says on what
    assert 'data-show-if="funds_as_contract" data-show-values="[&quot;false&quot;]"' in html
    assert "questionnaires/answer_form.js" in html


@pytest.mark.django_db
def test_borrowers_do_not_see_the_scripts():
    html = render_to_string(
        "questionnaires/_answer_form.html", {"definition": standard(), "show_scripts": False}
    )
    assert "qf-script" not in html and "话术" not in html


@pytest.mark.django_db
def test_a_refused_answer_is_shown_as_typed_beside_its_message():
    raw = {"funds_as_contract": "false", "monthly_revenue": "三万八", "actual_use": ""}
    answers, errors = clean_answers(standard(), raw, complete=True)
    html = render_to_string(
        "questionnaires/_answer_form.html",
        {"definition": standard(), "answers": raw, "errors": errors},
    )
    assert 'value="三万八"' in html
    assert '<p class="field-error" id="id_q-monthly_revenue_error">请填写金额' in html
    assert '<p class="field-error" id="id_q-actual_use_error">此题为必答题</p>' in html
    # the answer that was fine stays ticked
    assert 'value="false" checked' in html
    # shown, because funds were not used as the contract says
    assert 'class="qf-q qf-t-text has-error" data-q="actual_use"' in html


@pytest.mark.django_db
def test_a_question_hidden_by_the_answers_starts_hidden():
    html = render_to_string(
        "questionnaires/_answer_form.html",
        {"definition": standard(), "answers": {"funds_as_contract": True}},
    )
    assert 'class="qf-q qf-t-text is-hidden" data-q="actual_use"' in html


@pytest.mark.django_db
def test_the_answers_view_shows_labels_and_highlights_risks():
    html = render_to_string(
        "questionnaires/_answers_view.html",
        {
            "definition": standard(),
            "answers": ANSWERS,
            "findings": findings(standard(), ANSWERS),
        },
    )
    assert "<dt>与放款时相比，经营收入的变化</dt>" in html
    assert '<span class="qa-answer">下降</span>' in html
    assert "38,000.00 元" in html
    assert "一半用于装修门店<br>一半用于进货" in html
    assert "qa-flagged qa-flagged-high" in html
    assert "【资金挪用 · 高风险】</strong> 资金未按合同约定用途使用" in html
    assert "【经营下滑 · 中风险】" in html and "【客户不满意 · 低风险】" in html
    assert "<script" not in html
    # a visible question left open
    assert "未回答" in html


@pytest.mark.django_db
def test_the_answers_view_works_out_the_findings_and_leaves_hidden_questions_out():
    answers = {"funds_as_contract": True, "actual_use": "不应出现", "revenue_trend": "down"}
    html = render_to_string(
        "questionnaires/_answers_view.html", {"definition": standard(), "answers": answers}
    )
    assert "不应出现" not in html and "资金的实际用途" not in html
    assert "【经营下滑 · 中风险】" in html
