"""The visit page: what an officer opens from the due list to carry a visit out.

Everyone who may read the loan sees the visit, its rounds and reviews; only the
assignee (visit_for(..., work=True)) gets the forms: contact attempts, the
working record with the questionnaire, attachments, the online link, submit.
"""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import has_perm
from huifang.accounts.services import client_ip, request_actor
from huifang.followups.models import ContactResult, VisitChannel, VisitRecord, VisitStatus
from huifang.followups.selectors import visit_for
from huifang.followups.services.online import online_link_issue
from huifang.followups.services.recording import (
    RecordInput,
    contact_attempt_add,
    record_save,
    submission_problems,
    visit_contact_state,
)
from huifang.lib.forms import error_messages
from huifang.questionnaires import schema
from huifang.questionnaires.services import questionnaire_for

WORKABLE = (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS, VisitStatus.RETURNED)
RECORD_CHANNELS = [c for c in VisitChannel.choices if c[0] != VisitChannel.ONLINE]


def _is_worker(user, visit) -> bool:
    return has_perm(user, "visits.record") and visit.assignee_id == user.pk


def _context(request: HttpRequest, visit, *, form_answers=None, errors=None, form=None) -> dict:
    from huifang.evidence.selectors import evidence_context
    from huifang.reviews.models import Submission

    rec = (
        VisitRecord.objects.select_related("questionnaire__questionnaire")
        .filter(visit=visit)
        .first()
    )
    worker = _is_worker(request.user, visit)
    editable = worker and visit.status in WORKABLE
    version = rec.questionnaire if rec else None
    if version is None and editable:
        try:
            version = questionnaire_for(subject_role=visit.subject_role, channel=visit.channel)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    rounds = list(
        Submission.objects.filter(visit=visit)
        .select_related("questionnaire", "submitted_by", "review__reviewer", "recheck")
        .order_by("-round")
    )
    evidence = evidence_context(request.user, visit)
    attachments = evidence["attachments"]
    photos = [
        (a.pk, a.original_name, f"/attachments/{a.pk}/thumb/")
        for a in attachments
        if a.kind == "photo" and a.removed_at is None
    ]
    state = visit_contact_state(visit) if editable else None
    problems: dict[str, str] = {}
    if editable and rec is not None and form is None:
        _state, problems = submission_problems(visit, rec)
    # What the record form shows: what was just posted (on an error), else what is saved.
    fields = {
        "channel": rec.channel if rec else visit.channel,
        "occurred_at": timezone.localtime(rec.occurred_at).strftime("%Y-%m-%dT%H:%M")
        if rec and rec.occurred_at
        else "",
        "latitude": rec.latitude if rec and rec.latitude is not None else "",
        "longitude": rec.longitude if rec and rec.longitude is not None else "",
        "location_accuracy_m": rec.location_accuracy_m if rec and rec.location_accuracy_m else "",
        "notes": rec.notes if rec else "",
    }
    if form:
        fields.update({k: v for k, v in form.items() if k != "errors"})
    return {
        "visit": visit,
        "loan": visit.loan,
        "rec": rec,
        "fields": fields,
        "version": version,
        "definition": version.definition if version else None,
        "answers": form_answers if form_answers is not None else (rec.answers if rec else {}),
        "errors": errors or {},
        "form": form or {},
        "worker": worker,
        "editable": editable,
        "rounds": rounds,
        "attempts": list(visit.attempts.select_related("by").order_by("-attempted_at", "-id")),
        "contact_results": ContactResult.choices,
        "channels": RECORD_CHANNELS,
        "state": state,
        "problems": problems,
        **evidence,
        "photos": photos,
        "online_links": list(visit.online_links.order_by("-created_at")[:5]) if worker else [],
        "can_review": has_perm(request.user, "visits.review"),
        "can_pack": True,
    }


def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request.user, visit_id, ip=client_ip(request))
    return render(request, "followups/visit_detail.html", _context(request, visit))


def _parse_moment(text: str) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError({"occurred_at": _("回访时间格式应为 YYYY-MM-DD HH:MM")}) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + timedelta(minutes=10):
        raise ValidationError({"occurred_at": _("回访时间不能晚于现在")})
    return moment


