"""Questionnaire endpoints: read by every signed-in user (officers read the scripts), saved by admins."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from huifang.accounts.gate import require
from huifang.api.common import api_actor, api_user, ip
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion
from huifang.questionnaires.services import questionnaire_save

router = Router(tags=["questionnaires"])


class QuestionnaireOut(Schema):
    id: int
    code: str
    name: str
    description: str
    subject_roles: list[str]
    channels: list[str]
    is_active: bool
    current_version: int | None
    updated_at: datetime


class VersionOut(Schema):
    number: int
    note: str
    created_at: datetime
    created_by: str | None

    @staticmethod
    def resolve_created_by(obj: QuestionnaireVersion) -> str | None:
        return obj.created_by.username if obj.created_by else None


class VersionDataOut(VersionOut):
    questionnaire_id: int
    definition: dict[str, Any]


class QuestionnaireDetailOut(QuestionnaireOut):
    definition: dict[str, Any] | None
    versions: list[VersionOut]


class QuestionnaireIn(Schema):
    code: str
    name: str
    description: str = ""
    subject_roles: list[str] = []
    channels: list[str] = []
    is_active: bool = True
    definition: dict[str, Any]
    note: str = ""


class VersionIn(Schema):
    """A new version: the definition, a note, and any of the questionnaire's fields to change."""

    name: str | None = None
    description: str | None = None
    subject_roles: list[str] | None = None
    channels: list[str] | None = None
    is_active: bool | None = None
    definition: dict[str, Any]
    note: str = ""


def _read(request: HttpRequest) -> None:
    require(request.user, "loan.read", via="api", ip=ip(request))


def _summary(q: Questionnaire, latest: QuestionnaireVersion | None) -> dict[str, Any]:
    return {
        "id": q.pk,
        "code": q.code,
        "name": q.name,
        "description": q.description,
        "subject_roles": q.subject_roles,
        "channels": q.channels,
        "is_active": q.is_active,
        "current_version": latest.number if latest else None,
        "updated_at": q.updated_at,
    }


def _detail(q: Questionnaire) -> dict[str, Any]:
    versions = list(q.versions.select_related("created_by").order_by("-number"))
    latest = versions[0] if versions else None
    return {
        **_summary(q, latest),
        "definition": latest.definition if latest else None,
        "versions": versions,
    }


@router.get("/questionnaires", response=list[QuestionnaireOut], summary="回访问卷列表")
def list_questionnaires(request: HttpRequest) -> Any:
    _read(request)
    latest: dict[int, QuestionnaireVersion] = {}
    for version in QuestionnaireVersion.objects.order_by("questionnaire_id", "number"):
        latest[version.questionnaire_id] = version
    return [_summary(q, latest.get(q.pk)) for q in Questionnaire.objects.order_by("code")]


@router.get(
    "/questionnaires/{questionnaire_id}",
    response=QuestionnaireDetailOut,
    summary="回访问卷（当前版本内容及版本历史）",
)
def get_questionnaire(request: HttpRequest, questionnaire_id: int) -> Any:
    _read(request)
    return _detail(get_object_or_404(Questionnaire, pk=questionnaire_id))


@router.get(
    "/questionnaires/{questionnaire_id}/versions/{number}",
    response=VersionDataOut,
    summary="回访问卷的某一版本",
)
def get_version(request: HttpRequest, questionnaire_id: int, number: int) -> Any:
    _read(request)
    return get_object_or_404(
        QuestionnaireVersion.objects.select_related("created_by"),
        questionnaire_id=questionnaire_id,
        number=number,
    )


@router.post(
    "/questionnaires",
    response={201: QuestionnaireDetailOut},
    summary="新建回访问卷（第 1 版）",
)
def create_questionnaire(request: HttpRequest, payload: QuestionnaireIn) -> Any:
    require(request.user, "questionnaire.manage", via="api", ip=ip(request))
    data = payload.dict()
    definition, note = data.pop("definition"), data.pop("note")
    version = questionnaire_save(
        questionnaire=None,
        fields=data,
        definition=definition,
        note=note,
        user=api_user(request),
        actor=api_actor(request),
    )
    return Status(201, _detail(version.questionnaire))


@router.post(
    "/questionnaires/{questionnaire_id}/versions",
    response={200: VersionDataOut, 201: VersionDataOut},
    summary="保存回访问卷：内容有变化时生成新版本（201），否则返回当前版本（200）",
)
def save_version(request: HttpRequest, questionnaire_id: int, payload: VersionIn) -> Any:
    require(request.user, "questionnaire.manage", via="api", ip=ip(request))
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id)
    before = questionnaire.current_version()
    data = payload.dict(exclude_unset=True)
    definition, note = data.pop("definition"), data.pop("note", "")
    version = questionnaire_save(
        questionnaire=questionnaire,
        fields=data,
        definition=definition,
        note=note,
        user=api_user(request),
        actor=api_actor(request),
    )
    created = before is None or before.pk != version.pk
    return Status(201 if created else 200, version)
