"""Carrying out visits through the API: the working record, contact attempts, the online link.

The same services as the visit page; only the visit's assignee may write
(visit_for(..., work=True)). Submitting and reviewing are in huifang.reviews.api.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from huifang.api.common import api_actor, api_user, ip
from huifang.followups.models import VisitRecord
from huifang.followups.selectors import visit_for
from huifang.followups.services.online import online_link_issue
from huifang.followups.services.recording import (
    RecordInput,
    contact_attempt_add,
    record_save,
    visit_contact_state,
)

router = Router(tags=["visit work"])


class ContactStateOut(Schema):
    result: str
    unreachable_days: int
    may_submit: bool
    needs_answers: bool
    next_try: date | None


class RecordOut(Schema):
    visit: int
    status: str
    questionnaire: int | None
    questionnaire_name: str | None
    questionnaire_version: int | None
    channel: str
    contact_result: str
    answers: dict
    notes: str
    occurred_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    location_accuracy_m: int | None
    revision: int
    contact: ContactStateOut | None


class RecordIn(Schema):
    revision: int = Field(..., description="the revision read; 0 before the record exists")
    channel: str | None = None
    answers: dict | None = None
    notes: str | None = None
    occurred_at: datetime | None = None
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    location_accuracy_m: int | None = Field(None, ge=0)


class AttemptIn(Schema):
    result: str
    channel: str | None = None
    note: str = ""


class AttemptOut(Schema):
    id: int
    attempted_at: datetime
    channel: str
    result: str
    note: str


class LinkOut(Schema):
    url: str
    expires_at: datetime


def _record_out(visit: Any, rec: VisitRecord | None, user: Any) -> dict:
    worker = visit.assignee_id == user.pk
    state = visit_contact_state(visit) if worker else None
    version = rec.questionnaire if rec else None
    return {
        "visit": visit.pk,
        "status": visit.status,
        "questionnaire": version.pk if version else None,
        "questionnaire_name": version.questionnaire.name if version else None,
        "questionnaire_version": version.number if version else None,
        "channel": rec.channel if rec else visit.channel,
        "contact_result": rec.contact_result if rec else "",
        "answers": rec.answers if rec else {},
        "notes": rec.notes if rec else "",
        "occurred_at": rec.occurred_at if rec else None,
        "latitude": rec.latitude if rec else None,
        "longitude": rec.longitude if rec else None,
        "location_accuracy_m": rec.location_accuracy_m if rec else None,
        "revision": rec.revision if rec else 0,
        "contact": state.__dict__ if state else None,
    }


@router.get("/visits/{visit_id}/record", response=RecordOut, summary="回访记录（草稿）")
def get_record(request: HttpRequest, visit_id: int) -> Any:
    visit = visit_for(request.user, visit_id, via="api", ip=ip(request))
    rec = (
        VisitRecord.objects.select_related("questionnaire__questionnaire")
        .filter(visit=visit)
        .first()
    )
    return _record_out(visit, rec, request.user)


@router.put("/visits/{visit_id}/record", response=RecordOut, summary="保存回访记录（草稿）")
def put_record(request: HttpRequest, visit_id: int, body: RecordIn) -> Any:
    user = api_user(request)
    visit = visit_for(user, visit_id, work=True, via="api", ip=ip(request))
    rec = record_save(
        visit=visit, user=user, actor=api_actor(request), data=RecordInput(**body.dict())
    )
    return _record_out(visit, rec, user)


@router.post("/visits/{visit_id}/attempts", response={201: AttemptOut}, summary="登记联系结果")
def post_attempt(request: HttpRequest, visit_id: int, body: AttemptIn) -> Any:
    user = api_user(request)
    visit = visit_for(user, visit_id, work=True, via="api", ip=ip(request))
    attempt = contact_attempt_add(
        visit=visit,
        user=user,
        actor=api_actor(request),
        result=body.result,
        channel=body.channel,
        note=body.note,
    )
    return Status(201, attempt)


@router.post(
    "/visits/{visit_id}/online-link",
    response={201: LinkOut},
    summary="生成借款人线上问卷链接（一次性，只返回这一次）",
)
def post_online_link(request: HttpRequest, visit_id: int) -> Any:
    user = api_user(request)
    visit = visit_for(user, visit_id, work=True, via="api", ip=ip(request))
    issued = online_link_issue(visit=visit, user=user, actor=api_actor(request))
    return Status(
        201,
        {
            "url": request.build_absolute_uri(f"/q/{issued.token}/"),
            "expires_at": issued.link.expires_at,
        },
    )
