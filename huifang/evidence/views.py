"""Evidence pages: upload to a visit, download, thumbnails, withdraw.

The visit page (the lead's `visit_detail`) shows the attachments with the
include `evidence/_attachments.html`; these views only act and send back to it.
"""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from PIL import Image

from huifang.accounts.services import client_ip, request_actor
from huifang.evidence.checks import open_photo
from huifang.evidence.models import Attachment, AttachmentKind
from huifang.evidence.selectors import attachment_for
from huifang.evidence.services import (
    attachment_add,
    attachment_remove,
    max_upload_bytes,
    require_uploader,
    too_big_message,
)
from huifang.evidence.storage import attachment_content
from huifang.evidence.uploads import MemoryOnlyUploadHandler
from huifang.followups.selectors import visit_for

THUMB_PX = 320
# Shown in the browser; anything else is offered as a download.
INLINE_PREFIXES = ("image/", "audio/", "application/pdf")


def visit_page(visit_id: int) -> str:
    try:
        return reverse("visit_detail", args=[visit_id])
    except NoReverseMatch:  # the visit page is not wired yet; it lives at this address
        return f"/visits/{visit_id}/"


@csrf_exempt
@require_POST
def attachment_upload(request: HttpRequest, visit_id: int) -> HttpResponse:
    # Upload handlers can only change before the body is read, which the CSRF
    # middleware would do: it is checked below instead, once they are set.
    request.upload_handlers = [MemoryOnlyUploadHandler(request)]
    return _upload(request, visit_id)


@csrf_protect
def _upload(request: HttpRequest, visit_id: int) -> HttpResponse:
    ip = client_ip(request)
    visit = visit_for(request.user, visit_id, ip=ip)
    require_uploader(request.user, visit, ip=ip)
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, _("请选择要上传的照片、文件或录音。"))
        return redirect(visit_page(visit_id))
    actor = request_actor(request)
    added, warnings = 0, []
    for upload in files:
        name = upload.name or ""
        if upload.size is not None and upload.size > max_upload_bytes():
            messages.error(request, too_big_message(name, upload.size))
            continue
        try:
            attachment, flags = attachment_add(
                visit=visit,
                name=name,
                content_type=upload.content_type or "",
                data=upload.read(),
                user=request.user,
                actor=actor,
                kind=request.POST.get("kind") or None,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            continue
        added += 1
        warnings += [(attachment, flag) for flag in flags]
    if added:
        messages.success(request, _("已上传 %(count)d 个附件。") % {"count": added})
    for attachment, flag in warnings:
        messages.warning(
            request,
            _("“%(name)s”：%(kind)s。%(text)s")
            % {
                "name": attachment.original_name,
                "kind": flag.get_kind_display(),
                "text": flag.text,
            },
        )
    return redirect(visit_page(visit_id))


@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = attachment_for(request.user, attachment_id, ip=client_ip(request))
    return file_response(attachment, attachment_content(attachment))


def file_response(attachment: Attachment, data: bytes) -> HttpResponse:
    """The file as the browser should get it: images, PDF and audio inline, the rest as a download."""
    inline = attachment.content_type.startswith(INLINE_PREFIXES)
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        not inline, attachment.original_name
    ) or ("inline" if inline else "attachment")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


@require_GET
@cache_control(private=True, max_age=3600)
def attachment_thumb(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = attachment_for(request.user, attachment_id, ip=client_ip(request))
    if attachment.kind != AttachmentKind.PHOTO:
        raise Http404(attachment_id)
    with open_photo(attachment_content(attachment), draft=(THUMB_PX, THUMB_PX)) as img:
        img.thumbnail((THUMB_PX, THUMB_PX))
        if img.mode != "RGB":
            rgba = img.convert("RGBA")
            flat = Image.new("RGB", img.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            img = flat
        out = io.BytesIO()
        img.save(out, "JPEG", quality=80, optimize=True)
    response = HttpResponse(out.getvalue(), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def attachment_remove_view(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = attachment_for(request.user, attachment_id, ip=client_ip(request))
    try:
        attachment_remove(attachment=attachment, user=request.user, actor=request_actor(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已撤回附件“%(name)s”。") % {"name": attachment.original_name})
    return redirect(visit_page(attachment.visit_id))
