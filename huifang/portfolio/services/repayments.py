"""Recording repayments (interfaces.md, "Repayment import"; loan-math.md, "Payments")."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.models import User
from huifang.audit.services import Actor, Change, record_many
from huifang.portfolio.models import ImportBatch, Loan, Repayment
from huifang.portfolio.services.state import refresh_repayment_state, restructured


def before_restructuring(loan: Loan, paid_date: date) -> str:
    """Why a repayment on this date cannot be recorded for the loan, or "".

    restructuring.md: the new version starts from the outstanding principal after the
    repayments made before its effective date; one dated earlier would land on
    installments the restructuring replaced.
    """
    found = restructured([loan.pk]).get(loan.pk)
    if found is not None and paid_date < found.version.effective_date:
        return before_restructuring_message(found.version.effective_date)
    return ""


def before_restructuring_message(since: date) -> str:
    return _(
        "还款日期早于该贷款还款计划调整的生效日 %(date)s：调整时已按此前的还款算定剩余本金，"
        "不能再补录更早的还款"
    ) % {"date": since.isoformat()}


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
