"""The loan list: scope, search, filters, masking, and a constant number of queries."""

import pytest
from django.urls import reverse

from huifang.web.tests.conftest import (
    ID_LI,
    ID_ZHANG,
    PHONE_ZHANG,
    import_loans,
    loan_row,
    resident_id,
)

URL = reverse("loan_list")


def loan_nos(response) -> list[str]:
    return [loan.loan_no for loan in response.context["page"].object_list]


def test_home_redirects_to_the_loan_list(portfolio, login):
    response = login(portfolio.officer_a).get("/")
    assert response.status_code == 302
    assert response["Location"] == URL


def test_anonymous_user_is_sent_to_login(client, portfolio):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_officer_sees_only_own_branch(portfolio, login):
    response = login(portfolio.officer_a).get(URL)
    assert response.status_code == 200
    assert sorted(loan_nos(response)) == ["HT-A-001", "HT-A-002"]
    html = response.content.decode()
    assert "HT-B-001" not in html
    assert "李秀英" not in html
    # The branch filter offers only what the officer can see.
    assert [label for _, label in response.context["form"].fields["branch"].choices][1:] == [
        "北京分行"
    ]


def test_officer_cannot_find_other_branch_loan_by_search(portfolio, login):
    response = login(portfolio.officer_a).get(URL, {"q": ID_LI})
    assert loan_nos(response) == []
    assert "没有符合条件的贷款" in response.content.decode()


def test_auditor_sees_every_branch(portfolio, login):
    response = login(portfolio.auditor).get(URL)
    assert sorted(loan_nos(response)) == ["HT-A-001", "HT-A-002", "HT-B-001"]
    assert "共 3 笔" in response.content.decode()


def test_columns_show_the_loan(portfolio, login):
    html = login(portfolio.risk_manager).get(URL).content.decode()
    for text in (
        "HT-A-001", "张建国", "个人经营贷", "120,000.00", "4.35%", "2024-01-15", "2025-01-15",
        "等额本息", "北京分行", "王经理", "8.00%", "先息后本",
    ):  # fmt: skip
        assert text in html
    assert reverse("loan_detail", args=["HT-A-001"]) in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张建国", ["HT-A-001"]),
        ("建国", ["HT-A-001"]),
        ("HT-B", ["HT-B-001"]),
        ("ht-a-002", ["HT-A-002"]),
        (ID_ZHANG, ["HT-A-001"]),
        (ID_ZHANG.lower(), ["HT-A-001"]),
        (PHONE_ZHANG, ["HT-A-001"]),
        (ID_ZHANG[:10], []),  # an ID number matches only whole
    ],
)
def test_search(portfolio, login, query, expected):
    response = login(portfolio.admin).get(URL, {"q": query})
    assert sorted(loan_nos(response)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"product": "汽车消费贷"}, ["HT-B-001"]),
        ({"method": "interest_first"}, ["HT-A-002"]),
        ({"risk": "high"}, ["HT-B-001"]),
        ({"status": "active"}, ["HT-A-001", "HT-A-002", "HT-B-001"]),
        ({"status": "closed"}, []),
        ({"overdue": "on"}, ["HT-A-001", "HT-B-001"]),
    ],
)
def test_filters(portfolio, login, params, expected):
    response = login(portfolio.admin).get(URL, params)
    assert sorted(loan_nos(response)) == expected


def test_branch_and_officer_filters(portfolio, login):
    client = login(portfolio.admin)
    response = client.get(URL, {"branch": portfolio.branch_b.pk})
    assert loan_nos(response) == ["HT-B-001"]
    response = client.get(URL, {"officer": portfolio.officer_a2.pk})
    assert loan_nos(response) == ["HT-A-002"]


def test_a_bad_filter_value_is_reported_not_crashed(portfolio, login):
    response = login(portfolio.admin).get(URL, {"branch": "999999", "risk": "high"})
    assert response.status_code == 200
    assert response.context["form"].errors["branch"]
    assert loan_nos(response) == ["HT-B-001"]  # the valid filters still apply


def test_dpd_from_stored_state(portfolio, login):
    response = login(portfolio.admin).get(URL)
    loans = {loan.loan_no: loan for loan in response.context["page"].object_list}
    assert loans["HT-A-001"].dpd() > 0  # disbursed 2024, nothing paid
    assert 'class="badge badge-danger"' in response.content.decode()


def test_pagination(portfolio, login):
    import_loans(
        [
            loan_row(loan_no=f"HT-P-{n:03}", borrower_id_no=resident_id(f"11010119900101{n:03}"))
            for n in range(60)
        ]
    )
    client = login(portfolio.admin)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 50
    assert "共 63 笔" in first.content.decode()
    second = client.get(URL, {"page": 2})
    assert len(second.context["page"].object_list) == 13
    assert 'aria-current="page">2<' in second.content.decode()


def test_empty_state(db, login):
    from huifang.accounts.models import Role, User

    user = User.objects.create_user(username="lonely", password="x", role=Role.ADMIN)
    html = login(user).get(URL).content.decode()
    assert "暂无贷款" in html


def test_query_count_does_not_grow_with_loans(portfolio, login, django_assert_max_num_queries):
    client = login(portfolio.admin)
    with django_assert_max_num_queries(12) as few:
        client.get(URL, {"q": "HT"})
    baseline = len(few.captured_queries)
    import_loans(
        [
            loan_row(
                loan_no=f"HT-Q-{n:03}",
                borrower_name=f"借款人{n}",
                borrower_id_no=resident_id(f"31010419850201{n:03}"),
                officer="officer_a2" if n % 2 else "officer_a",
                guarantor_name="担保人",
                guarantor_id_no=resident_id(f"11010519700606{n:03}"),
            )
            for n in range(45)
        ]
    )
    with django_assert_max_num_queries(baseline):
        response = client.get(URL, {"q": "HT"})
    assert len(response.context["page"].object_list) == 48
