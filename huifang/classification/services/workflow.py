"""The confirmation workflow of a loan's category: 初分 (propose), 复核 (review), 审批 (approve)
or change with a written reason — never one's own proposal (classification.md)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import deny, require
from huifang.audit.services import Actor, Change, record
from huifang.classification.floors import RANK
from huifang.classification.models import (
    LoanCategory,
    Step,
)
from huifang.classification.selectors import (
    PENDING_STEPS,
    latest_steps,
    latest_suggestions,
)
from huifang.portfolio.models import Loan


def invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _check_category(category: str) -> None:
    if category not in RANK:
        raise invalid("category", _("分类“%(value)s”无效。") % {"value": category})


def _audit(actor: Actor, row: LoanCategory, loan: Loan, action: str, summary: str) -> None:
    record(
        actor,
        Change(
            action=action,
            object_type="classification.loancategory",
            object_id=str(row.pk),
            summary=summary,
            after={
                "loan": loan.loan_no,
                "step": row.step,
                "category": row.category,
                "effective_date": row.effective_date,
                "proposal": row.proposal_id,
                "reason": row.reason,
            },
        ),
    )


def _suggested(loan: Loan) -> str | None:
    latest = latest_suggestions([loan.pk]).get(loan.pk)
    return latest.category if latest else None


def _pending(loan: Loan) -> LoanCategory | None:
    latest = latest_steps([loan.pk]).get(loan.pk)
    return latest if latest is not None and latest.step in PENDING_STEPS else None


def classification_propose(
    *, loan: Loan, category: str, reason: str = "", user: Any, actor: Actor
) -> LoanCategory:
    """初分 by an officer or a risk manager; a reason is required when it differs from the suggestion."""
    require(user, "classification.propose", via=actor.via, ip=actor.ip)
    _check_category(category)
    reason = reason.strip()
    suggested = _suggested(loan)
    if suggested is not None and category != suggested and not reason:
        raise invalid("reason", _("初分与系统建议不同，必须填写理由。"))
    with transaction.atomic():
        Loan.objects.select_for_update().filter(pk=loan.pk).first()
        row = LoanCategory.objects.create(
            loan=loan,
            category=category,
            effective_date=timezone.localdate(),
            step=Step.PROPOSED,
            suggestion=latest_suggestions([loan.pk]).get(loan.pk),
            by_id=actor.user_id,
            reason=reason,
        )
        _audit(actor, row, loan, "classification_propose", f"{loan.loan_no} 初分 {category}")
    return row


def _decide_checks(loan: Loan, user: Any, actor: Actor) -> LoanCategory:
    require(user, "classification.approve", via=actor.via, ip=actor.ip)
    pending = _pending(loan)
    if pending is None:
        raise invalid("step", _("贷款 %(loan)s 没有待审批的分类。") % {"loan": loan.loan_no})
    proposal = pending.proposal or pending
    if getattr(user, "pk", None) is not None and user.pk == proposal.by_id:
        raise deny(
            user,
            what="classification: approving one's own proposal",
            object_type="classification.loancategory",
            object_id=str(proposal.pk),
            via=actor.via,
            ip=actor.ip,
        )
    return pending


def classification_review(*, loan: Loan, reason: str = "", user: Any, actor: Actor) -> LoanCategory:
    """复核: a risk manager agrees with the pending proposal; approval follows."""
    pending = _decide_checks(loan, user, actor)
    if pending.step == Step.REVIEWED:
        raise invalid("step", _("该分类已复核，请审批。"))
    with transaction.atomic():
        row = LoanCategory.objects.create(
            loan=loan,
            category=pending.category,
            effective_date=pending.effective_date,
            step=Step.REVIEWED,
            suggestion=pending.suggestion,
            proposal=pending,
            by_id=actor.user_id,
            reason=reason.strip(),
        )
        _audit(actor, row, loan, "classification_review", f"{loan.loan_no} 复核 {row.category}")
    return row


def classification_approve(
    *, loan: Loan, reason: str = "", user: Any, actor: Actor
) -> LoanCategory:
    """审批: the pending proposal becomes the loan's category."""
    pending = _decide_checks(loan, user, actor)
    proposal = pending.proposal or pending
    with transaction.atomic():
        row = LoanCategory.objects.create(
            loan=loan,
            category=pending.category,
            effective_date=pending.effective_date,
            step=Step.APPROVED,
            suggestion=pending.suggestion,
            proposal=proposal,
            by_id=actor.user_id,
            reason=reason.strip(),
        )
        _audit(actor, row, loan, "classification_approve", f"{loan.loan_no} 审批 {row.category}")
    return row


def classification_change(
    *, loan: Loan, category: str, reason: str, user: Any, actor: Actor
) -> LoanCategory:
    """审批调整: the approver sets another category than proposed, with a written reason."""
    pending = _decide_checks(loan, user, actor)
    _check_category(category)
    reason = reason.strip()
    if not reason:
        raise invalid("reason", _("调整分类必须填写理由。"))
    proposal = pending.proposal or pending
    with transaction.atomic():
        row = LoanCategory.objects.create(
            loan=loan,
            category=category,
            effective_date=pending.effective_date,
            step=Step.CHANGED,
            suggestion=pending.suggestion,
            proposal=proposal,
            by_id=actor.user_id,
            reason=reason,
        )
        _audit(
            actor,
            row,
            loan,
            "classification_change",
            f"{loan.loan_no} 审批调整 {pending.category} → {category}",
        )
    return row


def classification_act(
    *, loan: Loan, action: str, category: str = "", reason: str = "", user: Any, actor: Actor
) -> LoanCategory:
    """One entry for the page and the API: propose, review, approve or change."""
    if action == "propose":
        return classification_propose(
            loan=loan, category=category, reason=reason, user=user, actor=actor
        )
    if action == "review":
        return classification_review(loan=loan, reason=reason, user=user, actor=actor)
    if action == "approve":
        return classification_approve(loan=loan, reason=reason, user=user, actor=actor)
    if action == "change":
        return classification_change(
            loan=loan, category=category, reason=reason, user=user, actor=actor
        )
    raise invalid("action", _("操作“%(value)s”无效。") % {"value": action})
