"""The visit report (回访报告) PDF: every round, its review and re-check, evidence, the addressee."""

import pytest
from django.urls import reverse

from huifang.lib import pdf
from huifang.reports.tests.conftest import first_page_png, ink_share, pdf_fonts, pdf_text

pytestmark = pytest.mark.skipif(
    not pdf.cjk_font_available(), reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


def report_url(visit, to: str = "") -> str:
    url = reverse("visit_report_pdf", args=[visit.pk])
    return f"{url}?to={to}" if to else url


def _attachment(visit, user, name: str, digest: str):
    from huifang.evidence.models import Attachment, AttachmentKind

    return Attachment.objects.create(
        visit=visit,
        kind=AttachmentKind.PHOTO,
        original_name=name,
        content_type="image/jpeg",
        size=123_456,
        sha256=digest,
        uploaded_by=user,
    )


def test_the_report_tells_the_whole_story_of_a_visit(history, client):
    # given a visit returned once, approved in the second round, re-checked, with a photo
    # and an evidence flag
    from huifang.evidence.models import EvidenceFlag, FlagKind

    officer = history.users["officer"]
    _attachment(history.visit, officer, "门头照片.jpg", "ab12" * 16)
    EvidenceFlag.objects.create(visit=history.visit, kind=FlagKind.NO_LOCATION)
    client.force_login(history.users["reviewer"])

    # when the reviewer downloads its report for collections
    response = client.get(report_url(history.visit, "collections"))

    # then the PDF is addressed to 催收部 and holds every round with its review ...
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = response.content
    text = pdf_text(data)
    for expected in (
        "致：催收部",
        "回访报告",
        "HT-P-001",
        "张伟",
        "放款后90天回访",
        "第 1 轮提交",
        "第 2 轮提交",
        "退回",
        "请补充资金用途凭证。",
        "通过",
        "情况属实，转风险管理部。",
        "孙审核",
        "客户承认部分资金用于偿还民间借贷。",
        "偿还其他借款",  # an answer, through the questionnaire's read-only view
        "资金未按合同约定用途使用",  # a finding
        "复核无误",
        "电话复核一致。",
        "钱复核",
        "实地回访没有记录定位",  # the evidence flag
        "门头照片.jpg",
        "ab12ab12ab12ab12",  # the first 16 hex digits of the SHA-256
    ):
        assert expected in text, expected
    assert "ab12ab12ab12ab12ab12" not in text
    assert any("CJK" in name and embedded for name, embedded in pdf_fonts(data))
    assert ink_share(first_page_png(data, "/tmp/hf_p_visit_report_page1.png")) > 0.02


def test_the_report_goes_to_risk_management_unless_told_otherwise(history, client):
    client.force_login(history.users["risk_manager"])
    text = pdf_text(client.get(report_url(history.visit)).content)
    assert "致：风险管理部" in text
    for to, name in (("credit", "授信审批部"), ("service", "客户服务部")):
        assert f"致：{name}" in pdf_text(client.get(report_url(history.visit, to)).content)


def test_an_unknown_department_is_a_clear_error(history, client):
    client.force_login(history.users["officer"])
    response = client.get(report_url(history.visit, "marketing"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "marketing" in html and "风险管理部" in html and "催收部" in html


def test_a_visit_never_submitted_has_no_report(history, client):
    client.force_login(history.users["officer"])
    assert client.get(report_url(history.fresh)).status_code == 404


def test_attachments_are_listed_only_for_roles_that_may_read_them(history, client):
    _attachment(history.visit, history.users["officer"], "合同照片.jpg", "cd34" * 16)
    client.force_login(history.users["admin"])
    text = pdf_text(client.get(report_url(history.visit)).content)
    assert "合同照片.jpg" not in text and "无权查看附件" in text


def test_withdrawn_attachments_are_not_evidence(history, client):
    from django.utils import timezone

    a = _attachment(history.visit, history.users["officer"], "拍错了.jpg", "ef56" * 16)
    a.removed_at, a.removed_by = timezone.now(), history.users["officer"]
    a.save()
    client.force_login(history.users["officer"])
    assert "拍错了.jpg" not in pdf_text(client.get(report_url(history.visit)).content)
