"""工作日历: an admin's rest and working days over the official calendar; nobody else's."""

from datetime import date

import pytest
from django.urls import reverse

from huifang.audit.models import AuditEvent
from huifang.followups.models import CalendarEntry, Visit, VisitStatus
from huifang.followups.services.planning import plan_followups
from huifang.web.tests.conftest import SYSTEM_ACTOR

URL = reverse("calendar_entries")


def delete_url(day: date) -> str:
    return reverse("calendar_entry_delete", args=[day])


def test_an_admin_adds_a_rest_day_and_planning_moves_the_visit(planned, login):
    # given V-A-04's first visit on Thursday 2025-06-19
    v = Visit.objects.get(loan__loan_no="V-A-04", kind="first")
    assert v.due_date == date(2025, 6, 19)
    client = login(planned.admin)

    # when the admin makes 06-19 a rest day of the institution
    response = client.post(
        URL, {"day": "2025-06-19", "working": "0", "note": "本机构年会"}, follow=True
    )

    # then the entry is saved and audited, and the page says what happens next
    assert response.status_code == 200
    entry = CalendarEntry.objects.get(day=date(2025, 6, 19))
    assert (entry.working, entry.notice, entry.note) == (False, False, "本机构年会")
    assert entry.created_by == planned.admin
    event = AuditEvent.objects.get(object_type="followups.calendarentry", object_id="2025-06-19")
    assert event.action == "create" and event.actor_name == "admin"
    html = response.content.decode()
    assert "已将 2025-06-19 设为休息日" in html
    assert "本机构年会" in html and "2025 年" in html

    # and once planning runs again, the visit moves to the next working day
    plan_followups(as_of=date(2025, 6, 16), actor=SYSTEM_ACTOR)
    moved = Visit.objects.get(loan__loan_no="V-A-04", kind="first", status=VisitStatus.PLANNED)
    assert moved.due_date == date(2025, 6, 20)
    # ...and the visit calendar shades the day
    grid = login(planned.officer_a).get(reverse("visit_calendar")).context["grid"]
    day = next(c for week in grid for c in week if c.day == date(2025, 6, 19))
    assert not day.working and day.count == 0


def test_an_admin_changes_and_deletes_an_entry(planned, login):
    client = login(planned.admin)
    client.post(URL, {"day": "2025-06-19", "working": "0"})

    # the edit link fills the form in with the entry
    response = client.get(URL, {"day": "2025-06-19"})
    assert response.context["form"].initial == {
        "day": date(2025, 6, 19),
        "working": "0",
        "notice": False,
        "note": "",
    }
    assert "修改条目" in response.content.decode()

    client.post(URL, {"day": "2025-06-19", "working": "1", "note": "改为上班"})
    assert CalendarEntry.objects.get(day=date(2025, 6, 19)).working is True
    assert AuditEvent.objects.filter(object_id="2025-06-19", action="update").exists()

    response = client.post(delete_url(date(2025, 6, 19)), follow=True)
    assert not CalendarEntry.objects.exists()
    assert AuditEvent.objects.filter(object_id="2025-06-19", action="delete").exists()
    assert "已删除 2025-06-19 的日历条目" in response.content.decode()


def test_the_years_official_or_provisional(planned, login):
    client = login(planned.admin)
    years = {y.year: y for y in client.get(URL).context["years"]}
    assert sorted(years) == [2025, 2026, 2027]
    assert not years[2025].provisional and years[2025].from_package
    assert not years[2026].provisional
    assert years[2027].provisional

    # the State Council's notice for 2027, entered by the admin, makes the year official
    client.post(URL, {"day": "2027-02-07", "working": "1", "notice": "on", "note": "春节调休"})
    years = {y.year: y for y in client.get(URL).context["years"]}
    assert not years[2027].provisional and not years[2027].from_package
    assert "本机构录入的国务院通知" in client.get(URL).content.decode()


def test_a_bad_form_is_shown_again(planned, login):
    response = login(planned.admin).post(URL, {"day": "2025-02-30", "working": "0"})
    assert response.status_code == 200
    assert response.context["form"].errors["day"]
    assert not CalendarEntry.objects.exists()


def test_a_day_that_does_not_exist_is_not_found(planned, login):
    assert login(planned.admin).post("/calendar/2025-02-30/delete/").status_code == 404


def test_only_admins_find_it_under_settings(planned, login):
    link = f'href="{URL}"'
    assert link in login(planned.admin).get(reverse("settings_hub")).content.decode()
    assert link not in login(planned.risk_manager).get(reverse("settings_hub")).content.decode()


@pytest.mark.parametrize("who", ["officer_a", "reviewer", "risk_manager", "auditor"])
def test_nobody_else_may_change_the_calendar(planned, login, who):
    client = login(getattr(planned, who))
    CalendarEntry.objects.create(day=date(2025, 10, 11), working=True)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"day": "2025-06-19", "working": "0"}).status_code == 403
    assert client.post(delete_url(date(2025, 10, 11))).status_code == 403
    assert list(CalendarEntry.objects.values_list("day", flat=True)) == [date(2025, 10, 11)]
    assert AuditEvent.objects.filter(action="access_denied").count() == 3


def test_query_count_does_not_grow_with_entries(planned, login, django_assert_max_num_queries):
    client = login(planned.admin)
    with django_assert_max_num_queries(10) as few:
        client.get(URL)
    baseline = len(few.captured_queries)
    CalendarEntry.objects.bulk_create(
        CalendarEntry(day=date(2027, 1, 1 + n), working=n % 2 == 0, created_by=planned.admin)
        for n in range(30)
    )
    with django_assert_max_num_queries(baseline):
        response = client.get(URL)
    assert len(response.context["entries"]) == 30
