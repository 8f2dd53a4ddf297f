"""Recording repayments (interfaces.md, "Repayment import"; loan-math.md, "Payments")."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils import timezone

from huifang.accounts.models import User
from huifang.audit.services import Actor, Change, record_many
from huifang.portfolio.models import ImportBatch, Loan, Repayment
from huifang.portfolio.services.state import refresh_repayment_state


def record_repayments(
    entries: Sequence[tuple[Loan, date, Decimal]],
    *,
    actor: Actor,
    by: User | None,
    source: str,
    batch: ImportBatch | None = None,
    note: str = "",
) -> list[Repayment]:
    """Add repayments and refresh the loans' derived state, auditing each one. Call in a transaction."""
    now = timezone.now()
    rows = [
        Repayment(
            loan=loan,
            paid_date=paid_date,
            amount=amount,
            source=source,
            batch=batch,
            recorded_at=now,
            recorded_by=by,
            note=note,
        )
        for loan, paid_date, amount in entries
    ]
    Repayment.objects.bulk_create(rows, batch_size=5000)
    record_many(
        actor,
        [
            Change(
                action="create",
                object_type="portfolio.repayment",
                object_id=loan.loan_no,
                summary=f"{loan.loan_no} {paid_date:%Y-%m-%d} ¥{amount}",
                after={
                    "loan_no": loan.loan_no,
                    "paid_date": paid_date,
                    "amount": amount,
                    "source": source,
                },
                at=now,
            )
            for loan, paid_date, amount in entries
        ],
    )
    refresh_repayment_state({loan.pk for loan, _, _ in entries})
    return rows
