"""本机构回访: a supervisor's open visits of their branches, the workload, and reassignment."""

from datetime import date

from django.urls import reverse

from huifang.audit.models import AuditEvent
from huifang.followups.models import Visit, VisitStatus
from huifang.followups.services.planning import plan_followups
from huifang.web.tests.conftest import (
    PLANNED_AS_OF,
    SYSTEM_ACTOR,
    import_loans,
    loan_row,
    resident_id,
)

URL = reverse("visit_branch")


def visit(loan_no: str, kind: str = "first", role: str = "borrower") -> Visit:
    return Visit.objects.get(loan__loan_no=loan_no, kind=kind, subject_role=role)


def listed(response) -> list[tuple[str, str]]:
    return [(r.visit.loan.loan_no, r.visit.kind) for r in response.context["rows"]]


def assign_url(v: Visit) -> str:
    return reverse("visit_assign", args=[v.pk])


def test_a_reviewer_sees_their_branchs_open_visits_by_default_up_to_two_weeks(planned, login):
    response = login(planned.reviewer).get(URL)
    assert response.status_code == 200
    assert listed(response) == [
        ("V-A-01", "first"),
        ("V-A-06", "first"),
        ("V-A-02", "first"),
        ("V-A-03", "first"),
        ("V-A-05", "d90"),
        ("V-A-05", "d90"),
        ("V-A-04", "first"),
    ]
    html = response.content.decode()
    assert "V-B-01" not in html and "HT-B-001" not in html
    # not beyond 06-30 unless asked: HT-A-002's first visit is on 07-07
    assert "HT-A-002" not in html
    assert response.context["form"]["date_to"].value() == "2025-06-30"
    # overdue rows are highlighted and counted
    assert html.count('<tr class="row-overdue">') == 3
    assert response.context["overdue_count"] == 3


def test_a_risk_manager_sees_every_branch_and_filters(planned, login):
    client = login(planned.risk_manager)
    response = client.get(URL)
    assert ("V-B-01", "first") in listed(response) and ("V-A-01", "first") in listed(response)
    assert [label for _, label in response.context["form"].fields["branch"].choices][1:] == [
        "上海分行",
        "北京分行",
    ]

    response = client.get(URL, {"branch": planned.branch_b.pk})
    assert {no for no, _ in listed(response)} == {"V-B-01", "HT-B-001"}

    response = client.get(URL, {"assignee": planned.officer_a2.pk})
    assert listed(response) == [("V-A-06", "first")]

    response = client.get(URL, {"assignee": planned.officer_a2.pk, "date_to": ""})
    assert listed(response)[:3] == [("V-A-06", "first"), ("HT-A-002", "first"), ("V-A-06", "d90")]
    assert len(listed(response)) == Visit.objects.filter(assignee=planned.officer_a2).count()

    response = client.get(URL, {"date_from": "2025-06-16", "date_to": "2025-06-16"})
    assert listed(response) == [("V-A-03", "first"), ("V-A-05", "d90"), ("V-A-05", "d90")]

    response = client.get(URL, {"kind": "first", "channel": "onsite", "date_to": "2025-07-31"})
    assert listed(response) == [("V-A-04", "first"), ("HT-A-002", "first")]

    response = client.get(URL, {"date_from": "2025-06-20", "date_to": "2025-06-01"})
    assert response.context["form"].errors["date_to"]


def test_unassigned_visits_can_be_found(planned, login):
    Visit.objects.filter(pk=visit("V-A-02").pk).update(assignee=None)
    response = login(planned.reviewer).get(URL, {"assignee": "none"})
    assert listed(response) == [("V-A-02", "first")]
    assert "未分配" in response.content.decode()


def test_the_workload_per_assignee(planned, login):
    response = login(planned.reviewer).get(URL)
    loads = {w.name: (w.open, w.overdue) for w in response.context["workload"]}
    # all open visits of the branch, whatever the dates: d90s and pre-maturity ones too
    open_a = Visit.objects.filter(assignee=planned.officer_a, status=VisitStatus.PLANNED).count()
    open_a2 = Visit.objects.filter(assignee=planned.officer_a2, status=VisitStatus.PLANNED).count()
    assert loads == {"王经理": (open_a, 2), "赵经理": (open_a2, 1)}
    assert response.context["workload_total"] == {"open": open_a + open_a2, "overdue": 3}


