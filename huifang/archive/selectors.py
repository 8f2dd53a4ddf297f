"""Searching the archive: approved visits by words and filters, within the user's branches."""

from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from huifang.accounts.gate import branch_scope, has_perm
from huifang.archive.text import query_terms, snippet
from huifang.followups.models import Visit, VisitStatus

__all__ = ["archive_search", "kind_counts", "snippet", "visit_snippet"]

# What a result row shows: the loan, its borrower, the officer, the archive entry.
RELATED = ("loan", "loan__borrower", "assignee", "branch", "archive_entry")


def _fts5_query(terms: list[str]) -> str:
    """Every term as an FTS5 string (a phrase of its tokens); juxtaposed terms all must match."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


class TokensMatch(Func):
    """PostgreSQL: `to_tsvector('simple', tokens) @@ plainto_tsquery('simple', words)`.

    The very expression of the GIN index (migration 0002), or the index is not used:
    no COALESCE around the column, as django.contrib.postgres's SearchVector adds.
    """

    arity = 2
    output_field = BooleanField()

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        tokens, words = self.get_source_expressions()
        tokens_sql, tokens_params = compiler.compile(tokens)
        words_sql, words_params = compiler.compile(words)
        sql = f"to_tsvector('simple', {tokens_sql}) @@ plainto_tsquery('simple', {words_sql})"
        return sql, (*tokens_params, *words_params)


def _matching(visits: QuerySet[Visit], terms: list[str]) -> QuerySet[Visit]:
    """The visits whose archive words include every term, through the database's text index."""
    if connection.vendor == "postgresql":
        return visits.filter(TokensMatch(F("archive_entry__tokens"), Value(" ".join(terms))))
    # SQLite: the FTS5 table's rowid is the visit id.
    return visits.filter(
        pk__in=RawSQL(
            "SELECT rowid FROM archive_visitindex_fts WHERE archive_visitindex_fts MATCH %s",
            (_fts5_query(terms),),
        )
    )


def _approved() -> Q | RawSQL:
    """`status = 'approved'` — on SQLite written so that it cannot drive the query.

    With a plain condition on the visits SQLite scans them and sorts every match for
    a page of 20; with the unary plus (no index may serve it) it walks the archive's
    (occurred_on, visit) index newest first and stops at the page (200,000 entries:
    0.2 s down to under 1 ms). Archive entries exist only for approved visits anyway.
    """
    if connection.vendor == "sqlite":
        return RawSQL(
            '+"followups_visit"."status" = %s', (VisitStatus.APPROVED.value,), BooleanField()
        )
    return Q(status=VisitStatus.APPROVED)


def archive_search(
    *,
    user: Any,
    q: str = "",
    loan_no: str = "",
    borrower: str = "",
    branch_id: int | None = None,
    kind: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Visit]:
    """Approved visits in the user's branches matching every word of `q` and the filters.

    Newest first (the day the visit took place, then the visit id). A branch outside
    the user's branches gives nothing; the views refuse it before asking.
    """
    if not has_perm(user, "loan.read"):
        return Visit.objects.none()
    visits = Visit.objects.filter(_approved(), archive_entry__isnull=False)
    scope = branch_scope(user)
    if scope is not None:
        visits = visits.filter(archive_entry__branch_id__in=scope)
    if branch_id is not None:
        if scope is not None and branch_id not in scope:
            return Visit.objects.none()
        visits = visits.filter(archive_entry__branch_id=branch_id)
    terms = query_terms(q)
    if terms:
        visits = _matching(visits, terms)
    elif q.strip():
        return Visit.objects.none()  # only punctuation: nothing can match it
    if loan_no.strip():
        visits = visits.filter(loan__loan_no__icontains=loan_no.strip())
    if borrower.strip():
        visits = visits.filter(loan__borrower__name__icontains=borrower.strip())
    if kind:
        visits = visits.filter(archive_entry__kind=kind)
    if date_from:
        visits = visits.filter(archive_entry__occurred_on__gte=date_from)
    if date_to:
        visits = visits.filter(archive_entry__occurred_on__lte=date_to)
    # The words are for the database's index only: not loaded with each result.
    return (
        visits.select_related(*RELATED)
        .defer("archive_entry__tokens")
        .order_by("-archive_entry__occurred_on", "-archive_entry__visit_id")
    )


def kind_counts(visits: QuerySet[Visit]) -> dict[str, int]:
    """How many of these visits there are of each kind, in one query."""
    rows = visits.order_by().values("archive_entry__kind").annotate(n=Count("pk"))
    return {row["archive_entry__kind"]: row["n"] for row in rows}


def visit_snippet(visit: Visit, terms: list[str], width: int = 60) -> str:
    """The excerpt a result shows: the notes around a match, else the answers around one,
    else the beginning of the notes."""
    entry = visit.archive_entry
    notes, answers = entry.notes, entry.answers_text
    if terms and not _has_any(notes, terms) and _has_any(answers, terms):
        return snippet(answers, terms, width)
    return snippet(notes or answers, terms, width)


def _has_any(text: str, terms: list[str]) -> bool:
    lowered = text.lower()
    return any(term in lowered for term in terms)
