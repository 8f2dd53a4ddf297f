"""The reports API: the pack as JSON, the pack and the report as PDFs."""

import pytest

from huifang.lib import pdf
from huifang.reports.tests.conftest import (
    BORROWER_ID,
    BORROWER_ID_MASKED,
    pdf_text,
)

needs_cjk_font = pytest.mark.skipif(
    not pdf.cjk_font_available(), reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


def test_the_pack_as_json(history, client):
    # given the officer of the loan
    client.force_login(history.users["officer"])

    # when they read the pack through the API
    response = client.get(f"/api/v1/visits/{history.fresh.pk}/pack")

    # then it holds the same pack as the page, with codes for the enumerations
    assert response.status_code == 200
    pack = response.json()
    assert pack["contract"]["loan_no"] == "HT-P-001"
    assert pack["contract"]["repayment_method"] == "equal_installment"
    assert pack["contract"]["dpd"] == 62
    assert pack["contract"]["overdue_installments"] == 3
    assert pack["borrower"]["name"] == "张伟" and pack["borrower"]["id_no"] == BORROWER_ID
    assert pack["pii_masked"] is False
    assert [p["role"] for p in pack["parties"]] == ["guarantor"]
    assert pack["collateral"][0]["custodian"] == "李娜"
    assert [r["state"] for r in pack["schedule"][:3]] == ["paid", "paid", "overdue"]
    assert len(pack["repayments"]) == 2
    assert [e["visit_id"] for e in pack["earlier_visits"]] == [history.earlier.pk, history.visit.pk]
    assert pack["risk_notes"][0]["severity"] == "high"
    assert pack["questionnaire"]["code"] == "borrower-standard"
    questions = [q for s in pack["questionnaire"]["sections"] for q in s["questions"]]
    actual_use = next(q for q in questions if q["key"] == "actual_use")
    assert actual_use["condition"] == "当“贷款资金是否按合同约定用途使用？”为“否”时询问"


def test_the_json_pack_is_masked_without_pii_read(history, client):
    client.force_login(history.users["auditor"])
    pack = client.get(f"/api/v1/visits/{history.fresh.pk}/pack").json()
    assert pack["pii_masked"] is True
    assert pack["borrower"]["id_no"] == BORROWER_ID_MASKED


def test_the_api_refuses_another_branch(history, client):
    client.force_login(history.users["officer_b"])
    for path in ("pack", "pack.pdf", "report.pdf"):
        assert client.get(f"/api/v1/visits/{history.visit.pk}/{path}").status_code == 403


@needs_cjk_font
def test_the_pdfs_through_the_api(history, client):
    client.force_login(history.users["reviewer"])
    pack = client.get(f"/api/v1/visits/{history.fresh.pk}/pack.pdf")
    assert pack.status_code == 200 and pack["Content-Type"] == "application/pdf"
    assert "回访材料包" in pdf_text(pack.content)
    report = client.get(f"/api/v1/visits/{history.visit.pk}/report.pdf?to=service")
    assert report.status_code == 200 and "致：客户服务部" in pdf_text(report.content)


def test_report_errors_through_the_api(history, client):
    client.force_login(history.users["officer"])
    assert client.get(f"/api/v1/visits/{history.fresh.pk}/report.pdf").status_code == 404
    wrong = client.get(f"/api/v1/visits/{history.visit.pk}/report.pdf?to=marketing")
    assert wrong.status_code == 422 and "marketing" in wrong.json()["detail"]


def test_without_a_cjk_font_the_api_says_what_is_missing(history, client, monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_available", lambda: False)
    client.force_login(history.users["officer"])
    response = client.get(f"/api/v1/visits/{history.fresh.pk}/pack.pdf")
    assert response.status_code == 503
    assert "apt-get install fonts-noto-cjk" in response.json()["detail"]
