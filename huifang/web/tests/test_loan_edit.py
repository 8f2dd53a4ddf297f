"""Editing a loan's risk level, officer and purpose."""

from django.urls import reverse

from huifang.audit.models import AuditEvent


def edit(loan_no: str) -> str:
    return reverse("loan_edit", args=[loan_no])


def test_form_renders_with_branch_officers_only(portfolio, login):
    response = login(portfolio.officer_a).get(edit("HT-A-001"))
    assert response.status_code == 200
    officers = set(response.context["form"].fields["officer"].queryset)
    assert officers == {portfolio.officer_a, portfolio.officer_a2}
    html = response.content.decode()
    assert "采购原材料" in html
    assert "钱经理" not in html


def test_edit_changes_the_loan_and_is_audited(portfolio, login):
    response = login(portfolio.officer_a).post(
        edit("HT-A-001"),
        {"risk_level": "high", "officer": portfolio.officer_a2.pk, "purpose": "购置设备"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("loan_detail", args=["HT-A-001"])
    loan = portfolio.loan("HT-A-001")
    assert (loan.risk_level, loan.officer_id, loan.purpose) == (
        "high",
        portfolio.officer_a2.pk,
        "购置设备",
    )
    event = AuditEvent.objects.get(action="update", object_id="HT-A-001", actor_name="officer_a")
    assert event.after == {
        "risk_level": "high",
        "officer_id": portfolio.officer_a2.pk,
        "purpose": "购置设备",
    }
    assert event.via == "web"
    page = login(portfolio.officer_a).get(response["Location"]).content.decode()
    assert "已更新" in page


def test_bad_input_changes_nothing(portfolio, login):
    client = login(portfolio.officer_a)
    events = AuditEvent.objects.count()
    response = client.post(
        edit("HT-A-001"),
        {"risk_level": "extreme", "officer": portfolio.officer_b.pk, "purpose": "  "},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"risk_level", "officer", "purpose"}
    assert "贷款用途不能为空" in response.content.decode()
    loan = portfolio.loan("HT-A-001")
    assert (loan.risk_level, loan.officer_id, loan.purpose) == (
        "medium",
        portfolio.officer_a.pk,
        "采购原材料",
    )
    assert AuditEvent.objects.count() == events


def test_service_rejection_is_shown_at_the_field(portfolio, login):
    # The current officer stays selectable when no longer eligible; choosing another
    # ineligible one is refused by the service, whose message lands at the field.
    portfolio.officer_a2.is_active = False
    portfolio.officer_a2.save()
    response = login(portfolio.officer_a).post(
        edit("HT-A-002"),
        {"risk_level": "high", "officer": portfolio.officer_a2.pk, "purpose": "采购原材料"},
    )
    assert response.status_code == 302  # unchanged officer: not passed to the service
    loan = portfolio.loan("HT-A-002")
    assert (loan.risk_level, loan.officer_id) == ("high", portfolio.officer_a2.pk)
    response = login(portfolio.officer_a).post(
        edit("HT-A-001"),
        {"risk_level": "medium", "officer": portfolio.officer_a2.pk, "purpose": "采购原材料"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["officer"]


def test_no_change_writes_nothing(portfolio, login):
    client = login(portfolio.officer_a)
    events = AuditEvent.objects.count()
    response = client.post(
        edit("HT-A-001"),
        {"risk_level": "medium", "officer": portfolio.officer_a.pk, "purpose": "采购原材料"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.count() == events


def test_other_branch_officer_gets_403(portfolio, login):
    client = login(portfolio.officer_a)
    assert client.get(edit("HT-B-001")).status_code == 403
    response = client.post(edit("HT-B-001"), {"risk_level": "low", "officer": "", "purpose": "x"})
    assert response.status_code == 403
    assert portfolio.loan("HT-B-001").risk_level == "high"


def test_auditor_and_reviewer_get_403(portfolio, login):
    assert login(portfolio.auditor).get(edit("HT-A-001")).status_code == 403
    assert login(portfolio.reviewer).get(edit("HT-A-001")).status_code == 403


def test_risk_manager_may_edit_any_branch(portfolio, login):
    response = login(portfolio.risk_manager).post(
        edit("HT-B-001"),
        {"risk_level": "low", "officer": portfolio.officer_b.pk, "purpose": "购车"},
    )
    assert response.status_code == 302
    assert portfolio.loan("HT-B-001").risk_level == "low"
