"""Loading the facts the floors look at, for a chunk of loans at once (a few queries a chunk).

DPD comes from the portfolio's own core (loan-math.md: the schedule in force,
the payment waterfall, `days_past_due`); signals from approved visit reviews
(and the risk app's signals, when it has them); open warnings from the risk
app; the restructuring observation period from issue 6's hook.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Q

from huifang.portfolio import loanmath
from huifang.portfolio.models import Loan, LoanStatus

# Loans that may be classified: "not closed" (followup-policy.md: repaid in full,
# written off or cancelled). Whether a loan was repaid in full is judged as of the date.
OPEN_STATUSES = (LoanStatus.ACTIVE, LoanStatus.CLOSED)


def allocations(loan_ids: Sequence[int]) -> dict[int, loanmath.Allocation]:
    """Each loan's payments allocated to its schedule in force (3 queries)."""
    from huifang.portfolio.selectors import allocations as allocate

    return allocate(loan_ids)


def repaid_by(allocation: loanmath.Allocation, as_of: date) -> bool:
    """Repaid in full by payments made on or before the date."""
    return bool(allocation.states) and all(
        s.covered_on is not None and s.covered_on <= as_of for s in allocation.states
    )


def loans_in_force(as_of: date):
    """Candidate loans: disbursed on or before the date and neither written off nor cancelled.

    A loan closed by repayment is only left out when it was repaid by `as_of`,
    which the service checks against the allocation.
    """
    return Loan.objects.filter(disbursement_date__lte=as_of, status__in=OPEN_STATUSES)


def confirmed_signals(
    loan_ids: Sequence[int], as_of: date, codes: Iterable[str] = ("fund_misuse",)
) -> dict[int, dict[str, str]]:
    """Signals confirmed by an approved visit review on or before the date: loan -> signal -> "visit N".

    classification.md: "funds used against the contract, confirmed by a reviewed
    visit". The latest confirming visit is named as the evidence.
    """
    from huifang.reviews.models import Decision, Submission

    found: dict[int, dict[str, str]] = defaultdict(dict)
    for loan_id, visit_id, findings in (
        Submission.objects.filter(
            visit__loan_id__in=loan_ids,
            review__decision=Decision.APPROVED,
            review__decided_at__date__lte=as_of,
        )
        .order_by("review__decided_at", "pk")
        .values_list("visit__loan_id", "visit_id", "findings")
    ):
        for finding in findings or []:
            signal = finding.get("signal") if isinstance(finding, dict) else None
            if signal:
                found[loan_id][signal] = f"visit {visit_id}"
    for loan_id, signals in _risk_app_signals(loan_ids, as_of, codes).items():
        for signal, evidence in signals.items():
            found[loan_id].setdefault(signal, evidence)
    return found


def _risk_app_signals(
    loan_ids: Sequence[int], as_of: date, codes: Iterable[str]
) -> dict[int, dict[str, str]]:
    """The risk app's open signals of the rule set's codes that come from a visit (issue 5).

    Signals from a review round exist only once the round is approved; a signal
    raised by hand with no visit is not "confirmed by a reviewed visit".
    """
    try:
        from huifang.risk.models import Signal
    except ImportError:
        return {}
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for loan_id, code, signal_id, visit_id, submission_visit in (
        Signal.objects.filter(
            loan_id__in=loan_ids, code__in=list(codes), status="open", raised_at__date__lte=as_of
        )
        .filter(Q(submission__isnull=False) | Q(visit__isnull=False))
        .order_by("raised_at", "pk")
        .values_list("loan_id", "code", "pk", "visit_id", "submission__visit_id")
    ):
        visit = visit_id or submission_visit
        found[loan_id][code] = f"visit {visit}" if visit else f"signal {signal_id}"
    return found


def warning_levels(loan_ids: Iterable[int]) -> dict[int, set[str]]:
    """Levels of the loans' open warnings (the risk app's `open_warning_levels`)."""
    try:
        from huifang.risk.selectors import open_warning_levels
    except ImportError:
        return {}
    return open_warning_levels(loan_ids)


def in_observation(loan_ids: Sequence[int], as_of: date) -> set[int]:
    """Restructured loans inside their observation period on the date (the issue-6 hook).

    classification.md: from the first repayment date after the change, at least
    two consecutive repayment periods and at least one year, restarting on a
    missed payment (huifang.restructuring.selectors.loans_in_observation).
    """
    from huifang.restructuring.selectors import loans_in_observation

    return set(loans_in_observation(loan_ids, as_of))
