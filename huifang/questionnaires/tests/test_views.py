"""The questionnaire pages: list, detail, versions, and the builder (new and edit)."""

import json
import re
from html import unescape

import pytest

from huifang.accounts.models import Role, User
from huifang.audit.models import AuditEvent
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_user(
        username="admin_q", password="x-Long-pass-2026", role=Role.ADMIN
    )
    client.force_login(admin)
    return client


@pytest.fixture
def standard(db) -> Questionnaire:
    return Questionnaire.objects.get(code="borrower-standard")


def textarea(html: str) -> str:
    match = re.search(r'<textarea name="definition"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert match, "no definition textarea"
    return unescape(match.group(1))


def form_data(html: str, **changes) -> dict:
    """The editor's fields as the page shows them, with some changed."""
    data = {
        "name": unescape(re.findall(r'name="name"(?: value="([^"]*)")?', html)[0]),
        "description": "",
        "subject_roles": re.findall(r'name="subject_roles" value="(\w+)"[^>]*checked', html),
        "channels": re.findall(r'name="channels" value="(\w+)"[^>]*checked', html),
        "definition": textarea(html),
        "note": "",
    }
    if 'name="is_active"' in html and re.search(r'name="is_active"[^>]*checked', html):
        data["is_active"] = "on"
    code = re.search(r'name="code" value="([^"]*)"', html)
    if code:
        data["code"] = code.group(1)
    data.update(changes)
    return data


def test_the_list_shows_every_questionnaire_with_its_version(admin_client, standard):
    html = admin_client.get("/questionnaires/").content.decode()
    assert html.count("<tr>") == 6  # head + five
    assert "借款人标准回访问卷" in html and "borrower-standard" in html
    assert "电话、实地、视频" in html
    assert f'href="/questionnaires/{standard.pk}/versions/1/"' in html


@pytest.mark.parametrize("role", [Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.AUDITOR])
def test_only_admins_reach_the_pages(client, standard, role):
    client.force_login(User.objects.create_user(username="u", password="p-Long-2026", role=role))
    for path in ("/questionnaires/", f"/questionnaires/{standard.pk}/edit/"):
        assert client.get(path).status_code == 403
    assert AuditEvent.objects.filter(action="access_denied", actor_name="u").count() == 2


def test_the_detail_shows_the_questions_scripts_risks_and_history(admin_client, standard):
    html = admin_client.get(f"/questionnaires/{standard.pk}/").content.decode()
    assert "贷款资金是否按合同约定用途使用？" in html
    assert "话术：您好，我是××的客户经理" in html
    assert "回答等于“否” → 资金挪用（高）：资金未按合同约定用途使用" in html
    assert "当“贷款资金是否按合同约定用途使用？”为“否”时显示" in html
    assert "版本历史" in html and "系统预置问卷" in html
    # the form as officers see it, read-only
    assert '<fieldset class="q-preview" disabled>' in html


def test_an_earlier_version_is_shown_as_history(admin_client, standard):
    page = admin_client.get(f"/questionnaires/{standard.pk}/edit/").content.decode()
    definition = json.loads(textarea(page))
    definition["sections"].pop()
    admin_client.post(
        f"/questionnaires/{standard.pk}/edit/",
        form_data(page, definition=json.dumps(definition), note="删去满意度"),
    )

    old = admin_client.get(f"/questionnaires/{standard.pk}/versions/1/").content.decode()
    new = admin_client.get(f"/questionnaires/{standard.pk}/").content.decode()
    assert "历史版本" in old and "推荐我们的可能性" in old
    assert "当前版本" in new and "推荐我们的可能性" not in new and "删去满意度" in new
    assert admin_client.get(f"/questionnaires/{standard.pk}/versions/9/").status_code == 404


def test_builder_round_trip_saves_a_new_version(admin_client, standard):
    # given the editor as it opens
    page = admin_client.get(f"/questionnaires/{standard.pk}/edit/").content.decode()
    definition = json.loads(textarea(page))
    assert definition == standard.current_version().definition
    config = json.loads(
        re.search(r'<script id="qb-config" type="application/json">(.*?)</script>', page).group(1)
    )
    assert ["fund_misuse", "资金挪用"] in config["signals"] and config["problems"] == []

    # when the builder adds a question with a condition and a risk, and the admin saves
    definition["sections"][1]["questions"].append(
        {
            "key": "rent_overdue",
            "type": "yes_no",
            "label": "是否拖欠房租？",
            "script": "门店的房租有没有拖欠？",
            "show_if": {"question": "premises_normal", "equals": True},
            "risks": [
                {"when": {"equals": True}, "signal": "business_decline", "severity": "medium"}
            ],
        }
    )
    response = admin_client.post(
        f"/questionnaires/{standard.pk}/edit/",
        form_data(
            page,
            name="借款人回访问卷（2025）",
            definition=json.dumps(definition, ensure_ascii=False),
            note="增加房租问题",
        ),
    )

    # then version 2 holds it, with the new name, and the detail page says so
    assert response.status_code == 302 and response["Location"] == f"/questionnaires/{standard.pk}/"
    version = standard.versions.get(number=2)
    assert version.definition == definition and version.note == "增加房租问题"
    standard.refresh_from_db()
    assert standard.name == "借款人回访问卷（2025）"
    assert "已保存为第 2 版" in admin_client.get(response["Location"]).content.decode()


def test_saving_without_changes_keeps_the_version(admin_client, standard):
    page = admin_client.get(f"/questionnaires/{standard.pk}/edit/").content.decode()
    response = admin_client.post(
        f"/questionnaires/{standard.pk}/edit/", form_data(page), follow=True
    )
    assert "问卷内容没有变化，仍为第 1 版" in response.content.decode()
    assert standard.versions.count() == 1


def test_a_refused_save_lists_every_problem_and_keeps_everything_typed(admin_client, standard):
    page = admin_client.get(f"/questionnaires/{standard.pk}/edit/").content.decode()
    definition = json.loads(textarea(page))
    definition["sections"][1]["questions"][0]["options"] = [{"value": "up", "label": "上升"}]
    definition["sections"][2]["questions"][1]["label"] = ""
    typed = json.dumps(definition, ensure_ascii=False, indent=1)

    response = admin_client.post(
        f"/questionnaires/{standard.pk}/edit/",
        form_data(
            page,
            name="改过的名称",
            subject_roles=["borrower", "guarantor"],
            channels=[],
            definition=typed,
            note="我的修改说明",
        ),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "问卷内容有 3 处问题" in html
    assert (
        '<span class="qb-where">第2节第1题（与放款时相比，经营收入的变化）：选项</span>：单选题至少需要两个选项'
        in html
    )
    assert '<span class="qb-where">第3节第2题：题目</span>：不能为空' in html
    # everything as typed
    assert textarea(html) == typed
    assert 'value="改过的名称"' in html and 'value="我的修改说明"' in html
    assert re.search(r'name="subject_roles" value="guarantor"[^>]*checked', html)
    assert not re.search(r'name="channels" value="phone"[^>]*checked', html)
    config = json.loads(
        re.search(r'<script id="qb-config" type="application/json">(.*?)</script>', html).group(1)
    )
    assert config["problems"][0].startswith("第2节第1题")
    # and nothing saved
    standard.refresh_from_db()
    assert standard.name == "借款人标准回访问卷" and standard.versions.count() == 1


def test_broken_json_is_named_and_kept(admin_client, standard):
    page = admin_client.get(f"/questionnaires/{standard.pk}/edit/").content.decode()
    response = admin_client.post(
        f"/questionnaires/{standard.pk}/edit/", form_data(page, definition='{"sections": [,]}')
    )
    html = response.content.decode()
    assert "JSON 格式错误（第 1 行第 15 列）" in html
    assert textarea(html) == '{"sections": [,]}'
    assert standard.versions.count() == 1


def test_preview_shows_the_form_with_scripts_and_saves_nothing(admin_client, standard):
    page = admin_client.get(f"/questionnaires/{standard.pk}/edit/").content.decode()
    assert 'class="qf"' not in page
    response = admin_client.post(
        f"/questionnaires/{standard.pk}/edit/", form_data(page, preview="1", name="预览用")
    )
    html = response.content.decode()
    assert 'name="preview-funds_as_contract"' in html and 'class="qf-script"' in html
    assert 'value="预览用"' in html
    standard.refresh_from_db()
    assert standard.name == "借款人标准回访问卷"
    assert not AuditEvent.objects.filter(object_type="questionnaires.questionnaire").exists()


def test_preview_of_a_wrong_definition_lists_its_problems(admin_client, standard):
    page = admin_client.get(f"/questionnaires/{standard.pk}/edit/").content.decode()
    response = admin_client.post(
        f"/questionnaires/{standard.pk}/edit/",
        form_data(page, preview="1", definition='{"sections": []}'),
    )
    html = response.content.decode()
    assert '<span class="qb-where">问卷</span>：至少需要一节' in html
    assert 'class="qf"' not in html


def test_creating_a_questionnaire(admin_client):
    page = admin_client.get("/questionnaires/new/").content.decode()
    starter = json.loads(textarea(page))
    assert starter["sections"][0]["questions"][0]["type"] == "yes_no"

    response = admin_client.post(
        "/questionnaires/new/",
        form_data(page, name="视频回访问卷", code="video-check", channels=["video"], note="试用"),
    )

    created = Questionnaire.objects.get(code="video-check")
    assert response["Location"] == f"/questionnaires/{created.pk}/"
    assert (created.name, created.channels, created.is_active) == ("视频回访问卷", ["video"], True)
    assert created.versions.get().definition == starter


def test_a_new_questionnaire_can_start_from_a_copy(admin_client, standard):
    page = admin_client.get(f"/questionnaires/new/?copy={standard.pk}").content.decode()
    assert json.loads(textarea(page)) == standard.current_version().definition
    assert re.search(r'name="subject_roles" value="borrower"[^>]*checked', page)
    assert "复制自借款人标准回访问卷第1版" in page


def test_a_taken_code_is_refused_on_its_field(admin_client):
    page = admin_client.get("/questionnaires/new/").content.decode()
    response = admin_client.post(
        "/questionnaires/new/", form_data(page, name="重复", code="guarantor")
    )
    html = response.content.decode()
    assert "问卷代码“guarantor”已被使用" in html and 'value="重复"' in html
    assert QuestionnaireVersion.objects.count() == 5
