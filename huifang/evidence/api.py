"""API endpoints of the evidence app (registered in huifang.api.api)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status, UploadedFile

from huifang.accounts.gate import require
from huifang.api.common import api_actor, api_user, ip
from huifang.evidence.models import Attachment, EvidenceFlag
from huifang.evidence.selectors import attachment_for, attachments_of, flags_of
from huifang.evidence.services import (
    attachment_add,
    max_upload_bytes,
    require_uploader,
    too_big_message,
)
from huifang.evidence.storage import attachment_content
from huifang.evidence.views import file_response
from huifang.followups.models import Visit
from huifang.followups.selectors import visit_for

router = Router(tags=["evidence"])


class AttachmentOut(Schema):
    id: int
    visit: int
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    taken_at: datetime | None
    uploaded_by: str
    uploaded_at: datetime

    @staticmethod
    def resolve_visit(obj: Attachment) -> int:
        return obj.visit_id

    @staticmethod
    def resolve_uploaded_by(obj: Attachment) -> str:
        return obj.uploaded_by.username


class FlagOut(Schema):
    id: int
    kind: str
    label: str
    text: str
    informational: bool
    attachment: int | None
    detail: dict
    created_at: datetime

    @staticmethod
    def resolve_label(obj: EvidenceFlag) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_informational(obj: EvidenceFlag) -> bool:
        return obj.is_informational

    @staticmethod
    def resolve_attachment(obj: EvidenceFlag) -> int | None:
        return obj.attachment_id


class AttachmentCreated(Schema):
    attachment: AttachmentOut
    flags: list[FlagOut]


def _readable_visit(request: HttpRequest, visit_id: int) -> Visit:
    require(request.user, "attachments.read", via="api", ip=ip(request))
    return visit_for(request.user, visit_id, via="api", ip=ip(request))


@router.get("/visits/{visit_id}/attachments", response=list[AttachmentOut], summary="回访的附件")
def list_attachments(request: HttpRequest, visit_id: int) -> Any:
    return list(attachments_of(_readable_visit(request, visit_id)))


@router.post(
    "/visits/{visit_id}/attachments",
    response={201: AttachmentCreated},
    summary="上传回访附件（照片、文件、录音）",
)
def add_attachment(
    request: HttpRequest, visit_id: int, file: File[UploadedFile], kind: Form[str] = ""
) -> Any:
    visit = visit_for(request.user, visit_id, via="api", ip=ip(request))
    require_uploader(request.user, visit, via="api", ip=ip(request))
    name = file.name or ""
    if file.size is not None and file.size > max_upload_bytes():
        raise ValidationError({"file": too_big_message(name, file.size)})
    attachment, flags = attachment_add(
        visit=visit,
        name=name,
        content_type=file.content_type or "",
        data=file.read(),
        user=api_user(request),
        actor=api_actor(request),
        kind=kind or None,
    )
    return Status(201, {"attachment": attachment, "flags": flags})


@router.get("/attachments/{attachment_id}", summary="下载附件", response={200: None})
def download_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = attachment_for(request.user, attachment_id, via="api", ip=ip(request))
    return file_response(attachment, attachment_content(attachment))


@router.get("/visits/{visit_id}/evidence-flags", response=list[FlagOut], summary="回访的证据提示")
def list_flags(request: HttpRequest, visit_id: int) -> Any:
    return list(flags_of(_readable_visit(request, visit_id)))
