"""The questionnaires Huifang ships (migration 0002), and which one a visit uses."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from huifang.audit.services import Actor
from huifang.followups.models import SubjectRole, VisitChannel
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion
from huifang.questionnaires.schema import findings, iter_questions, validate_definition
from huifang.questionnaires.services import questionnaire_for, questionnaire_save

DEFAULTS = importlib.import_module("huifang.questionnaires.migrations.0002_default_questionnaires")
SYSTEM = Actor(user_id=None, name="system", via="command")
CODES = ["borrower-standard", "borrower-online", "guarantor", "collateral", "related"]


def definition_of(code: str) -> dict:
    return Questionnaire.objects.get(code=code).versions.latest("number").definition


@pytest.mark.django_db
def test_five_questionnaires_ship_as_version_1_and_each_is_valid():
    assert sorted(Questionnaire.objects.values_list("code", flat=True)) == sorted(CODES)
    for questionnaire in Questionnaire.objects.all():
        assert questionnaire.is_active
        assert list(questionnaire.versions.values_list("number", flat=True)) == [1]
        validate_definition(questionnaire.versions.get(number=1).definition)


@pytest.mark.parametrize("entry", DEFAULTS.QUESTIONNAIRES, ids=lambda e: e[0])
def test_the_shipped_definitions_pass_validation(entry):
    code, _name, _description, roles, channels, make = entry
    validate_definition(make())
    assert set(roles) <= set(SubjectRole.values)
    assert set(channels) <= set(VisitChannel.values)


def test_every_question_an_officer_asks_has_a_script_and_the_online_one_has_none():
    for code, *_rest, make in DEFAULTS.QUESTIONNAIRES:
        questions = list(iter_questions(make()))
        if code == "borrower-online":
            assert all("script" not in q for q in questions)
            # the borrower answers himself: second person
            assert all("您" in q["label"] or q["type"] == "text" for q in questions)
        else:
            assert [q["key"] for q in questions if not q.get("script")] == []


def test_the_same_key_means_the_same_risk_on_every_channel():
    standard = {q["key"]: q for q in iter_questions(DEFAULTS.borrower_standard())}
    online = {q["key"]: q for q in iter_questions(DEFAULTS.borrower_online())}
    assert set(online) <= set(standard)
    for key, q in online.items():
        assert q["type"] == standard[key]["type"]
        assert q.get("risks") == standard[key].get("risks"), key


@pytest.mark.parametrize(
    ("code", "answers", "expected"),
    [
        ("borrower-standard", {"funds_as_contract": False, "actual_use": "买房"}, [("fund_misuse", "high")]),
        ("borrower-standard", {"revenue_trend": "down"}, [("business_decline", "medium")]),
        ("borrower-standard", {"intends_on_time": False}, [("repayment_willingness", "high")]),
        ("borrower-standard", {"difficulty_next_3m": True}, [("repayment_ability", "medium")]),
        ("borrower-standard", {"satisfaction": 2, "nps": 3}, [("borrower_dissatisfied", "low")]),
        ("borrower-standard", {"satisfaction": 3}, []),
        ("borrower-online", {"funds_as_contract": False}, [("fund_misuse", "high")]),
        ("borrower-online", {"satisfaction": 1}, [("borrower_dissatisfied", "low")]),
        ("guarantor", {"still_willing": False}, [("guarantor_risk", "high")]),
        ("guarantor", {"aware_trouble": True}, [("guarantor_risk", "medium")]),
        ("collateral", {"encumbered": True}, [("collateral_risk", "high")]),
        ("collateral", {"collateral_present": False}, [("collateral_risk", "high")]),
        ("related", {"contact_ok": False}, [("contact_failure", "medium")]),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_the_shipped_risk_meanings(code, answers, expected):
    found = findings(definition_of(code), answers)
    assert [(f["signal"], f["severity"]) for f in found] == expected


@pytest.mark.parametrize(
    ("role", "channel", "code"),
    [
        ("borrower", "phone", "borrower-standard"),
        ("borrower", "onsite", "borrower-standard"),
        ("borrower", "video", "borrower-standard"),
        ("borrower", "online", "borrower-online"),
        ("guarantor", "phone", "guarantor"),
        ("guarantor", "online", "guarantor"),
        ("custodian", "onsite", "collateral"),
        ("representative", "phone", "related"),
        ("related", "video", "related"),
    ],
)
@pytest.mark.django_db
def test_each_visit_gets_its_questionnaire(role, channel, code):
    version = questionnaire_for(subject_role=role, channel=channel)
    assert version.questionnaire.code == code
    assert version.number == 1


@pytest.mark.django_db
def test_the_migration_can_be_reversed_and_applied_again():
    # when it is reversed, the shipped questionnaires go
    DEFAULTS.delete_defaults(apps, None)
    assert not Questionnaire.objects.exists()
    assert not QuestionnaireVersion.objects.exists()
    # and applied again, they come back
    DEFAULTS.create_defaults(apps, None)
    assert Questionnaire.objects.count() == 5


@pytest.mark.django_db
def test_reversing_keeps_a_questionnaire_an_admin_has_edited():
    standard = Questionnaire.objects.get(code="borrower-standard")
    edited = {**definition_of("borrower-standard")}
    edited["sections"] = edited["sections"][:2]
    questionnaire_save(
        questionnaire=standard, fields={}, definition=edited, note="精简", user=None, actor=SYSTEM
    )
    DEFAULTS.delete_defaults(apps, None)
    assert list(Questionnaire.objects.values_list("code", flat=True)) == ["borrower-standard"]


# --- the most specific questionnaire wins ----------------------------------------------------

ONE = {
    "sections": [
        {"key": "s", "title": "甲", "questions": [{"key": "a", "type": "text", "label": "情况"}]}
    ]
}


def make(code: str, roles: list[str], channels: list[str], *, active: bool = True) -> None:
    questionnaire_save(
        questionnaire=None,
        fields={
            "code": code,
            "name": code,
            "subject_roles": roles,
            "channels": channels,
            "is_active": active,
        },
        definition=ONE,
        note="",
        user=None,
        actor=SYSTEM,
    )


@pytest.mark.django_db
def test_role_and_channel_beat_role_which_beats_channel_which_beats_neither():
    Questionnaire.objects.update(is_active=False)
    make("any", [], [])
    assert questionnaire_for(subject_role="guarantor", channel="phone").questionnaire.code == "any"
    make("phone-only", [], ["phone"])
    assert (
        questionnaire_for(subject_role="guarantor", channel="phone").questionnaire.code
        == "phone-only"
    )
    make("guarantor-only", ["guarantor"], [])
    assert (
        questionnaire_for(subject_role="guarantor", channel="phone").questionnaire.code
        == "guarantor-only"
    )
    make("guarantor-phone", ["guarantor", "borrower"], ["phone"])
    assert (
        questionnaire_for(subject_role="guarantor", channel="phone").questionnaire.code
        == "guarantor-phone"
    )
    # another channel: the role-only one
    assert (
        questionnaire_for(subject_role="guarantor", channel="video").questionnaire.code
        == "guarantor-only"
    )


@pytest.mark.django_db
def test_an_inactive_questionnaire_is_never_chosen_and_the_latest_version_is():
    make("old", ["custodian"], ["onsite"], active=False)
    assert questionnaire_for(subject_role="custodian", channel="onsite").questionnaire.code == (
        "collateral"
    )
    collateral = Questionnaire.objects.get(code="collateral")
    changed = definition_of("collateral")
    changed["sections"] = changed["sections"][:1]
    questionnaire_save(
        questionnaire=collateral, fields={}, definition=changed, note="", user=None, actor=SYSTEM
    )
    assert questionnaire_for(subject_role="custodian", channel="onsite").number == 2


@pytest.mark.django_db
def test_no_active_questionnaire_is_a_chinese_error():
    Questionnaire.objects.filter(code="guarantor").update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        questionnaire_for(subject_role="guarantor", channel="phone")
    assert "没有适用于担保人电话回访的启用问卷" in caught.value.messages[0]
