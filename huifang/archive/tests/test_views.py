"""The archive page /archive/: search, filters, counts, pages, scoping."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huifang.accounts.models import Branch
from huifang.archive import views
from huifang.archive.views import visit_url

from .factories import file_visit

NOTES = "店铺生意兴隆，新增两名员工，资金用于购进面粉"


@pytest.fixture
def filed(two_branches, visits_a, visits_b):
    return {
        "bakery": file_visit(
            visits_a[0], notes=NOTES, on=date(2025, 2, 14), officer=two_branches["officer"]
        ),
        "closed": file_visit(visits_a[1], notes="厂房已经停产<b>注意</b>", on=date(2025, 4, 20)),
        "other_branch": file_visit(visits_b[0], notes="新增员工三名", on=date(2025, 3, 1)),
    }


def page(client, user, query=""):
    client.force_login(user)
    response = client.get("/archive/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_has_a_search_box_with_examples(two_branches, client):
    html = page(client, two_branches["officer"])
    assert 'placeholder="例如：停产、员工、装修"' in html
    assert "档案中还没有回访记录" in html


def test_a_search_shows_the_visit_with_the_word_marked(two_branches, client, filed):
    bakery = filed["bakery"]
    html = page(client, two_branches["officer"], "?q=员工")
    assert "<mark>员工</mark>" in html
    assert 'href="/loans/A-0001/"' in html
    assert f'href="{visit_url(bakery.pk)}"' in html and "查看" in html
    assert "2025-02-14" in html and "张伟" in html and "officer_a" in html
    assert bakery.get_kind_display() in html and "实地" in html
    assert "共 <strong>1</strong> 条" in html
    # branch B's visit with the same word stays out of an officer of branch A's page
    assert "B-0001" not in html


def test_the_records_text_is_escaped(two_branches, client, filed):
    html = page(client, two_branches["officer"], "?q=停产")
    assert "<mark>停产</mark>" in html
    assert "&lt;b&gt;注意&lt;/b&gt;" in html and "<b>注意</b>" not in html


def test_nothing_found_says_so(two_branches, client, filed):
    html = page(client, two_branches["officer"], "?q=倒闭")
    assert "没有找到符合条件的回访记录" in html
    assert "共 <strong>0</strong> 条" in html


def test_counts_by_kind_follow_the_search(two_branches, client, filed):
    html = page(client, two_branches["risk_manager"], "?q=员工")
    kind = filed["bakery"].kind
    # 员工 is in the bakery visit (A) and branch B's visit
    assert "共 <strong>2</strong> 条" in html
    assert f'data-kind="{kind}"' in html
    html = page(client, two_branches["risk_manager"], f"?q=员工&kind={kind}")
    assert "B-0001" in html or "A-0001" in html


def test_filters_by_loan_borrower_branch_and_dates(two_branches, client, filed):
    rm = two_branches["risk_manager"]
    assert "B-0001" not in page(client, rm, "?loan_no=A-0001")
    assert "A-0001" not in page(client, rm, "?borrower=王芳").split("<tbody>")[-1]
    branch_b = Branch.objects.get(name="乙分行")
    html = page(client, rm, f"?branch={branch_b.pk}")
    assert 'href="/loans/B-0001/"' in html and 'href="/loans/A-0001/"' not in html
    html = page(client, rm, "?date_from=2025-03-01&date_to=2025-03-31")
    assert 'href="/loans/B-0001/"' in html and 'href="/loans/A-0001/"' not in html


def test_the_branch_filter_offers_only_the_users_branches(two_branches, client, filed):
    html = page(client, two_branches["officer"])
    assert "甲分行" in html and "乙分行" not in html


def test_another_branch_in_the_url_is_refused(two_branches, client, filed):
    client.force_login(two_branches["officer"])
    branch_b = Branch.objects.get(name="乙分行")
    assert client.get(f"/archive/?branch={branch_b.pk}").status_code == 403


def test_bad_input_is_named_in_chinese(two_branches, client, filed):
    html = page(client, two_branches["officer"], "?date_from=2025-13-01")
    assert "开始日期不是有效的日期" in html
    html = page(client, two_branches["officer"], "?date_from=2025-05-01&date_to=2025-04-01")
    assert "结束日期不能早于开始日期" in html
    html = page(client, two_branches["officer"], "?kind=weekly")
    assert "回访类型：请从列表中选择" in html


def test_results_come_in_pages(two_branches, client, visits_a, monkeypatch):
    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 2)
    for i, visit in enumerate(visits_a[:3]):
        file_visit(visit, notes="新增员工", on=date(2025, 3, 1 + i))
    html = page(client, two_branches["risk_manager"], "?q=员工")
    assert "共 <strong>3</strong> 条" in html and 'rel="next"' in html
    assert "2025-03-03" in html and "2025-03-01" not in html
    html = page(client, two_branches["risk_manager"], "?q=员工&page=2")
    assert "2025-03-01" in html and "2025-03-03" not in html


def test_the_number_of_queries_does_not_grow_with_the_results(two_branches, client, visits_a):
    client.force_login(two_branches["risk_manager"])
    file_visit(visits_a[0], notes="新增员工")
    with CaptureQueriesContext(connection) as one:
        client.get("/archive/?q=员工")
    for visit in visits_a[1:5]:
        file_visit(visit, notes="新增员工", officer=two_branches["officer"])
    with CaptureQueriesContext(connection) as five:
        assert client.get("/archive/?q=员工").content.decode().count("<mark>员工</mark>") == 5
    assert len(five) == len(one)
    assert len(five) <= 12


def test_anonymous_is_sent_to_log_in(db, client):
    response = client.get("/archive/")
    assert response.status_code == 302 and "/login/" in response["Location"]
