"""Recording a repayment by hand."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from huifang.audit.models import AuditEvent
from huifang.portfolio.models import Repayment


def new(loan_no: str) -> str:
    return reverse("repayment_new", args=[loan_no])


def test_form_renders(portfolio, login):
    response = login(portfolio.officer_a).get(new("HT-A-001"))
    assert response.status_code == 200
    assert "登记还款" in response.content.decode()


def test_repayment_changes_dpd_and_outstanding(portfolio, login):
    before = portfolio.loan("HT-A-001")
    assert before.dpd() > 0
    first = before.schedule_versions.get().installments.get(period=1)
    response = login(portfolio.officer_a).post(
        new("HT-A-001"),
        {"paid_date": "2024-02-15", "amount": str(first.payment), "note": "柜面还款"},
    )
    assert response.status_code == 302
    after = portfolio.loan("HT-A-001")
    assert after.outstanding_principal == before.outstanding_principal - first.principal
    assert after.dpd() < before.dpd()
    repayment = Repayment.objects.get(loan=after)
    assert (repayment.source, repayment.recorded_by, repayment.note) == (
        "manual",
        portfolio.officer_a,
        "柜面还款",
    )
    assert AuditEvent.objects.filter(
        object_type="portfolio.repayment", object_id="HT-A-001", actor_name="officer_a"
    ).exists()
    page = login(portfolio.officer_a).get(response["Location"]).content.decode()
    assert "柜面还款" in page and "手工录入" in page


def test_paying_everything_closes_the_loan(portfolio, login):
    loan = portfolio.loan("HT-A-001")
    total = sum(i.payment for i in loan.schedule_versions.get().installments.all())
    login(portfolio.officer_a).post(
        new("HT-A-001"), {"paid_date": "2025-01-15", "amount": str(total)}
    )
    loan = portfolio.loan("HT-A-001")
    assert (loan.status, loan.dpd(), loan.outstanding_principal) == ("closed", 0, Decimal("0.00"))


def test_bad_input_changes_nothing(portfolio, login):
    client = login(portfolio.officer_a)
    cases = [
        ({"paid_date": "2023-12-31", "amount": "100"}, "paid_date", "不能早于放款日期"),
        (
            {"paid_date": (timezone.localdate() + timedelta(days=1)).isoformat(), "amount": "100"},
            "paid_date",
            "不能晚于今天",
        ),
        ({"paid_date": "2024-13-01", "amount": "100"}, "paid_date", "有效的日期"),
        ({"paid_date": "2024-02-15", "amount": "0"}, "amount", "必须大于 0"),
        ({"paid_date": "2024-02-15", "amount": "-5"}, "amount", "必须大于 0"),
        ({"paid_date": "2024-02-15", "amount": "10.005"}, "amount", "最多两位小数"),
        ({"paid_date": "2024-02-15", "amount": "abc"}, "amount", "请输入金额"),
        ({"paid_date": "", "amount": ""}, "amount", ""),
    ]
    for data, field, message in cases:
        response = client.post(new("HT-A-001"), data)
        assert response.status_code == 200, data
        assert field in response.context["form"].errors, data
        assert message in response.content.decode(), data
    assert not Repayment.objects.exists()


def test_other_branch_officer_gets_403(portfolio, login):
    client = login(portfolio.officer_a)
    assert client.get(new("HT-B-001")).status_code == 403
    assert (
        client.post(new("HT-B-001"), {"paid_date": "2024-07-01", "amount": "100"}).status_code
        == 403
    )
    assert not Repayment.objects.exists()


def test_auditor_and_reviewer_get_403(portfolio, login):
    for user in (portfolio.auditor, portfolio.reviewer):
        client = login(user)
        assert client.get(new("HT-A-001")).status_code == 403
        assert (
            client.post(new("HT-A-001"), {"paid_date": "2024-02-15", "amount": "100"}).status_code
            == 403
        )
    assert not Repayment.objects.exists()