def _parse_decimal(text: str, name: str, low: int, high: int) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise ValidationError({name: _("位置坐标无效")}) from exc
    if not low <= value <= high:
        raise ValidationError({name: _("位置坐标无效")})
    return value


def _record_input(request: HttpRequest, definition: dict | None) -> RecordInput:
    post = request.POST
    try:
        revision = int(post.get("revision", ""))
    except ValueError as exc:
        raise ValidationError(_("表单已过期，请刷新页面")) from exc
    accuracy = post.get("location_accuracy_m", "").strip()
    return RecordInput(
        revision=revision,
        channel=post.get("channel") or None,
        answers=schema.answers_from_post(definition, post, prefix="q") if definition else None,
        notes=post.get("notes", ""),
        occurred_at=_parse_moment(post.get("occurred_at", "")),
        latitude=_parse_decimal(post.get("latitude", ""), "latitude", -90, 90),
        longitude=_parse_decimal(post.get("longitude", ""), "longitude", -180, 180),
        location_accuracy_m=int(float(accuracy))
        if accuracy.replace(".", "", 1).isdigit()
        else None,
    )


@require_POST
def visit_record(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Save the draft, or save and submit it for review (button `action`)."""
    from huifang.reviews.services import visit_submit

    ip = client_ip(request)
    visit = visit_for(request.user, visit_id, work=True, ip=ip)
    actor = request_actor(request)
    rec = VisitRecord.objects.select_related("questionnaire").filter(visit=visit).first()
    definition = (
        rec.questionnaire.definition
        if rec
        else questionnaire_for(subject_role=visit.subject_role, channel=visit.channel).definition
    )
    raw = schema.answers_from_post(definition, request.POST, prefix="q")
    saved = False
    try:
        data = _record_input(request, definition)
        rec = record_save(visit=visit, user=request.user, actor=actor, data=data)
        saved = True
        if request.POST.get("action") == "submit":
            submission = visit_submit(
                visit=visit, user=request.user, actor=actor, revision=rec.revision
            )
            messages.success(request, _("已提交审核（第 %(n)d 轮）。") % {"n": submission.round})
            return redirect("visit_detail", visit_id=visit.pk)
    except ValidationError as exc:
        errors = error_messages(exc)
        visit.refresh_from_db()
        context = _context(
            request,
            visit,
            form_answers=raw,
            errors={k.removeprefix("q-"): v for k, v in errors.items() if k.startswith("q-")},
            form={
                "errors": {k: v for k, v in errors.items() if not k.startswith("q-")},
                "notes": request.POST.get("notes", ""),
                "channel": request.POST.get("channel", ""),
                "occurred_at": request.POST.get("occurred_at", ""),
                "latitude": request.POST.get("latitude", ""),
                "longitude": request.POST.get("longitude", ""),
                "location_accuracy_m": request.POST.get("location_accuracy_m", ""),
            },
        )
        messages.error(
            request,
            _("草稿已保存，但未能提交：请按提示补全或更正。")
            if saved
            else _("未保存：请按提示更正后再试。"),
        )
        return render(request, "followups/visit_detail.html", context, status=422)
    messages.success(request, _("草稿已保存。"))
    return redirect("visit_detail", visit_id=visit.pk)


@require_POST
def visit_attempt(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request.user, visit_id, work=True, ip=client_ip(request))
    try:
        contact_attempt_add(
            visit=visit,
            user=request.user,
            actor=request_actor(request),
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已登记联系结果。"))
    return redirect("visit_detail", visit_id=visit.pk)


@require_POST
def visit_online_link(request: HttpRequest, visit_id: int) -> HttpResponse:
    import segno

    visit = visit_for(request.user, visit_id, work=True, ip=client_ip(request))
    try:
        issued = online_link_issue(visit=visit, user=request.user, actor=request_actor(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("visit_detail", visit_id=visit.pk)
    url = request.build_absolute_uri(f"/q/{issued.token}/")
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#1f2933")
    context = _context(request, visit)
    context.update({"issued_url": url, "issued_qr": qr, "issued": issued.link})
    return render(request, "followups/visit_detail.html", context)
