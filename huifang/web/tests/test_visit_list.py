"""我的回访: an officer's overdue, today's and coming visits, the filters, and the nav badge."""

from datetime import date, timedelta

from django.test import RequestFactory
from django.urls import reverse

from huifang.followups.services.planning import plan_followups
from huifang.web.context import huifang as nav_context
from huifang.web.tests.conftest import (
    PLANNED_AS_OF,
    SYSTEM_ACTOR,
    import_loans,
    loan_row,
    resident_id,
)

URL = reverse("visit_list")


def some_id(n: int) -> str:
    return resident_id(f"3101041990{n // 28 + 1:02}{n % 28 + 1:02}456")


def loan_nos(visits) -> list[str]:
    return [v.loan.loan_no for v in visits]


def test_an_officer_sees_their_own_due_visits(planned, login):
    # given officer_a with two overdue visits, three today and one in the coming week
    # when they open 我的回访
    response = login(planned.officer_a).get(URL)

    # then each list holds their visits, and nobody else's
    assert response.status_code == 200
    assert loan_nos(response.context["overdue"]) == ["V-A-01", "V-A-02"]
    assert loan_nos(response.context["due_today"]) == ["V-A-03", "V-A-05", "V-A-05"]
    assert loan_nos(response.context["upcoming"]) == ["V-A-04"]
    html = response.content.decode()
    for other in ("V-A-06", "V-B-01", "HT-B-001", "HT-A-002"):
        assert other not in html
    # rows link to the loan, and name the borrower and the subject visited
    assert 'href="/loans/V-A-01/"' in html
    assert "陈一" in html and "担保人" in html and "周保" in html
    assert "首次回访" in html and "放款后90天回访" in html and "实地" in html


def test_overdue_is_highlighted_and_counted(planned, login):
    html = login(planned.officer_a).get(URL).content.decode()
    assert 'visit-section-overdue" id="overdue"' in html  # highlighted when not empty
    assert html.count('class="row-overdue"') == 2
    assert "逾期 13 天" in html  # 06-03 -> 06-16
    # the counts in the page header
    assert "逾期 <strong>2</strong>" in html
    assert "今天 <strong>3</strong>" in html
    assert "未来7天 <strong>1</strong>" in html


def test_another_officer_sees_only_theirs(planned, login):
    response = login(planned.officer_b).get(URL)
    assert sorted(loan_nos(response.context["overdue"])) == ["HT-B-001", "HT-B-001", "V-B-01"]
    assert response.context["due_today"] == [] and response.context["upcoming"] == []
    assert "今天没有要做的回访" in response.content.decode()


def test_filters_apply_to_every_list(planned, login):
    client = login(planned.officer_a)

    response = client.get(URL, {"channel": "onsite"})
    assert response.context["overdue"] == [] and response.context["due_today"] == []
    assert loan_nos(response.context["upcoming"]) == ["V-A-04"]
    assert "没有符合条件的逾期回访" in response.content.decode()

    response = client.get(URL, {"kind": "d90"})
    assert response.context["overdue"] == [] and response.context["upcoming"] == []
    assert loan_nos(response.context["due_today"]) == ["V-A-05", "V-A-05"]

    response = client.get(URL, {"kind": "first", "channel": "phone"})
    assert loan_nos(response.context["overdue"]) == ["V-A-01", "V-A-02"]
    assert loan_nos(response.context["due_today"]) == ["V-A-03"]
    assert response.context["upcoming"] == []

    # a value that is not a choice is reported at its field and filters nothing
    response = client.get(URL, {"kind": "bogus"})
    assert response.context["form"].errors["kind"]
    assert len(response.context["overdue"]) == 2


def test_the_nav_shows_my_visits_first_with_the_overdue_badge(planned, login):
    html = login(planned.officer_a).get(reverse("loan_list")).content.decode()
    nav = html.split('class="nav"')[1].split("</nav>")[0]
    assert nav.index(URL) < nav.index(reverse("loan_list"))
    assert "我的回访" in nav and 'class="nav-badge"' in nav
    assert '>2<span class="visually-hidden">' in nav

    html = login(planned.officer_a2).get(URL).content.decode()
    assert '>1<span class="visually-hidden">' in html

    # nothing overdue, no badge
    html = login(planned.admin).get(URL).content.decode()
    assert "nav-badge" not in html


def test_the_badges_cost_one_cheap_query_each(planned, django_assert_num_queries):
    # the overdue visits badge and the unread notifications badge
    request = RequestFactory().get("/")
    request.user = planned.officer_a
    with django_assert_num_queries(2) as captured:
        context = nav_context(request)
    assert context["nav"]["overdue_visits"] == 2
    assert context["nav"]["unread"] == 0
    for query in captured.captured_queries:
        sql = query["sql"].upper()
        assert "COUNT(" in sql and "JOIN" not in sql


def test_the_badge_is_not_computed_for_anonymous_visitors(db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/login/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert nav_context(request)["nav"]["overdue_visits"] == 0


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_query_count_does_not_grow_with_visits(planned, login, django_assert_max_num_queries):
    client = login(planned.officer_a)
    with django_assert_max_num_queries(10) as few:
        client.get(URL)
    baseline = len(few.captured_queries)

    # given forty more loans of officer_a with a guarantor each, due around today
    import_loans(
        [
            loan_row(
                loan_no=f"V-Q-{n:03}",
                borrower_name=f"借款人{n}",
                borrower_id_no=some_id(n),
                disbursement_date=(date(2025, 5, 20) - timedelta(days=n % 12)).isoformat(),
                guarantor_name=f"担保人{n}",
                guarantor_id_no=some_id(100 + n),
            )
            for n in range(40)
        ]
    )
    plan_followups(as_of=PLANNED_AS_OF, actor=SYSTEM_ACTOR)

    # then the page costs no more queries
    with django_assert_max_num_queries(baseline):
        response = client.get(URL)
    shown = sum(len(response.context[k]) for k in ("overdue", "due_today", "upcoming"))
    assert shown >= 6 + 40
