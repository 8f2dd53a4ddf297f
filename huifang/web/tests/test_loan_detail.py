"""The loan page: its sections, masking by role, and branch scope."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from huifang.audit.models import AuditEvent
from huifang.portfolio.services.repayments import record_repayments
from huifang.web.tests.conftest import (
    ID_GUARANTOR,
    ID_ZHANG,
    PHONE_ZHANG,
    SYSTEM_ACTOR,
    import_loans,
    loan_row,
)


def detail(loan_no: str) -> str:
    return reverse("loan_detail", args=[loan_no])


def test_sections_and_key_data(portfolio, login):
    response = login(portfolio.officer_a).get(detail("HT-A-001"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "合同信息", "借款人", "关联方", "抵质押物", "还款计划", "还款记录", "逾期情况",
        "张建国", "个人经营贷", "120,000.00", "4.35%", "采购原材料", "北京分行", "王经理",
        "李担保", "担保人", "第 1 版", "原始计划",
    ):  # fmt: skip
        assert text in html, text
    # Officers may not read the audit trail.
    assert "审计记录" not in html
    assert len(response.context["installments"]) == 12


def test_officer_sees_clear_personal_data(portfolio, login):
    html = login(portfolio.officer_a).get(detail("HT-A-001")).content.decode()
    assert ID_ZHANG in html
    assert PHONE_ZHANG in html
    assert ID_GUARANTOR in html


def test_auditor_sees_masked_personal_data(portfolio, login):
    loan = portfolio.loan("HT-A-001")
    html = login(portfolio.auditor).get(detail("HT-A-001")).content.decode()
    assert ID_ZHANG not in html
    assert PHONE_ZHANG not in html
    assert ID_GUARANTOR not in html
    assert loan.borrower.id_no_masked in html
    assert loan.borrower.phone_masked in html
    assert "已按权限脱敏显示" in html


def test_admin_sees_masked_personal_data(portfolio, login):
    html = login(portfolio.admin).get(detail("HT-A-001")).content.decode()
    assert ID_ZHANG not in html


def test_auditor_reads_the_loan_audit_trail_but_cannot_change(portfolio, login):
    response = login(portfolio.auditor).get(detail("HT-A-001"))
    html = response.content.decode()
    assert "审计记录" in html
    events = response.context["audit_events"]
    assert ("create", "portfolio.loan") in {(e.action, e.object_type) for e in events}
    assert reverse("loan_edit", args=["HT-A-001"]) not in html
    assert reverse("repayment_new", args=["HT-A-001"]) not in html


def test_write_buttons_for_who_may_write(portfolio, login):
    html = login(portfolio.officer_a).get(detail("HT-A-001")).content.decode()
    assert reverse("loan_edit", args=["HT-A-001"]) in html
    assert reverse("repayment_new", args=["HT-A-001"]) in html
    html = login(portfolio.reviewer).get(detail("HT-A-001")).content.decode()
    assert reverse("loan_edit", args=["HT-A-001"]) not in html


def test_other_branch_is_forbidden_and_audited(portfolio, login):
    response = login(portfolio.officer_a).get(detail("HT-B-001"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="access_denied", object_id="HT-B-001", actor_name="officer_a"
    ).exists()


def test_unknown_loan_is_404(portfolio, login):
    response = login(portfolio.admin).get(detail("NO-SUCH"))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_installment_states_and_dpd(portfolio, login):
    loan = portfolio.loan("HT-A-001")
    first_payment = (
        portfolio.loan("HT-A-001").schedule_versions.get().installments.get(period=1).payment
    )
    record_repayments(
        [(loan, date(2024, 2, 15), first_payment), (loan, date(2024, 3, 20), Decimal("100.00"))],
        actor=SYSTEM_ACTOR, by=None, source="manual",
    )  # fmt: skip
    response = login(portfolio.officer_a).get(detail("HT-A-001"))
    rows = response.context["installment_rows"]
    assert [r.state for r in rows[:3]] == ["paid", "overdue", "overdue"]
    assert rows[1].interest_paid + rows[1].principal_paid == Decimal("100.00")
    assert response.context["dpd"] == (response.context["today"] - rows[1].due_date).days
    html = response.content.decode()
    assert "已还清" in html and "逾期" in html
    assert "100.00" in html  # the repayment record


def test_schedule_versions_stay_readable(portfolio, login):
    # A corrected principal writes schedule version 2; version 1 stays readable.
    import_loans(
        [loan_row(principal="60000.00", guarantor_name="李担保", guarantor_id_no=ID_GUARANTOR)]
    )
    client = login(portfolio.officer_a)
    response = client.get(detail("HT-A-001"))
    assert response.context["shown_version"].number == 2
    assert "数据更正" in response.content.decode()
    assert response.context["installments"][0].balance < Decimal("60000")
    old = client.get(detail("HT-A-001"), {"version": 1})
    assert old.context["shown_version"].number == 1
    assert old.context["installments"][0].balance > Decimal("100000")
    # A version that does not exist shows the one in force.
    assert client.get(detail("HT-A-001"), {"version": "9"}).context["shown_version"].number == 2
