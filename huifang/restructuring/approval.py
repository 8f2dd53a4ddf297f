"""Applying restructuring terms to a loan: the checks on the loan as it stands, the terms
worked out on it, and an approved proposal made the loan's new schedule version.

Approval (called by services.proposal_decide, inside its transaction) adds a schedule
version from the effective date (the old ones are never edited), updates the loan's
maturity in force, refreshes its repayment state, raises it to high risk when the
borrower is in financial difficulty (monthly visits), starts the observation period of
classification.md, records the outcome on the warning that led to it and re-plans the
loan's follow-ups — audited.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.models import User
from huifang.audit.services import Actor, Change, record
from huifang.lib.dates import add_months
from huifang.portfolio.models import Installment, Loan, LoanStatus, ScheduleVersion
from huifang.restructuring.models import Proposal
from huifang.restructuring.simulate import Basis, Outcome, Terms, basis_for, option_outcome


def lock_loan(loan: Loan) -> Loan:
    return Loan.objects.select_for_update().get(pk=loan.pk)


def require_active(loan: Loan) -> None:
    """restructuring.md: the loan is not closed (repaid, written off, cancelled)."""
    if loan.status != LoanStatus.ACTIVE:
        raise ValidationError(
            _("贷款 %(loan)s 状态为“%(status)s”，不能调整还款计划")
            % {"loan": loan.loan_no, "status": loan.get_status_display()}
        )


def worked_out(loan: Loan, terms: Terms, basis: Basis | None = None) -> Outcome:
    """The terms worked out on the loan as it stands (`basis`, when the caller has loaded
    it: simulate.basis_for), or ValidationError naming the field."""
    require_active(loan)
    outcome = option_outcome(basis or basis_for(loan), terms, "")
    if not outcome.ok:
        raise ValidationError({outcome.error_field or "__all__": outcome.error})
    return outcome


def apply_approval(proposal: Proposal, *, user: User, actor: Actor, today: date) -> None:
    """The approved terms become the loan's new schedule version (inside the decision's transaction)."""
    from huifang.followups.services.planning import plan_followups
    from huifang.portfolio.services.loans import loan_update
    from huifang.portfolio.services.state import refresh_repayment_state

    loan = lock_loan(proposal.loan)
    terms = Terms(**proposal.terms())
    basis = basis_for(loan)  # the version in force: its rate and method are the defaults
    try:
        outcome = worked_out(loan, terms, basis)
    except ValidationError as exc:
        # The loan changed since it was proposed (a repayment recorded, the loan closed).
        raise ValidationError(
            _("按当前贷款情况已无法执行这份申请，请退回修改：%(why)s")
            % {"why": "；".join(exc.messages)}
        ) from None
    last_date = outcome.rows[-1].due_date
    base = outcome.outstanding + (
        outcome.overdue_interest if terms.capitalise_overdue_interest else 0
    )
    number = (
        max(ScheduleVersion.objects.filter(loan=loan).values_list("number", flat=True), default=0)
        + 1
    )
    version = ScheduleVersion.objects.create(
        loan=loan,
        number=number,
        effective_date=terms.effective_date,
        reason=ScheduleVersion.Reason.RESTRUCTURING,
        principal=base,
        annual_rate=terms.new_rate if terms.new_rate is not None else basis.annual_rate,
        term_months=outcome.term,
        repayment_method=terms.new_method or basis.method,
        maturity_date=last_date,
        created_by=user,
    )
    Installment.objects.bulk_create(
        Installment(
            version=version,
            period=row.period,
            due_date=row.due_date,
            principal=row.principal,
            interest=row.interest,
            balance=row.balance,
            carried_interest=row.carried_interest,
        )
        for row in outcome.rows
    )
    before = {
        "schedule_version": loan.schedule_version,
        "maturity_date": loan.maturity_date,
        "term_months": loan.term_months,
    }
    loan.schedule_version = number
    loan.maturity_date = last_date
    loan.term_months = _term_from(loan.disbursement_date, last_date)
    loan.plan_changed_at = loan.updated_at = timezone.now()
    loan.save(
        update_fields=[
            "schedule_version",
            "maturity_date",
            "term_months",
            "plan_changed_at",
            "updated_at",
        ]
    )
    record(
        actor,
        Change(
            action="restructure",
            object_type="portfolio.loan",
            object_id=loan.loan_no,
            summary=_("还款计划调整，第 %(number)s 版自 %(date)s 起生效")
            % {"number": number, "date": terms.effective_date},
            before=before,
            after={
                "schedule_version": number,
                "maturity_date": loan.maturity_date,
                "term_months": loan.term_months,
                "proposal": proposal.pk,
                # its "consider restructuring" responses are closed below
                "warning": proposal.warning_id,
            },
        ),
    )
    refresh_repayment_state([loan.pk])
    if proposal.financial_difficulty:
        proposal.observation_start = outcome.rows[0].due_date
        if loan.risk_level != "high":
            # Closer follow-up while the borrower recovers: monthly visits (followup-policy.md).
            loan_update(loan=loan, actor=actor, risk_level="high")
    proposal.version = version
    if proposal.warning is not None:
        from huifang.risk.services import warning_restructured

        warning_restructured(
            warning=proposal.warning, proposal_id=proposal.pk, version=number, by=user
        )
    # The maturity and maybe the risk level changed: its planned visits are replaced now.
    plan_followups(as_of=today, actor=actor, trigger="restructuring")


def _term_from(disbursement: date, maturity: date) -> int:
    """The smallest m with add_months(D, m) on or after the maturity: the loan's term in force."""
    months = (maturity.year - disbursement.year) * 12 + maturity.month - disbursement.month
    while add_months(disbursement, months) < maturity:
        months += 1
    return max(months, 1)
