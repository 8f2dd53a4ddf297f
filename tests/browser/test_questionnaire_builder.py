"""The builder and the answer form's conditions, driven in headless Chromium (Playwright).

The database is transactional (live_server) and starts as the migrations leave it
(tests/browser/conftest.py).
"""

from collections.abc import Iterator
from typing import Any

import pytest

from huifang.accounts.models import Role, User
from huifang.questionnaires.models import Questionnaire
from tests.browser.conftest import _context

PASSWORD = "Builder-test-2026"


@pytest.fixture
def admin_page(browser, live_server, audit_purge_permit) -> Iterator[Any]:
    User.objects.create_user(username="qb_admin", password=PASSWORD, role=Role.ADMIN)
    context = _context(browser, live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "qb_admin")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    yield page
    context.close()
    assert errors == []


def test_building_a_section_with_a_choice_question_and_a_risk(admin_page, live_server):
    page = admin_page
    standard = Questionnaire.objects.get(code="borrower-standard")
    page.goto(f"{live_server.url}/questionnaires/{standard.pk}/edit/")
    page.wait_for_selector(".qb-section")
    # the JSON is tucked away while the editor works
    assert not page.locator("#qb-json").evaluate("d => d.open")

    # when the admin adds a section, whose new question opens
    page.click("text=+ 添加一节")
    section = page.locator(".qb-section").last
    section.locator(".qb-title").fill("门店租金")
    question = section.locator(".qb-question").last
    question.get_by_label("题目（记录的内容）").fill("门店房租是否按时缴纳？")
    question.get_by_label("话术（客户经理读出的内容）").fill("门店的房租都按时交了吗？")
    # a single choice: two options to name
    question.get_by_label("题型").select_option("single")
    question = page.locator(".qb-section").last.locator(".qb-question").last
    question.get_by_label("名称").nth(0).fill("按时缴纳")
    question.get_by_label("名称").nth(1).fill("拖欠")
    question.get_by_label("值（英文代码）").nth(1).fill("late")
    question.get_by_label("值（英文代码）").nth(1).blur()
    question.get_by_label("必答").check()
    # a risk: "拖欠" means the business declines
    question.locator("text=+ 添加风险规则").click()
    question = page.locator(".qb-section").last.locator(".qb-question").last
    rule = question.locator(".qb-risk")
    rule.get_by_label("值").select_option("late")
    rule.get_by_label("预警信号").select_option("business_decline")
    rule.get_by_label("严重程度").select_option("high")
    rule.get_by_label("说明").fill("拖欠房租")
    page.fill("input[name=note]", "增加门店租金")
    with page.expect_navigation():
        page.click("button[name=save]")

    # then version 2 holds exactly that
    assert "已保存为第 2 版" in page.content()
    definition = standard.versions.get(number=2).definition
    added = definition["sections"][-1]
    assert added["title"] == "门店租金" and added["key"] == "s1"
    assert added["questions"] == [
        {
            "key": "q1",
            "type": "single",
            "label": "门店房租是否按时缴纳？",
            "script": "门店的房租都按时交了吗？",
            "options": [{"value": "opt1", "label": "按时缴纳"}, {"value": "late", "label": "拖欠"}],
            "required": True,
            "risks": [
                {
                    "when": {"equals": "late"},
                    "signal": "business_decline",
                    "severity": "high",
                    "label": "拖欠房租",
                }
            ],
        }
    ]
    # the rest is as it was
    assert definition["sections"][:-1] == standard.versions.get(number=1).definition["sections"]


def test_a_refused_save_marks_the_question_and_keeps_the_edit(admin_page, live_server):
    page = admin_page
    standard = Questionnaire.objects.get(code="borrower-standard")
    page.goto(f"{live_server.url}/questionnaires/{standard.pk}/edit/")
    page.wait_for_selector(".qb-section")
    first = page.locator(".qb-question").first
    first.locator("summary").click()
    first.get_by_label("题目（记录的内容）").fill("")
    with page.expect_navigation():
        page.click("button[name=save]")

    assert "第1节第1题：题目" in page.locator(".qb-problems").inner_text()
    marked = page.locator(".qb-question.has-problem")
    assert marked.count() == 1 and marked.evaluate("d => d.open")
    assert marked.get_by_label("题目（记录的内容）").input_value() == ""
    assert standard.versions.count() == 1


def test_broken_json_steps_the_editor_aside_until_it_parses(admin_page, live_server):
    page = admin_page
    standard = Questionnaire.objects.get(code="guarantor")
    page.goto(f"{live_server.url}/questionnaires/{standard.pk}/edit/")
    page.click("#qb-json summary")
    area = page.locator("#id_definition")
    area.fill('{"sections": [')
    area.blur()
    assert "JSON 格式有误" in page.locator("#qb").inner_text()
    assert area.input_value() == '{"sections": ['
    area.fill('{"sections": [{"key": "a", "title": "只有一节", "questions": []}]}')
    area.blur()
    assert page.locator(".qb-section .qb-title").input_value() == "只有一节"


def test_a_conditional_question_follows_the_answer_in_the_preview(admin_page, live_server):
    page = admin_page
    standard = Questionnaire.objects.get(code="borrower-standard")
    page.goto(f"{live_server.url}/questionnaires/{standard.pk}/edit/")
    with page.expect_navigation():
        page.click("button[name=preview]")
    actual_use = page.locator('[data-q="actual_use"]')
    assert not actual_use.is_visible()
    page.click("label[for='id_preview-funds_as_contract_1']")  # 否
    assert actual_use.is_visible()
    page.click("label[for='id_preview-funds_as_contract_0']")  # 是
    assert not actual_use.is_visible()
    assert standard.versions.count() == 1
