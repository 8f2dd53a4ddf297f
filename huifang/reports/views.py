"""The visit pack (page and PDF) and the visit report (PDF)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from huifang.accounts.services import client_ip
from huifang.followups.selectors import visit_for
from huifang.lib import pdf
from huifang.reports.selectors import VisitPack, visit_pack
from huifang.reports.visit_report import (
    DEFAULT_DEPARTMENT,
    DEPARTMENTS,
    VisitReport,
    visit_report,
)

FONT_MISSING_EN = (
    "Chinese text in PDFs needs a CJK font, and none is installed on the server: "
    f"apt-get install {pdf.CJK_FONT_PACKAGE}"
)


def pdf_response(body: bytes, filename: str, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(attachment, filename) or ""
    return response


def font_missing(request: HttpRequest, back: str = "") -> HttpResponse:
    """What the PDF views answer when no CJK font is installed: what is missing, not boxes."""
    return render(
        request,
        "reports/pdf_unavailable.html",
        {
            "command": f"apt-get install {pdf.CJK_FONT_PACKAGE}",
            "english": FONT_MISSING_EN,
            "back": back,
        },
        status=503,
    )


def department_error(value: str) -> str:
    return _("参数 to（报送部门）不正确：“%(value)s”。可选：%(choices)s。") % {
        "value": value,
        "choices": "、".join(f"{code}（{name}）" for code, name in DEPARTMENTS.items()),
    }


def pack_filename(pack_or_report: VisitPack | VisitReport) -> str:
    """Contract number and visit id, safe as a file name (contract numbers may hold slashes)."""
    return f"{pack_or_report.loan.loan_no}-{pack_or_report.visit.pk}".replace("/", "_")


def pack_pdf(pack: VisitPack, *, request: HttpRequest | None = None) -> HttpResponse:
    """The visit pack as a PDF download (page and API)."""
    body = pdf.render_pdf(
        "reports/visit_pack_pdf.html",
        {"pack": pack, "institution_name": settings.HUIFANG_INSTITUTION_NAME},
        request=request,
    )
    return pdf_response(body, _("回访材料包-%(name)s.pdf") % {"name": pack_filename(pack)})


def report_pdf(report: VisitReport, *, request: HttpRequest | None = None) -> HttpResponse:
    """The visit report as a PDF download (page and API)."""
    body = pdf.render_pdf(
        "reports/visit_report_pdf.html",
        {
            "report": report,
            "institution_name": settings.HUIFANG_INSTITUTION_NAME,
        },
        request=request,
    )
    return pdf_response(body, _("回访报告-%(name)s.pdf") % {"name": pack_filename(report)})


def visit_pack_page(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request.user, visit_id, ip=client_ip(request))
    pack = visit_pack(visit=visit, user=request.user)
    return render(
        request,
        "reports/visit_pack.html",
        {"pack": pack, "departments": [(c, str(n)) for c, n in DEPARTMENTS.items()]},
    )


def visit_pack_pdf(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request.user, visit_id, ip=client_ip(request))
    if not pdf.cjk_font_available():
        return font_missing(request, back=reverse("visit_pack", args=[visit.pk]))
    return pack_pdf(visit_pack(visit=visit, user=request.user), request=request)


def visit_report_pdf(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request.user, visit_id, ip=client_ip(request))
    department = request.GET.get("to") or DEFAULT_DEPARTMENT
    if department not in DEPARTMENTS:
        return render(
            request,
            "reports/bad_request.html",
            {
                "message": department_error(department),
                "back": reverse("visit_pack", args=[visit.pk]),
            },
            status=400,
        )
    report = visit_report(visit=visit, user=request.user, department=department)
    if not pdf.cjk_font_available():
        return font_missing(request, back=reverse("visit_pack", args=[visit.pk]))
    return report_pdf(report, request=request)
