"""CSV export of visits (interfaces.md, "Exports")."""

from collections.abc import Iterator

from django.db.models import QuerySet

from huifang.followups.models import Visit

VISIT_HEADER = ("loan_no", "subject_role", "kind", "due_date", "channel", "status", "assignee")


def visit_rows(visits: QuerySet[Visit]) -> Iterator[tuple[str, ...]]:
    # Sorted as the rows read (loan, subject, kind, date), the order of the spec's sample.
    rows = visits.order_by(
        "loan__loan_no", "subject_role", "kind", "due_date", "party_id"
    ).values_list(
        "loan__loan_no",
        "subject_role",
        "kind",
        "due_date",
        "channel",
        "status",
        "assignee__username",
    )
    for loan_no, role, kind, due, channel, status, assignee in rows.iterator(chunk_size=10000):
        yield (loan_no, role, kind, due.isoformat(), channel, status, assignee or "")
