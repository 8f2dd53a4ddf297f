"""The loan's derived repayment state (outstanding principal, paid, credit, earliest unpaid due date)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

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


def load_schedules(
    loan_ids: Sequence[int],
) -> tuple[dict[int, list[loanmath.Installment]], dict[int, list[loanmath.Payment]]]:
    """Each loan's installments in force and its payments in date order (3 queries)."""
    versions: dict[int, list[ScheduleVersion]] = defaultdict(list)
    for version in ScheduleVersion.objects.filter(loan_id__in=loan_ids).order_by("number"):
        versions[version.loan_id].append(version)
    rows: dict[int, list[Installment]] = defaultdict(list)
    for row in Installment.objects.filter(version__loan_id__in=loan_ids).order_by("period"):
        rows[row.version_id].append(row)
    payments: dict[int, list[loanmath.Payment]] = defaultdict(list)
    for loan_id, paid_date, amount in (
        Repayment.objects.filter(loan_id__in=loan_ids)
        .order_by("paid_date", "id")
        .values_list("loan_id", "paid_date", "amount")
    ):
        payments[loan_id].append(loanmath.Payment(paid_date=paid_date, amount=amount))
    schedules = {
        loan_id: in_force(versions[loan_id], rows, payments[loan_id]) for loan_id in loan_ids
    }
    return schedules, payments


@dataclass(frozen=True)
class Restructured:
    """A loan governed by a restructuring (restructuring.md)."""

    version: ScheduleVersion  # the restructuring in force: the loan's latest version
    contract: ScheduleVersion | None  # the latest version before it that is not one


def restructured(loan_ids: Iterable[int]) -> dict[int, Restructured]:
    """The loans among these whose version in force is a restructuring (one query).

    Repayments dated before its effective date can no longer be added, and an import
    may not change the contract it restructured.
    """
    versions: dict[int, list[ScheduleVersion]] = defaultdict(list)
    for version in ScheduleVersion.objects.filter(
        loan_id__in=list(loan_ids), loan__schedule_version__gt=1
    ).order_by("number"):
        versions[version.loan_id].append(version)
    result = {}
    for loan_id, ordered in versions.items():
        if ordered[-1].reason == ScheduleVersion.Reason.RESTRUCTURING:
            contract = next(
                (v for v in reversed(ordered) if v.reason != ScheduleVersion.Reason.RESTRUCTURING),
                None,
            )
            result[loan_id] = Restructured(ordered[-1], contract)
    return result


def refresh_repayment_state(loan_ids: Iterable[int]) -> int:
    """Recompute the derived state of these loans from their schedules in force and repayments.

    Loads in chunks, a few queries per chunk, whatever the number of loans. Returns
    how many loans changed.
    """
    changed_total = 0
    for chunk in chunked(sorted(set(loan_ids)), 2000):
        loans = {loan.pk: loan for loan in Loan.objects.filter(pk__in=chunk)}
        schedules, payments = load_schedules(chunk)
        changed = []
        for loan_id, loan in loans.items():
            state = state_from(loanmath.allocate(schedules[loan_id], payments[loan_id]))
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
    versions: list[ScheduleVersion],
    rows: dict[int, list[Installment]],
    payments: list[loanmath.Payment],
) -> list[loanmath.Installment]:
    """The installments that govern the loan: each version from its effective date on.

    A later version replaces the earlier ones from its effective date E: their
    installments due before E stay (what is unpaid of them on E is settled,
    loanmath.allocate), and of those due later only what payments before E
    already covered. A correction is effective from disbursement, so it replaces
    everything; a restructuring (restructuring.md) keeps the history before E.
    """
    schedule: list[loanmath.Installment] = []
    for version in versions:
        own = [
            loanmath.Installment(
                period=row.period,
                due_date=row.due_date,
                principal=row.principal,
                # Overdue interest carried, not capitalised, is due with the first period.
                interest=row.interest + row.carried_interest,
                balance=row.balance,
            )
            for row in rows.get(version.pk, [])
        ]
        if schedule:
            schedule = replaced(schedule, payments, version.effective_date)
        schedule = schedule + own
    schedule.sort(key=lambda i: (i.settled_on or date.max, i.due_date))
    return schedule


def replaced(
    schedule: list[loanmath.Installment], payments: list[loanmath.Payment], effective: date
) -> list[loanmath.Installment]:
    """What is left in force of a schedule a new version replaces from `effective` on."""
    before = [p for p in payments if p.paid_date < effective]
    kept = []
    for state in loanmath.allocate(schedule, before).states:
        item = state.installment
        settled_on = item.settled_on or effective
        if item.due_date < effective:
            kept.append(item._replace(settled_on=settled_on))
        elif state.interest_paid or state.principal_paid:
            # Paid ahead before the change: that much of it stays where it was applied.
            kept.append(
                item._replace(
                    principal=state.principal_paid,
                    interest=state.interest_paid,
                    settled_on=settled_on,
                )
            )
    return kept
