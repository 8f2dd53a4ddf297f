"""Audit trail endpoints: read-only, for auditors and administrators."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import require
from huifang.api.common import ip
from huifang.audit.models import AuditEvent
from huifang.audit.verify import verify_audit

router = Router(tags=["audit"])


class EventOut(Schema):
    id: int
    at: datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    summary: str
    before: Any
    after: Any
    via: str
    ip: str | None
    digest: str


class EventFilters(Schema):
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


class VerifyOut(Schema):
    ok: bool
    checked: int
    problems: list[str]


@router.get("/events", response=list[EventOut], summary="审计事件")
@paginate(PageNumberPagination, page_size=100)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    require(request.user, "audit.read", via="api", ip=ip(request))
    qs = AuditEvent.objects.order_by("-id")
    if filters.actor:
        qs = qs.filter(actor_name=filters.actor)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.date_from:
        qs = qs.filter(at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(at__date__lte=filters.date_to)
    return qs


@router.post("/verify", response=VerifyOut, summary="校验审计链")
def verify(request: HttpRequest) -> Any:
    require(request.user, "audit.read", via="api", ip=ip(request))
    result = verify_audit()
    return {"ok": result.ok, "checked": result.checked, "problems": result.problems}
