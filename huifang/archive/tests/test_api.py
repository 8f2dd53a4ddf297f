"""GET /api/v1/archive/search: the archive over the API, paginated, scoped."""

from datetime import date

import pytest

from huifang.accounts.models import Branch

from .factories import file_visit


@pytest.fixture
def filed(two_branches, visits_a, visits_b):
    return {
        "bakery": file_visit(
            visits_a[0],
            notes="店铺生意兴隆，新增两名员工",
            on=date(2025, 2, 14),
            channel="phone",
            officer=two_branches["officer"],
        ),
        "other_branch": file_visit(visits_b[0], notes="新增员工三名", on=date(2025, 3, 1)),
    }


def get(client, user, query):
    client.force_login(user)
    return client.get("/api/v1/archive/search" + query)


def test_search_returns_the_visit_with_a_marked_snippet(two_branches, client, filed):
    response = get(client, two_branches["officer"], "?q=员工")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [hit] = body["items"]
    bakery = filed["bakery"]
    assert hit == {
        "id": bakery.pk,
        "loan_no": "A-0001",
        "borrower": "张伟",
        "kind": bakery.kind,
        "channel": "phone",
        "occurred_on": "2025-02-14",
        "officer": "officer_a",
        "snippet": "店铺生意兴隆，新增两名<mark>员工</mark>",
    }


def test_scoped_to_the_users_branches(two_branches, client, filed):
    ids = {h["id"] for h in get(client, two_branches["risk_manager"], "?q=员工").json()["items"]}
    assert ids == {filed["bakery"].pk, filed["other_branch"].pk}
    branch_b = Branch.objects.get(name="乙分行")
    assert get(client, two_branches["officer"], f"?branch={branch_b.pk}").status_code == 403


def test_filters(two_branches, client, filed):
    rm = two_branches["risk_manager"]
    assert get(client, rm, "?loan_no=B-0001").json()["count"] == 1
    assert get(client, rm, "?borrower=张").json()["count"] == 1
    assert get(client, rm, "?date_from=2025-03-01").json()["count"] == 1
    assert get(client, rm, f"?kind={filed['bakery'].kind}&q=员工").json()["count"] >= 1


def test_bad_filters_are_named(two_branches, client, filed):
    response = get(client, two_branches["officer"], "?kind=weekly")
    assert response.status_code == 422
    assert "回访类型" in response.json()["detail"]["kind"][0]
    response = get(client, two_branches["officer"], "?date_from=2025-05-01&date_to=2025-04-01")
    assert response.status_code == 422 and "date_to" in response.json()["detail"]
    response = get(client, two_branches["officer"], "?borrower=%00")
    assert response.status_code == 422 and "借款人" in response.json()["detail"]["borrower"][0]


def test_anonymous_gets_401(db, client):
    assert client.get("/api/v1/archive/search?q=员工").status_code == 401