def test_each_row_offers_its_branchs_officers(planned, login):
    response = login(planned.risk_manager).get(URL, {"branch": planned.branch_b.pk})
    for row in response.context["rows"]:
        assert [o.username for o in row.officers] == ["officer_b"]
    html = response.content.decode()
    assert f'action="{assign_url(visit("V-B-01"))}"' in html


def test_an_officer_may_not_open_the_branch_view(planned, login):
    response = login(planned.officer_a).get(URL)
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access_denied", actor_name="officer_a").exists()


def test_reassigning_a_visit(planned, login):
    # given officer_a's overdue visit of V-A-01
    v = visit("V-A-01")
    client = login(planned.reviewer)
    back = f"{URL}?page=1&kind=first"

    # when the reviewer gives it to officer_a2
    response = client.post(assign_url(v), {"assignee": planned.officer_a2.pk, "next": back})

    # then it is theirs, audited, and the reviewer is back on the list they came from
    assert response.status_code == 302 and response["Location"] == back
    v.refresh_from_db()
    assert v.assignee_id == planned.officer_a2.pk
    event = AuditEvent.objects.get(action="assign", object_id=str(v.pk))
    assert event.actor_name == "reviewer"
    assert event.object_type == "followups.visit"
    html = client.get(back).content.decode()
    assert "已将 V-A-01 的首次回访（2025-06-03）改派给 赵经理。" in html

    # and unassigning it leaves it to nobody
    client.post(assign_url(v), {"assignee": ""})
    v.refresh_from_db()
    assert v.assignee_id is None
    assert AuditEvent.objects.filter(action="assign", object_id=str(v.pk)).count() == 2


def test_reassigning_to_an_officer_of_another_branch_is_refused(planned, login):
    v = visit("V-A-01")
    client = login(planned.risk_manager)
    response = client.post(assign_url(v), {"assignee": planned.officer_b.pk}, follow=True)
    assert response.status_code == 200
    assert "未能改派" in response.content.decode()
    assert "只能改派给本机构在职的客户经理" in response.content.decode()
    v.refresh_from_db()
    assert v.assignee_id == planned.officer_a.pk
    assert not AuditEvent.objects.filter(action="assign").exists()


def test_reassigning_to_nobody_that_exists(planned, login):
    v = visit("V-A-01")
    response = login(planned.reviewer).post(assign_url(v), {"assignee": 999999}, follow=True)
    assert "所选人员不存在" in response.content.decode()
    v.refresh_from_db()
    assert v.assignee_id == planned.officer_a.pk


def test_a_reviewer_cannot_reassign_another_branchs_visit(planned, login):
    v = visit("V-B-01")
    response = login(planned.reviewer).post(assign_url(v), {"assignee": ""})
    assert response.status_code == 403
    v.refresh_from_db()
    assert v.assignee_id == planned.officer_b.pk
    assert AuditEvent.objects.filter(
        action="access_denied", actor_name="reviewer", object_id=str(v.pk)
    ).exists()


def test_an_officer_cannot_reassign(planned, login):
    v = visit("V-A-01")
    response = login(planned.officer_a).post(assign_url(v), {"assignee": planned.officer_a2.pk})
    assert response.status_code == 403
    v.refresh_from_db()
    assert v.assignee_id == planned.officer_a.pk


def test_reassigning_goes_back_only_to_this_site(planned, login):
    v = visit("V-A-01")
    response = login(planned.reviewer).post(
        assign_url(v), {"assignee": planned.officer_a2.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == URL


def test_reassigning_needs_a_post(planned, login):
    assert login(planned.reviewer).get(assign_url(visit("V-A-01"))).status_code == 405


def test_query_count_does_not_grow_with_visits(planned, login, django_assert_max_num_queries):
    client = login(planned.risk_manager)
    with django_assert_max_num_queries(15) as few:
        client.get(URL, {"date_to": ""})
    baseline = len(few.captured_queries)

    import_loans(
        [
            loan_row(
                loan_no=f"V-Q-{n:03}",
                borrower_name=f"借款人{n}",
                borrower_id_no=resident_id(f"3101041990{n // 28 + 1:02}{n % 28 + 1:02}456"),
                disbursement_date="2025-05-10",
                branch="上海分行" if n % 2 else "北京分行",
                officer="officer_b" if n % 2 else "officer_a2",
            )
            for n in range(60)
        ]
    )
    plan_followups(as_of=PLANNED_AS_OF, actor=SYSTEM_ACTOR)

    with django_assert_max_num_queries(baseline):
        response = client.get(URL, {"date_to": ""})
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.count > 100
    assert date(2025, 6, 16) == response.context["today"]
