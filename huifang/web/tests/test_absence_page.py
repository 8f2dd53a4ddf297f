"""Supervisors record an officer's absence on a page; the planned visits go to colleagues."""

from huifang.accounts.models import Role, User
from huifang.audit.models import AuditEvent
from huifang.followups.models import Absence, Visit


def test_a_supervisor_records_an_absence_and_the_visits_move(two_branches, client):
    officer = two_branches["officer"]
    colleague = User.objects.create_user(
        username="officer_a3", password="x-Pass-2026", role=Role.OFFICER, branch=officer.branch
    )
    visit = Visit.objects.filter(loan__loan_no="A-0001", status="planned").order_by("due_date")[0]
    visit.assignee = officer
    visit.save(update_fields=["assignee"])
    client.force_login(two_branches["reviewer"])
    page = client.get("/visits/absences/").content.decode()
    assert "officer_a" in page and "officer_b" not in page  # own branch only
    day = visit.due_date.isoformat()
    response = client.post(
        "/visits/absences/", {"user": "officer_a", "start": day, "end": day, "reason": "年假"}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.assignee == colleague
    assert Absence.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(object_type="followups.absence").exists()


def test_a_bad_period_is_refused_and_nothing_changes(two_branches, client):
    client.force_login(two_branches["reviewer"])
    response = client.post(
        "/visits/absences/", {"user": "officer_a", "start": "2025-03-05", "end": "2025-03-01"}
    )
    assert response.status_code == 422 and "结束日期不能早于开始日期" in response.content.decode()
    assert not Absence.objects.exists()
