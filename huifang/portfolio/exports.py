"""CSV exports of the portfolio (interfaces.md, "Exports")."""

from collections.abc import Iterator

from django.db.models import F, QuerySet

from huifang.portfolio.models import Installment, Loan

SCHEDULE_HEADER = ("loan_no", "period", "due_date", "principal", "interest", "payment", "balance")


def schedule_rows(loans: QuerySet[Loan], version: int | None = None) -> Iterator[tuple[str, ...]]:
    """Each loan's current schedule version (or version number `version`, where it has one),
    ordered by loan number and period.

    Overdue interest a restructuring carried to the first period (restructuring.md) is
    interest due on that date: it is in `interest`, so payment = principal + interest.
    """
    number = F("version__loan__schedule_version") if version is None else version
    rows = (
        Installment.objects.filter(version__loan__in=loans, version__number=number)
        .order_by("version__loan__loan_no", "period")
        .values_list(
            "version__loan__loan_no",
            "period",
            "due_date",
            "principal",
            "interest",
            "carried_interest",
            "balance",
        )
    )
    for loan_no, period, due_date, principal, interest, carried, balance in rows.iterator(
        chunk_size=10000
    ):
        interest += carried
        yield (
            loan_no,
            str(period),
            due_date.isoformat(),
            f"{principal:.2f}",
            f"{interest:.2f}",
            f"{principal + interest:.2f}",
            f"{balance:.2f}",
        )
