"""Finding approved visits in the archive (archive.selectors.archive_search), on both databases."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huifang.accounts.models import Branch
from huifang.archive.models import VisitIndex
from huifang.archive.selectors import archive_search, kind_counts, visit_snippet
from huifang.archive.text import query_terms
from huifang.followups.models import VisitStatus
from huifang.reviews.models import Submission

from .factories import file_visit

NOTES = "店铺生意兴隆，新增两名员工，资金用于购进面粉"


def found(user, **filters) -> list[int]:
    return [v.pk for v in archive_search(user=user, **filters)]


@pytest.fixture
def filed(two_branches, visits_a, visits_b):
    """Two approved visits of A-0001 and one of B-0001, with different notes."""
    bakery = file_visit(visits_a[0], notes=NOTES, on=date(2025, 2, 14))
    closed = file_visit(
        visits_a[1],
        notes="厂房已经停产，工人放假回家",
        answers={"revenue_trend": "down", "remarks": "隔壁超市也在装修"},
        findings=[{"signal": "business_decline", "severity": "high", "label": "经营明显下滑"}],
        on=date(2025, 4, 20),
        channel="phone",
    )
    other_branch = file_visit(visits_b[0], notes="新增员工三名，经营正常", on=date(2025, 3, 1))
    return {"bakery": bakery, "closed": closed, "other_branch": other_branch}


@pytest.mark.parametrize("word", ["员工", "面粉", "生意"])
def test_a_word_of_the_notes_finds_the_visit(two_branches, filed, word):
    assert filed["bakery"].pk in found(two_branches["officer"], q=word)


def test_a_word_not_in_any_record_finds_nothing_else(two_branches, filed):
    # 停产 is only in the other visit's notes
    assert found(two_branches["officer"], q="停产") == [filed["closed"].pk]
    assert found(two_branches["officer"], q="倒闭") == []


def test_every_word_must_match(two_branches, filed):
    officer = two_branches["officer"]
    assert found(officer, q="员工 面粉") == [filed["bakery"].pk]
    assert found(officer, q="员工 停产") == []
    assert found(officer, q="员工，面粉。") == [filed["bakery"].pk]


def test_answers_and_findings_are_searchable(two_branches, filed):
    officer = two_branches["officer"]
    assert found(officer, q="超市") == [filed["closed"].pk]
    assert found(officer, q="下滑") == [filed["closed"].pk]


def test_loan_no_borrower_and_kind_label_are_searchable(two_branches, filed):
    officer = two_branches["officer"]
    both = sorted([filed["bakery"].pk, filed["closed"].pk])
    assert sorted(found(officer, q="张伟")) == both
    assert sorted(found(officer, q="A-0001")) == both
    kind_label = filed["bakery"].get_kind_display()
    assert filed["bakery"].pk in found(officer, q=kind_label)


def test_an_officer_never_sees_another_branchs_visit(two_branches, filed):
    officer_a, officer_b = two_branches["officer"], _officer_b()
    assert filed["other_branch"].pk not in found(officer_a, q="员工")
    assert filed["other_branch"].pk not in found(officer_a)
    branch_b = Branch.objects.get(name="乙分行")
    assert found(officer_a, branch_id=branch_b.pk) == []
    assert found(officer_b, q="员工") == [filed["other_branch"].pk]


def test_risk_managers_and_auditors_see_every_branch(two_branches, filed):
    for role in ("risk_manager", "auditor", "admin"):
        assert sorted(found(two_branches[role], q="员工")) == sorted(
            [filed["bakery"].pk, filed["other_branch"].pk]
        )


@pytest.mark.parametrize("outcome", [VisitStatus.SUBMITTED, VisitStatus.RETURNED])
def test_a_visit_not_approved_is_never_found(two_branches, visits_a, outcome):
    pending = file_visit(visits_a[2], notes="资金挪作他用，购买理财", outcome=outcome)
    assert not VisitIndex.objects.filter(visit=pending).exists()
    assert found(two_branches["risk_manager"], q="理财") == []
    assert found(two_branches["risk_manager"]) == []


def test_a_returned_round_is_not_searched_only_the_approved_one(two_branches, visits_a):
    # given a visit returned once with other notes, then approved
    visit = file_visit(visits_a[0], notes="第一次记录写着装修", outcome=VisitStatus.RETURNED)
    file_visit(visit, notes="更正后的记录：新增员工")
    # then only the approved round's words find it
    officer = two_branches["officer"]
    assert found(officer, q="员工") == [visit.pk]
    assert found(officer, q="装修") == []


def test_filters(two_branches, filed):
    rm = two_branches["risk_manager"]
    bakery, closed, other = filed["bakery"].pk, filed["closed"].pk, filed["other_branch"].pk
    assert found(rm, loan_no="a-0001") == [closed, bakery]
    assert found(rm, loan_no="B-00") == [other]
    assert found(rm, borrower="王") == [other]
    assert found(rm, branch_id=Branch.objects.get(name="甲分行").pk) == [closed, bakery]
    assert found(rm, kind=filed["closed"].kind) == [closed]
    assert found(rm, date_from=date(2025, 3, 1)) == [closed, other]
    assert found(rm, date_to=date(2025, 3, 1)) == [other, bakery]
    assert found(rm, date_from=date(2025, 2, 15), date_to=date(2025, 4, 19)) == [other]
    assert found(rm, q="员工", date_from=date(2025, 3, 1)) == [other]


def test_newest_first_by_the_day_of_the_visit(two_branches, filed):
    assert found(two_branches["risk_manager"]) == [
        filed["closed"].pk,
        filed["other_branch"].pk,
        filed["bakery"].pk,
    ]


def test_the_visit_date_is_the_approved_rounds_else_the_due_date(two_branches, filed, visits_a):
    assert filed["closed"].archive_entry.occurred_on == date(2025, 4, 20)
    visit = file_visit(visits_a[3], notes="无")
    Submission.objects.filter(visit=visit).update(occurred_at=None)
    from huifang.archive.services import archive_index_visit

    entry = archive_index_visit(visit=visit)
    assert entry.occurred_on == visit.due_date


def test_only_punctuation_finds_nothing(two_branches, filed):
    assert found(two_branches["risk_manager"], q="，。！") == []


def test_kind_counts(two_branches, filed):
    counts = kind_counts(archive_search(user=two_branches["risk_manager"]))
    assert sum(counts.values()) == 3
    assert counts[filed["closed"].kind] >= 1


def test_results_load_what_the_page_shows_in_one_query(two_branches, visits_a):
    for i, visit in enumerate(visits_a[:4]):
        file_visit(visit, notes=f"第{i}次回访，新增员工", officer=two_branches["officer"])
    terms = query_terms("员工")
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (
                v.loan.loan_no,
                v.loan.borrower.name,
                v.assignee.username,
                v.branch.name,
                v.archive_entry.get_channel_display(),
                v.archive_entry.occurred_on,
                visit_snippet(v, terms),
            )
            for v in archive_search(user=two_branches["officer"], q="员工")
        ]
    assert len(rows) == 4
    assert len(queries) == 1
    assert all("<mark>员工</mark>" in row[-1] for row in rows)


def test_the_snippet_comes_from_the_answers_when_the_notes_do_not_match(two_branches, filed):
    visit = archive_search(user=two_branches["officer"], q="超市").get()
    assert "<mark>超市</mark>" in visit_snippet(visit, ["超市"])
    assert "<mark>停产</mark>" in visit_snippet(visit, ["停产"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plan")
def test_postgresql_searches_through_the_gin_index(two_branches, filed):
    qs = archive_search(user=two_branches["risk_manager"], q="员工")
    with connection.cursor() as cursor:
        # A test table is tiny: make the planner show how it would search a large one.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "archive_visitindex_tokens_gin" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite plan")
def test_sqlite_searches_through_the_fts5_table(two_branches, filed):
    qs = archive_search(user=two_branches["risk_manager"], q="员工")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan and "archive_visitindex_fts" in plan, plan


def _officer_b():
    from huifang.accounts.models import User

    return User.objects.get(username="officer_b")


def test_a_chosen_options_label_is_searchable_not_its_code(two_branches, visits_a):
    # given an answer stored as the option's code "down", labelled 明显下滑
    visit = file_visit(visits_a[0], notes="无异常", answers={"revenue_trend": "down"})
    officer = two_branches["officer"]
    # then the label finds it (the questionnaire's "label：answer" text is indexed)
    assert found(officer, q="下滑") == [visit.pk]
    assert found(officer, q="收入") == [visit.pk]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30))
def test_any_query_is_answered_without_a_database_error(two_branches, filed, q):
    # quotes, FTS5 operators (AND, NEAR, *, ^), tsquery syntax (& | !), emoji, NUL...
    list(archive_search(user=two_branches["risk_manager"], q=q))


@pytest.mark.parametrize(
    "q",
    ['"员工', "员工 OR 停产", "NEAR(员工 面粉)", "员工*", "^员工", "员工 & !面粉", "a:b", "-员工"],
)
def test_search_syntax_in_a_query_is_taken_as_words(two_branches, filed, q):
    result = found(two_branches["risk_manager"], q=q)
    assert filed["closed"].pk not in result  # OR is not an operator: 停产 alone is not enough
