"""Writes of restructuring: propose, correct and resubmit, withdraw, decide (proposer ≠
approver). An approval is applied in the decision's transaction (approval.py)."""

from dataclasses import asdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import deny, require
from huifang.accounts.models import User
from huifang.audit.services import Actor, Change, record
from huifang.lib.dates import add_months
from huifang.portfolio.models import Loan
from huifang.restructuring.approval import apply_approval, lock_loan, worked_out
from huifang.restructuring.models import (
    OPEN_STATUSES,
    Proposal,
    ProposalStatus,
    ProposalStep,
    StepKind,
)
from huifang.restructuring.simulate import Outcome, Terms

DECISIONS = ("approve", "reject", "return")
REASON_MAX = 2000


def _json_terms(terms: Terms) -> dict[str, Any]:
    return {
        k: (str(v) if v is not None and not isinstance(v, bool | int) else v)
        for k, v in asdict(terms).items()
    }


def _audit(actor: Actor, proposal: Proposal, action: str, **extra: Any) -> None:
    record(
        actor,
        Change(
            action=action,
            object_type="restructuring.proposal",
            object_id=str(proposal.pk),
            summary=f"{proposal.loan.loan_no} #{proposal.pk}",
            **extra,
        ),
    )


def _check_text(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明调整原因（借款人的情况、协商经过）")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("调整原因不能超过 %(max)s 字") % {"max": REASON_MAX}})
    return reason


def _check_warning(loan: Loan, warning_id: int | None) -> Any:
    if warning_id is None:
        return None
    from huifang.risk.models import Warning

    warning = Warning.objects.filter(pk=warning_id, loan=loan).first()
    if warning is None:
        raise ValidationError(
            {"warning": _("预警 #%(id)s 不是这笔贷款的预警") % {"id": warning_id}}
        )
    return warning


def _set_terms(proposal: Proposal, terms: Terms, outcome: Outcome) -> None:
    proposal.effective_date = terms.effective_date
    proposal.extend_months = terms.extend_months
    proposal.interest_only_months = terms.interest_only_months
    proposal.new_rate = terms.new_rate
    proposal.new_method = terms.new_method or ""
    proposal.capitalise_overdue_interest = terms.capitalise_overdue_interest
    proposal.target_instalment = terms.target_instalment
    proposal.outstanding = outcome.outstanding
    proposal.overdue_interest = outcome.overdue_interest
    proposal.new_term_months = outcome.term
    proposal.new_maturity = add_months(terms.effective_date, outcome.term)


def _open_exists_error(loan: Loan) -> ValidationError:
    return ValidationError(
        _("贷款 %(loan)s 已有一份未结的还款计划调整申请；请在该申请上修改，或先撤回它")
        % {"loan": loan.loan_no}
    )


def proposal_create(
    *,
    loan: Loan,
    terms: Terms,
    reason: str,
    financial_difficulty: bool,
    user: User,
    actor: Actor,
    warning_id: int | None = None,
) -> Proposal:
    """A new proposal. The caller obtained `loan` through loan_for(user, ..., write=True)."""
    require(user, "restructuring.propose", via=actor.via, ip=actor.ip)
    reason = _check_text(reason)
    try:
        with transaction.atomic():
            loan = lock_loan(loan)
            if Proposal.objects.filter(loan=loan, status__in=OPEN_STATUSES).exists():
                raise _open_exists_error(loan)
            warning = _check_warning(loan, warning_id)
            outcome = worked_out(loan, terms)
            proposal = Proposal(
                loan=loan,
                reason=reason,
                financial_difficulty=financial_difficulty,
                warning=warning,
                proposed_by=user,
            )
            _set_terms(proposal, terms, outcome)
            proposal.save()
            ProposalStep.objects.create(
                proposal=proposal, kind=StepKind.PROPOSED, by=user, terms=_json_terms(terms)
            )
            _audit(actor, proposal, "create", after=_snapshot(proposal))
    except IntegrityError:
        # Another proposal on the loan won the race (the one-open-proposal constraint).
        raise _open_exists_error(loan) from None
    _notify_approvers(proposal)
    return proposal


def _snapshot(proposal: Proposal) -> dict[str, Any]:
    return {
        "loan": proposal.loan.loan_no,
        "status": proposal.status,
        "financial_difficulty": proposal.financial_difficulty,
        "reason": proposal.reason,
        "warning": proposal.warning_id,
        **_json_terms(Terms(**proposal.terms())),
        "outstanding": str(proposal.outstanding),
        "overdue_interest": str(proposal.overdue_interest),
        "new_term_months": proposal.new_term_months,
        "new_maturity": proposal.new_maturity.isoformat(),
    }


def _denied(user: User, actor: Actor, proposal: Proposal, what: str) -> Exception:
    return deny(
        user,
        what=what,
        object_type="restructuring.proposal",
        object_id=str(proposal.pk),
        via=actor.via,
        ip=actor.ip,
    )


def _lock(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("loan").get(pk=proposal.pk)


def _stale(proposal: Proposal, revision: int | None) -> None:
    if revision is not None and revision != proposal.revision:
        raise ValidationError(
            _("这份申请已被他人更改（当前第 %(now)s 版，您看到的是第 %(seen)s 版）；请刷新后再操作")
            % {"now": proposal.revision, "seen": revision}
        )


def proposal_resubmit(
    *,
    proposal: Proposal,
    terms: Terms,
    reason: str,
    financial_difficulty: bool,
    user: User,
    actor: Actor,
    revision: int | None = None,
    warning_id: int | None = None,
) -> Proposal:
    """The proposer corrects a returned proposal and submits it again."""
    require(user, "restructuring.propose", via=actor.via, ip=actor.ip)
    reason = _check_text(reason)
    with transaction.atomic():
        proposal = _lock(proposal)
        _stale(proposal, revision)
        if proposal.proposed_by_id != user.pk:
            raise _denied(user, actor, proposal, "restructuring proposal of another user")
        if proposal.status != ProposalStatus.RETURNED:
            raise ValidationError(_("只有被退回的申请可以修改后重新提交"))
        before = _snapshot(proposal)
        loan = lock_loan(proposal.loan)
        outcome = worked_out(loan, terms)
        proposal.warning = _check_warning(loan, warning_id)
        proposal.reason = reason
        proposal.financial_difficulty = financial_difficulty
        _set_terms(proposal, terms, outcome)
        proposal.status = ProposalStatus.PROPOSED
        proposal.proposed_at = timezone.now()
        proposal.revision += 1
        proposal.save()
        ProposalStep.objects.create(
            proposal=proposal, kind=StepKind.RESUBMITTED, by=user, terms=_json_terms(terms)
        )
        _audit(actor, proposal, "resubmit", before=before, after=_snapshot(proposal))
    _notify_approvers(proposal)
    return proposal


def proposal_withdraw(
    *, proposal: Proposal, comment: str, user: User, actor: Actor, revision: int | None = None
) -> Proposal:
    """The proposer takes back an open proposal (a risk manager may too)."""
    require(user, "restructuring.propose", via=actor.via, ip=actor.ip)
    with transaction.atomic():
        proposal = _lock(proposal)
        _stale(proposal, revision)
        if proposal.proposed_by_id != user.pk and user.role != "risk_manager":
            raise _denied(user, actor, proposal, "restructuring proposal of another user")
        if not proposal.is_open:
            raise ValidationError(_("这份申请已经结束，不能撤回"))
        proposal.status = ProposalStatus.WITHDRAWN
        proposal.revision += 1
        proposal.save(update_fields=["status", "revision"])
        ProposalStep.objects.create(
            proposal=proposal, kind=StepKind.WITHDRAWN, by=user, comment=comment.strip()
        )
        _audit(actor, proposal, "withdraw", after={"status": proposal.status})
    return proposal


def proposal_decide(
    *,
    proposal: Proposal,
    decision: str,
    comment: str,
    user: User,
    actor: Actor,
    revision: int | None = None,
    today: date | None = None,
) -> Proposal:
    """Approve, reject or return a proposal; never one's own. Approval applies it."""
    require(user, "restructuring.approve", via=actor.via, ip=actor.ip)
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("请选择：批准、否决或退回修改")})
    comment = (comment or "").strip()
    if decision != "approve" and not comment:
        raise ValidationError({"comment": _("否决或退回时请写明理由")})
    with transaction.atomic():
        proposal = _lock(proposal)
        _stale(proposal, revision)
        if proposal.proposed_by_id == user.pk:
            raise _denied(user, actor, proposal, "decision on one's own restructuring proposal")
        if proposal.status != ProposalStatus.PROPOSED:
            raise ValidationError(
                _("这份申请当前为“%(status)s”，不能审批")
                % {"status": proposal.get_status_display()}
            )
        now = timezone.now()
        if decision == "approve":
            apply_approval(proposal, user=user, actor=actor, today=today or timezone.localdate())
            proposal.status, kind = ProposalStatus.APPROVED, StepKind.APPROVED
        elif decision == "reject":
            proposal.status, kind = ProposalStatus.REJECTED, StepKind.REJECTED
        else:
            proposal.status, kind = ProposalStatus.RETURNED, StepKind.RETURNED
        proposal.decided_by = user
        proposal.decided_at = now
        proposal.revision += 1
        proposal.save()
        ProposalStep.objects.create(proposal=proposal, kind=kind, by=user, comment=comment, at=now)
        _audit(
            actor,
            proposal,
            decision,
            before={"status": ProposalStatus.PROPOSED},
            after={
                "status": proposal.status,
                "comment": comment,
                "version": proposal.version.number if proposal.version else None,
            },
        )
    _notify_proposer(proposal, comment)
    return proposal


def _notify_approvers(proposal: Proposal) -> None:
    from huifang.notifications.services import notify

    link = reverse("restructuring_detail", args=[proposal.pk])
    title = _("还款计划调整申请待审批：%(loan)s") % {"loan": proposal.loan.loan_no}
    approvers = User.objects.filter(role="risk_manager", is_active=True)
    if proposal.proposed_by_id is not None:
        approvers = approvers.exclude(pk=proposal.proposed_by_id)
    transaction.on_commit(
        lambda: [
            notify(user=u, kind="restructuring", title=title, link=link, email=False)
            for u in approvers
        ]
    )


def _notify_proposer(proposal: Proposal, comment: str) -> None:
    from huifang.notifications.services import notify

    if proposal.proposed_by is None:
        return
    title = _("还款计划调整申请 %(loan)s：%(status)s") % {
        "loan": proposal.loan.loan_no,
        "status": proposal.get_status_display(),
    }
    user = proposal.proposed_by
    transaction.on_commit(
        lambda: notify(
            user=user,
            kind="restructuring",
            title=title,
            body=comment,
            link=reverse("restructuring_detail", args=[proposal.pk]),
        )
    )
