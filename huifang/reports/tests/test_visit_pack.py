"""The visit pack (回访材料包): the page, the PDF, masking, the gate, and its cost in queries."""

import pytest
from django.urls import reverse

from huifang.lib import pdf
from huifang.reports.tests.conftest import (
    BORROWER_ID,
    BORROWER_ID_MASKED,
    BORROWER_PHONE,
    BORROWER_PHONE_MASKED,
    first_page_png,
    ink_share,
    pdf_fonts,
    pdf_text,
)

needs_cjk_font = pytest.mark.skipif(
    not pdf.cjk_font_available(), reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


def pack_url(visit) -> str:
    return reverse("visit_pack", args=[visit.pk])


def test_the_pack_page_holds_what_an_officer_takes_to_the_visit(history, client):
    # given the officer of a loan with a guarantor, collateral, an overdue installment and an
    # earlier approved visit that found the business declining
    client.force_login(history.users["officer"])

    # when they open the pack of the next visit
    response = client.get(pack_url(history.fresh))

    # then the page shows the contract, the borrower, the parties, the collateral ...
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "回访材料包",
        "HT-P-001",
        "个人经营贷",
        "100,000.00",
        "4.35%",
        "12 个月",
        "等额本息",
        "采购原材料",
        "甲分行",
        "王经理",
        "张伟",
        BORROWER_ID,
        BORROWER_PHONE,
        "李娜",
        "担保人",
        "大众帕萨特",
        "150,000.00",
    ):
        assert text in html, text
    # ... the schedule with each installment's state, and today's days past due (04-15 -> 06-16)
    pack = response.context["pack"]
    assert pack.dpd == 62
    states = [row.state for row in pack.schedule[:6]]
    assert states == ["paid", "paid", "overdue", "overdue", "overdue", "not_due"]
    assert "62 天" in html and "逾期" in html
    # ... earlier approved visits with their findings, and the risks they raised
    assert [e.visit_id for e in pack.earlier_visits] == [history.earlier.pk, history.visit.pk]
    assert "经营收入较放款时下降" in html and "资金未按合同约定用途使用" in html
    assert "风险提示" in html
    assert pack.risk_notes[0].severity == "high"  # the most severe first
    # ... and the questions to ask with their scripts (the borrower's phone questionnaire)
    assert pack.questionnaire.questionnaire.code == "borrower-standard"
    assert "贷款资金是否按合同约定用途使用？" in html
    assert "话术" in html and "这笔贷款目前是按照合同约定的用途在使用吗" in html
    # and a button downloads it as a PDF
    assert reverse("visit_pack_pdf", args=[history.fresh.pk]) in html and "下载 PDF" in html


def test_the_pack_masks_personal_data_for_roles_without_pii_read(history, client):
    for role in ("admin", "auditor"):
        client.force_login(history.users[role])
        html = client.get(pack_url(history.fresh)).content.decode()
        assert BORROWER_ID_MASKED in html and BORROWER_PHONE_MASKED in html
        assert BORROWER_ID not in html and BORROWER_PHONE not in html
        assert "13900001111" not in html  # the guarantor's phone
        assert "已按权限脱敏显示" in html


def test_the_pack_without_earlier_visits_or_warnings_says_so(history, client):
    # given a loan of branch B with no visit approved yet
    client.force_login(history.users["officer_b"])

    # when its officer opens the pack of its first visit
    html = client.get(pack_url(history.other_branch_visit)).content.decode()

    # then the sections say there is nothing, rather than being left out
    assert "该笔贷款此前没有已审核通过的回访" in html
    assert "历次回访和证据核查均未发现风险" in html
    assert "无抵质押物" in html


def test_evidence_flags_show_among_the_warnings(history, client):
    from huifang.evidence.models import EvidenceFlag, FlagKind

    EvidenceFlag.objects.create(visit=history.visit, kind=FlagKind.NO_LOCATION)
    client.force_login(history.users["officer"])
    response = client.get(pack_url(history.fresh))
    notes = [n.label for n in response.context["pack"].risk_notes]
    assert "实地回访没有记录定位，无法核对回访地点。" in notes
    assert "证据核查" in response.content.decode()


