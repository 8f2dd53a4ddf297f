"""Demo data: one restructuring approved and one waiting, on long loans in difficulty."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError

from huifang.accounts.models import Role, User
from huifang.audit.services import actor_for
from huifang.portfolio.models import Loan, LoanStatus
from huifang.restructuring.services import proposal_create, proposal_decide
from huifang.restructuring.simulate import Terms
from huifang.risk.models import OPEN_WARNING, Warning


def load_restructuring_work(*, today: date) -> int:
    """Officers propose for overdue long-term loans; the risk manager approves the first."""
    approver = User.objects.filter(username="risk", role=Role.RISK_MANAGER).first()
    if approver is None:
        return 0
    long_loans = Loan.objects.filter(
        status=LoanStatus.ACTIVE, term_months__gte=24, officer__isnull=False
    ).select_related("officer")
    # Overdue ones first, then any long loan.
    candidates = [
        *long_loans.filter(first_unpaid_due__lt=today).order_by("first_unpaid_due", "loan_no")[:10],
        *long_loans.order_by("loan_no")[:10],
    ]
    made = 0
    for loan in candidates:
        if loan.officer is None:
            continue
        last = loan.repayments.order_by("-paid_date").values_list("paid_date", flat=True).first()
        effective = max(today, (last or loan.disbursement_date) + timedelta(days=1))
        warning = Warning.objects.filter(loan=loan, status__in=OPEN_WARNING).first()
        try:
            proposal = proposal_create(
                loan=loan,
                terms=Terms(effective, extend_months=12, interest_only_months=6),
                reason="借款人经营收入下降，现金流紧张，协商前6个月只还利息并展期12个月",
                financial_difficulty=True,
                warning_id=warning.pk if warning else None,
                user=loan.officer,
                actor=actor_for(loan.officer, via="command"),
            )
        except ValidationError:
            continue
        if made == 0:
            proposal_decide(
                proposal=proposal,
                decision="approve",
                comment="同意，观察期内按月回访",
                user=approver,
                actor=actor_for(approver, via="command"),
                today=today,
            )
        made += 1
        if made == 2:
            break
    return made
