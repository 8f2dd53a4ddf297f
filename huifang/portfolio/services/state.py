"""The loan's derived repayment state (outstanding principal, paid, credit, earliest unpaid due date)."""

from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from huifang.lib.bulk import chunked
from huifang.portfolio import loanmath
from huifang.portfolio.models import Installment, Loan, LoanStatus, Repayment, ScheduleVersion


def state_from(allocation: loanmath.Allocation) -> dict:
    """The stored fields a loan takes from an allocation of its payments."""
    covered_all = all(s.is_covered for s in allocation.states)
    return {
        "outstanding_principal": loanmath.outstanding_principal(allocation),
        "paid_total": allocation.total_paid,
        "credit_balance": allocation.credit,
        "first_unpaid_due": loanmath.first_unpaid_due(allocation),
        "fully_repaid": covered_all and bool(allocation.states),
    }


def apply_state(loan: Loan, state: dict) -> bool:
    """Set the derived fields on a loan object; True when anything changed."""
    changed = False
    for name in ("outstanding_principal", "paid_total", "credit_balance", "first_unpaid_due"):
        if getattr(loan, name) != state[name]:
            setattr(loan, name, state[name])
            changed = True
    if state["fully_repaid"] and loan.status == LoanStatus.ACTIVE:
        loan.status = LoanStatus.CLOSED
        loan.plan_changed_at = timezone.now()  # its planned visits are cancelled next run
        changed = True
    elif not state["fully_repaid"] and loan.status == LoanStatus.CLOSED:
        loan.status = LoanStatus.ACTIVE  # a corrected schedule can reopen a loan
        loan.plan_changed_at = timezone.now()  # and it is planned again
        changed = True
    return changed


def refresh_repayment_state(loan_ids: Iterable[int]) -> int:
    """Recompute the derived state of these loans from their schedules in force and repayments.

    Loads in chunks, a few queries per chunk, whatever the number of loans. Returns
    how many loans changed.
    """
    changed_total = 0
    for chunk in chunked(sorted(set(loan_ids)), 2000):
        loans = {loan.pk: loan for loan in Loan.objects.filter(pk__in=chunk)}
        versions: dict[int, list[ScheduleVersion]] = defaultdict(list)
        for version in ScheduleVersion.objects.filter(loan_id__in=chunk).order_by("number"):
            versions[version.loan_id].append(version)
        rows: dict[int, list[Installment]] = defaultdict(list)
        for row in Installment.objects.filter(version__loan_id__in=chunk).order_by("period"):
            rows[row.version_id].append(row)
        payments: dict[int, list[loanmath.Payment]] = defaultdict(list)
        for loan_id, paid_date, amount in (
            Repayment.objects.filter(loan_id__in=chunk)
            .order_by("paid_date", "id")
            .values_list("loan_id", "paid_date", "amount")
        ):
            payments[loan_id].append(loanmath.Payment(paid_date=paid_date, amount=amount))
        changed = []
        for loan_id, loan in loans.items():
            installments = in_force(versions[loan_id], rows)
            state = state_from(loanmath.allocate(installments, payments[loan_id]))
            if apply_state(loan, state):
                loan.updated_at = timezone.now()
                changed.append(loan)
        Loan.objects.bulk_update(
            changed,
            [
                "outstanding_principal",
                "paid_total",
                "credit_balance",
                "first_unpaid_due",
                "status",
                "plan_changed_at",
                "updated_at",
            ],
        )
        changed_total += len(changed)
    return changed_total


def in_force(
    versions: list[ScheduleVersion], rows: dict[int, list[Installment]]
) -> list[loanmath.Installment]:
    """Each version's installments from its effective date until the next version's (restructuring.md)."""
    result: list[loanmath.Installment] = []
    for index, version in enumerate(versions):
        later = [v.effective_date for v in versions[index + 1 :]]
        until = min(later) if later else None
        for row in rows.get(version.pk, []):
            if row.due_date >= version.effective_date and (until is None or row.due_date < until):
                result.append(
                    loanmath.Installment(
                        period=row.period,
                        due_date=row.due_date,
                        principal=row.principal,
                        interest=row.interest,
                        balance=row.balance,
                    )
                )
    result.sort(key=lambda i: i.due_date)
    return result