@pytest.mark.parametrize("role", ["officer_b"])
def test_another_branchs_officer_is_refused(history, client, role):
    client.force_login(history.users[role])
    for name in ("visit_pack", "visit_pack_pdf", "visit_report_pdf"):
        response = client.get(reverse(name, args=[history.visit.pk]))
        assert response.status_code == 403, name


def test_an_unknown_visit_is_not_found(history, client):
    client.force_login(history.users["officer"])
    assert client.get(reverse("visit_pack", args=[999_999])).status_code == 404


def test_the_pack_costs_a_fixed_number_of_queries(history, client, django_assert_max_num_queries):
    from datetime import date, timedelta
    from decimal import Decimal

    from huifang.followups.models import VisitStatus
    from huifang.portfolio.services.repayments import record_repayments
    from huifang.reports.tests.conftest import SYSTEM_ACTOR, _round, _visit
    from huifang.reviews.models import Decision, Review

    client.force_login(history.users["officer"])
    client.get(pack_url(history.fresh))  # warm the session and caches

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(pack_url(history.fresh)).status_code == 200
        return len(queries)

    before = count()
    # when the loan gains more approved visits and repayments
    officer, reviewer = history.users["officer"], history.users["reviewer"]
    for n in range(5):
        v = _visit(
            history.loan,
            date(2025, 3, 1) + timedelta(days=n),
            status=VisitStatus.APPROVED,
            assignee=officer,
            kind="adhoc",
        )
        s = _round(v, 1, by=officer, on=v.due_date, answers={}, findings=[])
        Review.objects.create(submission=s, reviewer=reviewer, decision=Decision.APPROVED)
        record_repayments(
            [(history.loan, date(2025, 5, 1) + timedelta(days=n), Decimal("10.00"))],
            actor=SYSTEM_ACTOR,
            by=None,
            source="manual",
        )
    # then the page costs the same number of queries
    assert count() == before
    with django_assert_max_num_queries(20):
        client.get(pack_url(history.fresh))


@needs_cjk_font
def test_the_pack_pdf_is_a_real_pdf_in_chinese(history, client):
    # given the officer of the loan
    client.force_login(history.users["officer"])

    # when they download the pack as a PDF
    response = client.get(reverse("visit_pack_pdf", args=[history.fresh.pk]))

    # then it is a PDF whose first page has ink on it ...
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"%PDF-")
    image = first_page_png(data, "/tmp/hf_p_visit_pack_page1.png")
    assert ink_share(image) > 0.02
    # ... text in Chinese: the title, the borrower, the questions, the page numbers ...
    text = pdf_text(data)
    for expected in ("回访材料包", "张伟", "HT-P-001", "风险提示", "第 1 页 / 共"):
        assert expected in text, expected
    assert "贷款资金是否按合同约定用途使用？" in text
    # ... set in an embedded CJK font (not boxes)
    assert any("CJK" in name and embedded for name, embedded in pdf_fonts(data))


@needs_cjk_font
def test_the_pack_pdf_masks_personal_data_for_roles_without_pii_read(history, client):
    client.force_login(history.users["auditor"])
    text = pdf_text(client.get(reverse("visit_pack_pdf", args=[history.fresh.pk])).content)
    assert BORROWER_ID_MASKED in text and BORROWER_ID not in text


def test_without_a_cjk_font_the_pdf_is_refused_with_an_explanation(history, client, monkeypatch):
    # given a server with no Chinese font
    monkeypatch.setattr(pdf, "cjk_font_available", lambda: False)
    client.force_login(history.users["officer"])

    # when the pack PDF is asked for
    response = client.get(reverse("visit_pack_pdf", args=[history.fresh.pk]))

    # then a page says what is missing and how to install it, instead of a PDF of boxes
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "CJK" in html and "apt-get install fonts-noto-cjk" in html
