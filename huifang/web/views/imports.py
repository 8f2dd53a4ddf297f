"""Importing loan and repayment files: upload, the validation report, confirm or discard."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import deny, has_perm, require
from huifang.accounts.services import client_ip, request_actor
from huifang.portfolio.models import ImportBatch
from huifang.portfolio.services.imports import batch_apply, batch_discard, batch_stage
from huifang.web.forms import ImportUploadForm
from huifang.web.xlsx_templates import COLUMNS, template_workbook

RECENT_BATCHES = 20
ERRORS_SHOWN = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "portfolio.import", ip=client_ip(request))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch, _report = batch_stage(
            kind=form.cleaned_data["kind"],
            data=upload.read(),
            filename=upload.name,
            user=request.user,
            partial=form.cleaned_data["partial"],
        )
        return redirect("import_detail", batch_id=batch.pk)
    batches = (
        ImportBatch.objects.select_related("uploaded_by")
        .defer("content", "errors")
        .order_by("-created_at")[:RECENT_BATCHES]
    )
    return render(request, "web/import_list.html", {"form": form, "batches": batches})


def _batch_for(request: HttpRequest, batch_id: int, *, with_content: bool = False) -> ImportBatch:
    """A batch its uploader, or anyone who imports, may see."""
    batches = ImportBatch.objects.select_related("uploaded_by")
    if not with_content:
        batches = batches.defer("content")
    batch = get_object_or_404(batches, pk=batch_id)
    if batch.uploaded_by_id != request.user.pk and not has_perm(request.user, "portfolio.import"):
        raise deny(
            request.user,
            what="import batch of another user",
            object_type="portfolio.importbatch",
            object_id=str(batch.pk),
            ip=client_ip(request),
        )
    return batch


def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_for(request, batch_id)
    errors = batch.errors or []
    return render(
        request,
        "web/import_detail.html",
        {
            "batch": batch,
            "errors": errors[:ERRORS_SHOWN],
            "error_count": len(errors),
            "error_rows": len({e.get("row") for e in errors}),
            "errors_truncated": len(errors) > ERRORS_SHOWN,
            "errors_shown": ERRORS_SHOWN,
            "can_apply": batch.status == ImportBatch.Status.VALIDATED
            and has_perm(request.user, "portfolio.import"),
        },
    )


@require_POST
def import_apply(request: HttpRequest, batch_id: int) -> HttpResponse:
    require(request.user, "portfolio.import", ip=client_ip(request))
    batch = _batch_for(request, batch_id, with_content=True)
    try:
        report = batch_apply(batch=batch, user=request.user, actor=request_actor(request))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("import_detail", batch_id=batch.pk)
    if report.applied:
        messages.success(
            request,
            _("导入完成：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d。")
            % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
        )
    else:
        messages.error(request, _("重新校验时发现错误，未做任何修改。请查看下方报告。"))
    return redirect("import_detail", batch_id=batch.pk)


@require_POST
def import_discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    require(request.user, "portfolio.import", ip=client_ip(request))
    batch = _batch_for(request, batch_id)
    batch_discard(batch=batch)
    messages.info(request, _("已放弃导入“%(file)s”。") % {"file": batch.filename})
    return redirect("import_list")


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    require(request.user, "portfolio.import", ip=client_ip(request))
    if kind not in COLUMNS:
        raise Http404(kind)
    response = HttpResponse(template_workbook(kind), content_type=XLSX)
    filename = {
        "loans": "loan-import-template.xlsx",
        "repayments": "repayment-import-template.xlsx",
    }
    response["Content-Disposition"] = f'attachment; filename="{filename[kind]}"'
    return response
