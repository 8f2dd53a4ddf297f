"""回访日历: a month of open visits, rest days shaded, provisional years marked."""

import re
from datetime import date

from django.urls import reverse

from huifang.followups.services.planning import plan_followups
from huifang.web.tests.conftest import (
    PLANNED_AS_OF,
    SYSTEM_ACTOR,
    import_loans,
    loan_row,
    resident_id,
)

URL = reverse("visit_calendar")


def cells(response) -> dict:
    return {cell.day: cell for week in response.context["grid"] for cell in week}


def counts(response) -> dict[date, int]:
    return {day: cell.count for day, cell in cells(response).items() if cell.count}


def test_an_officer_sees_their_visits_on_the_right_days(planned, login):
    response = login(planned.officer_a).get(URL)
    assert response.status_code == 200
    assert response.context["first"] == date(2025, 6, 1)  # this month by default
    assert counts(response) == {
        date(2025, 6, 3): 1,
        date(2025, 6, 9): 1,
        date(2025, 6, 16): 3,
        date(2025, 6, 19): 1,
    }
    # the contract numbers of a day, each once (V-A-05's borrower and guarantor share 06-16)
    assert cells(response)[date(2025, 6, 16)].loan_nos == ["V-A-03", "V-A-05"]
    html = response.content.decode()
    assert 'href="/loans/V-A-04/"' in html
    assert "V-A-06" not in html and "V-B-01" not in html
    assert response.context["month_total"] == 6


def test_rest_days_are_shaded(planned, login):
    response = login(planned.officer_a).get(URL)
    grid = cells(response)
    # the Dragon Boat holiday (05-31..06-02) and the weekends are rest days
    assert [d.day for d, c in grid.items() if not c.working and d.month == 6] == [
        1, 2, 7, 8, 14, 15, 21, 22, 28, 29,
    ]  # fmt: skip
    assert not grid[date(2025, 5, 31)].working
    html = response.content.decode()
    assert re.search(r'class="day[^"]*\bday-rest\b[^"]*" data-day="2025-06-02"', html)
    assert re.search(r'class="day[^"]*" data-day="2025-06-03"', html)
    assert not re.search(r'class="day[^"]*\bday-rest\b[^"]*" data-day="2025-06-03"', html)
    # today is marked, and a past day with open visits is overdue
    assert re.search(r'class="day[^"]*\bday-today\b[^"]*" data-day="2025-06-16"', html)
    assert grid[date(2025, 6, 3)].overdue and not grid[date(2025, 6, 19)].overdue


def test_a_make_up_working_day_is_not_shaded(planned, login):
    # 2025-04-27, a Sunday, was worked for Labour Day (调休)
    response = login(planned.officer_a).get(URL, {"month": "2025-04"})
    grid = cells(response)
    assert grid[date(2025, 4, 27)].working
    assert not grid[date(2025, 5, 1)].working  # Labour Day, shown in the last week


def test_other_months(planned, login):
    client = login(planned.officer_a)
    response = client.get(URL, {"month": "2025-07"})
    assert counts(response) == {date(2025, 7, 31): 1}
    html = response.content.decode()
    assert "?month=2025-06" in html and "?month=2025-08" in html
    assert "2025年7月" in html
    # a month that is no month: this month
    assert client.get(URL, {"month": "2025-13"}).context["first"] == date(2025, 6, 1)
    assert client.get(URL, {"month": "junk"}).context["first"] == date(2025, 6, 1)


def test_a_supervisor_sees_the_branch_or_their_own(planned, login):
    client = login(planned.reviewer)
    response = client.get(URL, {"month": "2025-06"})
    assert response.context["scope"] == "branch"
    assert counts(response)[date(2025, 6, 3)] == 2  # V-A-01 and V-A-06, not branch B's
    assert "V-B-01" not in response.content.decode()
    assert "本机构" in response.content.decode()

    response = client.get(URL, {"month": "2025-06", "scope": "mine"})
    assert counts(response) == {}


def test_an_officer_cannot_switch_to_the_branch(planned, login):
    response = login(planned.officer_a).get(URL, {"scope": "branch"})
    assert response.context["scope"] == "mine"
    assert counts(response)[date(2025, 6, 3)] == 1
    assert 'class="segmented"' not in response.content.decode()


def test_a_provisional_year_is_marked(planned, login):
    client = login(planned.officer_a)
    html = client.get(URL, {"month": "2027-03"}).content.decode()
    assert "临时" in html and "该年度放假安排尚未公布，日期为暂定" in html

    html = client.get(URL, {"month": "2025-06"}).content.decode()
    assert "该年度放假安排尚未公布" not in html


def test_query_count_does_not_grow_with_visits(planned, login, django_assert_max_num_queries):
    client = login(planned.risk_manager)
    with django_assert_max_num_queries(10) as few:
        client.get(URL)
    baseline = len(few.captured_queries)

    import_loans(
        [
            loan_row(
                loan_no=f"V-Q-{n:03}",
                borrower_name=f"借款人{n}",
                borrower_id_no=resident_id(f"3101041990{n // 28 + 1:02}{n % 28 + 1:02}456"),
                disbursement_date=f"2025-05-{1 + n % 28:02}",
            )
            for n in range(60)
        ]
    )
    plan_followups(as_of=PLANNED_AS_OF, actor=SYSTEM_ACTOR)

    with django_assert_max_num_queries(baseline):
        response = client.get(URL)
    assert response.context["month_total"] > 60
    assert all(len(c.loan_nos) <= 3 for c in cells(response).values())
    assert any(c.more > 0 for c in cells(response).values())
