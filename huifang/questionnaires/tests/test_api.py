"""The questionnaire API: reads for every signed-in user, writes for admins, 422 with the problems."""

import copy

import pytest

from huifang.accounts.models import Role, User
from huifang.audit.models import AuditEvent
from huifang.questionnaires.models import Questionnaire

DEFINITION = {
    "sections": [
        {
            "key": "main",
            "title": "基本情况",
            "questions": [{"key": "ok", "type": "yes_no", "label": "经营是否正常？"}],
        }
    ]
}


@pytest.fixture
def as_role(client, db):
    def sign_in(role: str):
        client.force_login(
            User.objects.create_user(username=f"{role}_q", password="p-Long-2026", role=role)
        )
        return client

    return sign_in


@pytest.fixture
def standard(db) -> Questionnaire:
    return Questionnaire.objects.get(code="borrower-standard")


def test_an_officer_reads_the_list_and_the_scripts(as_role, standard):
    client = as_role(Role.OFFICER)

    items = client.get("/api/v1/questionnaires").json()
    assert [i["code"] for i in items] == [
        "borrower-online",
        "borrower-standard",
        "collateral",
        "guarantor",
        "related",
    ]
    assert items[1] | {"id": 0, "updated_at": ""} == {
        "id": 0,
        "code": "borrower-standard",
        "name": "借款人标准回访问卷",
        "description": "客户经理电话、实地或视频回访借款人时使用；每题附话术。",
        "subject_roles": ["borrower"],
        "channels": ["phone", "onsite", "video"],
        "is_active": True,
        "current_version": 1,
        "updated_at": "",
    }

    detail = client.get(f"/api/v1/questionnaires/{standard.pk}").json()
    first = detail["definition"]["sections"][0]["questions"][0]
    assert first["script"].startswith("您好，我是××的客户经理")
    assert detail["versions"] == [
        {
            "number": 1,
            "note": "系统预置问卷",
            "created_at": detail["versions"][0]["created_at"],
            "created_by": None,
        }
    ]

    version = client.get(f"/api/v1/questionnaires/{standard.pk}/versions/1").json()
    assert version["definition"] == detail["definition"]
    assert version["questionnaire_id"] == standard.pk
    assert client.get(f"/api/v1/questionnaires/{standard.pk}/versions/2").status_code == 404
    assert client.get("/api/v1/questionnaires/999999").status_code == 404


def test_an_admin_creates_a_questionnaire(as_role):
    client = as_role(Role.ADMIN)
    response = client.post(
        "/api/v1/questionnaires",
        {
            "code": "video-check",
            "name": "视频回访问卷",
            "channels": ["video"],
            "definition": DEFINITION,
            "note": "试用",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["current_version"], body["definition"]) == (
        "video-check",
        1,
        DEFINITION,
    )
    assert body["versions"][0]["created_by"] == "admin_q"
    assert AuditEvent.objects.filter(
        action="create", object_type="questionnaires.questionnaire", object_id=str(body["id"])
    ).exists()


def test_an_admin_saves_a_new_version(as_role, standard):
    client = as_role(Role.ADMIN)
    url = f"/api/v1/questionnaires/{standard.pk}/versions"

    response = client.post(
        url,
        {"definition": DEFINITION, "note": "精简", "is_active": False},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["note"]) == (2, "精简")
    standard.refresh_from_db()
    # fields not sent stay as they were
    assert (standard.is_active, standard.name) == (False, "借款人标准回访问卷")

    # the same definition again: no new version
    again = client.post(url, {"definition": DEFINITION}, content_type="application/json")
    assert again.status_code == 200 and again.json()["number"] == 2


def test_a_bad_definition_is_422_with_every_problem_and_changes_nothing(as_role, standard):
    client = as_role(Role.ADMIN)
    broken = copy.deepcopy(DEFINITION)
    broken["sections"][0]["questions"].append({"key": "ok", "type": "stars", "label": "评分"})

    response = client.post(
        f"/api/v1/questionnaires/{standard.pk}/versions",
        {"definition": broken, "name": "改名"},
        content_type="application/json",
    )

    assert response.status_code == 422
    problems = response.json()["detail"]["definition"]
    assert problems[0] == "第1节第2题（评分）：代码：与前面的题目重复：“ok”"
    assert problems[1].startswith("第1节第2题（评分）：题型：“stars”不是可用的题型")
    standard.refresh_from_db()
    assert standard.name == "借款人标准回访问卷" and standard.versions.count() == 1


def test_bad_fields_are_422_by_name(as_role):
    client = as_role(Role.ADMIN)
    response = client.post(
        "/api/v1/questionnaires",
        {
            "code": "guarantor",
            "name": "重复",
            "subject_roles": ["lender"],
            "definition": DEFINITION,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "“lender”不是可用的值" in detail["subject_roles"][0]
    assert Questionnaire.objects.count() == 5


@pytest.mark.parametrize("role", [Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.AUDITOR])
def test_only_admins_write(as_role, standard, role):
    client = as_role(role)
    created = client.post(
        "/api/v1/questionnaires",
        {"code": "x", "name": "x", "definition": DEFINITION},
        content_type="application/json",
    )
    saved = client.post(
        f"/api/v1/questionnaires/{standard.pk}/versions",
        {"definition": DEFINITION},
        content_type="application/json",
    )
    assert (created.status_code, saved.status_code) == (403, 403)
    assert standard.versions.count() == 1 and Questionnaire.objects.count() == 5


def test_anonymous_gets_401(client, db):
    assert client.get("/api/v1/questionnaires").status_code == 401
