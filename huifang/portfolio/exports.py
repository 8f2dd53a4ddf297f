"""CSV exports of the portfolio (interfaces.md, "Exports")."""

from collections.abc import Iterator

from django.db.models import F, QuerySet

from huifang.portfolio.models import Installment, Loan

SCHEDULE_HEADER = ("loan_no", "period", "due_date", "principal", "interest", "payment", "balance")


def schedule_rows(loans: QuerySet[Loan]) -> Iterator[tuple[str, ...]]:
    """The current schedule version of each loan, ordered by loan number and period."""
    rows = (
        Installment.objects.filter(
            version__loan__in=loans, version__number=F("version__loan__schedule_version")
        )
        .order_by("version__loan__loan_no", "period")
        .values_list(
            "version__loan__loan_no", "period", "due_date", "principal", "interest", "balance"
        )
    )
    for loan_no, period, due_date, principal, interest, balance in rows.iterator(chunk_size=10000):
        yield (
            loan_no,
            str(period),
            due_date.isoformat(),
            f"{principal:.2f}",
            f"{interest:.2f}",
            f"{principal + interest:.2f}",
            f"{balance:.2f}",
        )
