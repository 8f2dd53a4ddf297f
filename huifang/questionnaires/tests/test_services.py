"""Saving a questionnaire: versions, audit, and nothing changed on bad input."""

import copy

import pytest
from django.core.exceptions import ValidationError

from huifang.accounts.models import Role, User
from huifang.audit.models import AuditEvent
from huifang.audit.services import actor_for
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion
from huifang.questionnaires.services import questionnaire_save

DEFINITION = {
    "sections": [
        {
            "key": "main",
            "title": "经营情况",
            "questions": [
                {"key": "ok", "type": "yes_no", "label": "经营是否正常？", "required": True}
            ],
        }
    ]
}
BROKEN = {
    "sections": [
        {
            "key": "main",
            "title": "经营情况",
            "questions": [
                {"key": "trend", "type": "single", "label": "经营收入", "options": []},
                {"key": "trend", "type": "yes_no", "label": ""},
            ],
        }
    ]
}


@pytest.fixture
def admin(db) -> User:
    return User.objects.create_user(
        username="admin_q", password="x-Long-pass-2026", role=Role.ADMIN
    )


def save(admin, questionnaire=None, *, fields=None, definition=DEFINITION, note=""):
    return questionnaire_save(
        questionnaire=questionnaire,
        fields=fields if fields is not None else {},
        definition=definition,
        note=note,
        user=admin,
        actor=actor_for(admin),
    )


def events(object_id) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="questionnaires.questionnaire", object_id=str(object_id)
        ).order_by("id")
    )


def test_creating_a_questionnaire_saves_version_1_and_audits_it(admin):
    version = save(
        admin,
        fields={
            "code": "shop-visit",
            "name": " 门店回访问卷 ",
            "subject_roles": ["guarantor", "borrower"],
            "channels": ["onsite"],
        },
        note="新建",
    )

    questionnaire = version.questionnaire
    assert (questionnaire.code, questionnaire.name, questionnaire.is_active) == (
        "shop-visit",
        "门店回访问卷",
        True,
    )
    # stored in the choices' order
    assert questionnaire.subject_roles == ["borrower", "guarantor"]
    assert (version.number, version.definition, version.note, version.created_by) == (
        1,
        DEFINITION,
        "新建",
        admin,
    )
    (event,) = events(questionnaire.pk)
    assert (event.action, event.actor_name) == ("create", "admin_q")
    assert event.after["version"] == 1 and event.after["code"] == "shop-visit"


def test_a_changed_definition_is_a_new_version_and_the_old_one_stays(admin):
    standard = Questionnaire.objects.get(code="borrower-standard")
    first = standard.current_version()
    original = copy.deepcopy(first.definition)
    edited = copy.deepcopy(original)
    edited["sections"][0]["questions"][0]["label"] = "贷款是否按合同用途使用？"

    version = save(admin, standard, definition=edited, note="改写第一题")

    assert version.number == 2 and version.note == "改写第一题"
    first.refresh_from_db()
    assert first.definition == original
    (event,) = events(standard.pk)
    assert event.action == "update"
    assert (event.before["version"], event.after["version"]) == (1, 2)
    assert "第2版（改写第一题）" in event.summary


def test_changing_only_the_fields_keeps_the_version_and_audits_each_field(admin):
    standard = Questionnaire.objects.get(code="borrower-standard")
    definition = standard.current_version().definition

    version = save(
        admin,
        standard,
        fields={"name": "借款人回访问卷", "is_active": False, "channels": ["phone"]},
        definition=definition,
    )

    assert version.number == 1
    standard.refresh_from_db()
    assert (standard.name, standard.is_active, standard.channels) == (
        "借款人回访问卷",
        False,
        ["phone"],
    )
    (event,) = events(standard.pk)
    assert event.before == {
        "channels": ["phone", "onsite", "video"],
        "is_active": True,
        "name": "借款人标准回访问卷",
        "version": 1,
    }
    assert event.after["name"] == "借款人回访问卷" and event.after["version"] == 1


def test_saving_nothing_new_writes_nothing(admin):
    standard = Questionnaire.objects.get(code="borrower-standard")
    before = standard.updated_at

    version = save(
        admin,
        standard,
        fields={"name": standard.name, "channels": ["video", "phone", "onsite"]},
        definition=copy.deepcopy(standard.current_version().definition),
    )

    assert version.number == 1
    assert events(standard.pk) == []
    standard.refresh_from_db()
    assert standard.updated_at == before


def test_a_bad_definition_lists_every_problem_and_changes_nothing(admin):
    standard = Questionnaire.objects.get(code="borrower-standard")
    counts = (QuestionnaireVersion.objects.count(), AuditEvent.objects.count())

    with pytest.raises(ValidationError) as caught:
        save(admin, standard, fields={"name": "新名称"}, definition=BROKEN)

    assert caught.value.message_dict["definition"] == [
        "第1节第1题（经营收入）：选项：单选题至少需要两个选项",
        "第1节第2题：代码：与前面的题目重复：“trend”",
        "第1节第2题：题目：不能为空",
    ]
    standard.refresh_from_db()
    assert standard.name == "借款人标准回访问卷"
    assert (QuestionnaireVersion.objects.count(), AuditEvent.objects.count()) == counts


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "甲"}, "code", "必须填写"),
        ({"code": "Borrower Std", "name": "甲"}, "code", "小写字母"),
        ({"code": "borrower-standard", "name": "甲"}, "code", "已被使用"),
        ({"code": "x", "name": "  "}, "name", "名称不能为空"),
        ({"code": "x", "name": "甲", "subject_roles": ["lender"]}, "subject_roles", "“lender”不是可用的值"),
        ({"code": "x", "name": "甲", "channels": "phone"}, "channels", "必须是列表"),
        ({"code": "x", "name": "甲", "is_active": "yes"}, "is_active", "true 或 false"),
        ({"code": "x", "name": "甲", "colour": "red"}, "__all__", "未知字段：colour"),
    ],
)  # fmt: skip
def test_bad_fields_are_refused_by_name(admin, fields, field, message):
    count = Questionnaire.objects.count()
    with pytest.raises(ValidationError) as caught:
        save(admin, fields=fields)
    assert message in " ".join(caught.value.message_dict[field])
    assert Questionnaire.objects.count() == count


def test_the_code_cannot_change(admin):
    standard = Questionnaire.objects.get(code="borrower-standard")
    with pytest.raises(ValidationError) as caught:
        save(admin, standard, fields={"code": "renamed"}, definition=DEFINITION)
    assert caught.value.message_dict == {"code": ["问卷代码创建后不能修改"]}
    assert standard.versions.count() == 1


def test_a_long_note_is_refused(admin):
    with pytest.raises(ValidationError) as caught:
        save(admin, fields={"code": "x", "name": "甲"}, note="长" * 201)
    assert "200" in caught.value.message_dict["note"][0]
    assert not Questionnaire.objects.filter(code="x").exists()
