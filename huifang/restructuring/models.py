"""Restructuring proposals (还款计划调整申请) and the steps each one went through."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.portfolio.models import RepaymentMethod


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已否决")
    WITHDRAWN = "withdrawn", _("已撤回")


# A loan has at most one proposal in these (restructuring.md: no other open proposal).
OPEN_STATUSES = (ProposalStatus.PROPOSED, ProposalStatus.RETURNED)


class Proposal(models.Model):
    """A proposed change of a loan's repayment plan, with the terms restructuring.md takes.

    The terms stay editable by the proposer while the proposal is returned; once
    approved, `version` is the schedule version it created and nothing changes.
    """

    loan = models.ForeignKey(
        "portfolio.Loan",
        verbose_name=_("贷款"),
        on_delete=models.PROTECT,
        related_name="restructuring_proposals",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    financial_difficulty = models.BooleanField(_("因借款人财务困难"), default=True)
    reason = models.TextField(_("调整原因"))
    warning = models.ForeignKey(
        "risk.Warning",
        verbose_name=_("起因预警"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="restructuring_proposals",
    )
    effective_date = models.DateField(_("生效日期"))
    extend_months = models.PositiveSmallIntegerField(_("展期月数"), default=0)
    interest_only_months = models.PositiveSmallIntegerField(_("只还息（本金宽限）月数"), default=0)
    new_rate = models.DecimalField(
        _("新年利率"), max_digits=12, decimal_places=8, null=True, blank=True
    )
    new_method = models.CharField(
        _("新还款方式"), max_length=20, choices=RepaymentMethod.choices, blank=True
    )
    capitalise_overdue_interest = models.BooleanField(_("欠息转本金"), default=False)
    target_instalment = models.DecimalField(
        _("目标月供"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    # What the terms gave when last proposed (the approver sees what was asked for).
    outstanding = models.DecimalField(_("生效日剩余本金"), max_digits=18, decimal_places=2)
    overdue_interest = models.DecimalField(_("生效日欠息"), max_digits=18, decimal_places=2)
    new_term_months = models.PositiveSmallIntegerField(_("调整后期数"))
    new_maturity = models.DateField(_("调整后到期日"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    version = models.OneToOneField(
        "portfolio.ScheduleVersion",
        verbose_name=_("新还款计划版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )
    # The observation period (classification.md) starts on the new version's first due date.
    observation_start = models.DateField(_("观察期起始日"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("还款计划调整申请")
        verbose_name_plural = _("还款计划调整申请")
        constraints = [
            models.UniqueConstraint(
                fields=["loan"],
                condition=Q(status__in=["proposed", "returned"]),
                name="restructuring_one_open_proposal",
            )
        ]
        indexes = [models.Index(fields=["status", "-proposed_at"])]

    def __str__(self) -> str:
        return f"{self.loan_id} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def terms(self) -> dict:
        """The changes as restructuring.md's inputs (and the simulator's)."""
        return {
            "effective_date": self.effective_date,
            "extend_months": self.extend_months,
            "interest_only_months": self.interest_only_months,
            "new_rate": self.new_rate,
            "new_method": self.new_method or None,
            "capitalise_overdue_interest": self.capitalise_overdue_interest,
            "target_instalment": self.target_instalment,
        }


class StepKind(models.TextChoices):
    PROPOSED = "proposed", _("提交申请")
    RESUBMITTED = "resubmitted", _("修改后重新提交")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("批准")
    REJECTED = "rejected", _("否决")
    WITHDRAWN = "withdrawn", _("撤回")


class ProposalStep(models.Model):
    """One step of a proposal's way; never changed. Terms are snapshotted at each proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("步骤"), max_length=12, choices=StepKind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("意见"), blank=True)
    terms = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["proposal", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.kind}"
