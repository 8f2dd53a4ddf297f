"""The audit trail pages."""

from django.urls import reverse
from django.utils import timezone

from huifang.audit.models import AuditEvent

LIST = reverse("audit_list")


def test_auditor_and_admin_read_the_trail(portfolio, login):
    for user in (portfolio.auditor, portfolio.admin):
        response = login(user).get(LIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert "审计日志" in html and "校验审计链" in html
        assert "HT-A-001" in html


def test_others_get_403(portfolio, login):
    for user in (portfolio.officer_a, portfolio.reviewer, portfolio.risk_manager):
        client = login(user)
        assert client.get(LIST).status_code == 403
        assert client.post(reverse("audit_verify")).status_code == 403


def test_filters(portfolio, login):
    client = login(portfolio.auditor)
    by_type = client.get(LIST, {"object_type": "portfolio.loan", "object_id": "HT-B"})
    events = list(by_type.context["page"].object_list)
    assert events and all(e.object_id == "HT-B-001" for e in events)
    by_actor = client.get(LIST, {"actor": "auditor", "action": "login"})
    assert [e.action for e in by_actor.context["page"].object_list] == ["login"]
    today = timezone.localtime(by_actor.context["page"].object_list[0].at).date().isoformat()
    assert client.get(LIST, {"date_from": today, "date_to": today}).context[
        "page"
    ].paginator.count == (AuditEvent.objects.count())
    assert client.get(LIST, {"date_to": "2000-01-01"}).context["page"].paginator.count == 0


def test_bad_date_range_is_reported(portfolio, login):
    response = login(portfolio.auditor).get(
        LIST, {"date_from": "2025-02-01", "date_to": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_verify(portfolio, login):
    client = login(portfolio.auditor)
    assert client.get(reverse("audit_verify")).status_code == 405
    response = client.post(reverse("audit_verify"))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.checked == AuditEvent.objects.count()
    assert result.ok, result.problems
    assert "审计链完整" in response.content.decode()
