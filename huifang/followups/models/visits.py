"""Follow-up visits (回访) and the officers' absences that assignment respects."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SubjectRole(models.TextChoices):
    BORROWER = "borrower", _("借款人")
    GUARANTOR = "guarantor", _("担保人")
    REPRESENTATIVE = "representative", _("授权代表")
    CUSTODIAN = "custodian", _("抵押物管理人")
    RELATED = "related", _("关联方")


class VisitKind(models.TextChoices):
    FIRST = "first", _("首次回访")
    D90 = "d90", _("放款后90天回访")
    PERIODIC = "periodic", _("定期回访")
    PRE_MATURITY = "pre_maturity", _("到期前回访")
    ADHOC = "adhoc", _("临时回访")


class VisitChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    ONSITE = "onsite", _("实地")
    ONLINE = "online", _("线上问卷")
    VIDEO = "video", _("视频")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("已计划")
    IN_PROGRESS = "in_progress", _("进行中")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已通过")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS, VisitStatus.RETURNED)


class Visit(models.Model):
    """One follow-up visit of one subject of a loan.

    Visits the planner made (`planned_by_policy`) and that are still only planned
    are replaced when the loan or the calendar changes; any other visit is never
    touched by planning (followup-policy.md, "Planning over time").
    """

    loan = models.ForeignKey(
        "portfolio.Loan", on_delete=models.CASCADE, related_name="visits", db_index=False
    )
    # Denormalised from the loan so that branch due lists need no join.
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    subject_role = models.CharField(_("回访对象"), max_length=16, choices=SubjectRole.choices)
    party = models.ForeignKey(
        "portfolio.LoanParty",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,
    )
    kind = models.CharField(_("回访类型"), max_length=16, choices=VisitKind.choices)
    due_date = models.DateField(_("应回访日期"))
    channel = models.CharField(_("渠道"), max_length=8, choices=VisitChannel.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
        db_index=False,
    )
    planned_by_policy = models.BooleanField(default=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = pgettext_lazy("a follow-up visit", "回访")
        verbose_name_plural = pgettext_lazy("a follow-up visit", "回访")
        indexes = [
            # Due lists read only open visits, in date order: partial indexes hold just
            # those, so "the first 50 overdue" never sorts an officer's whole history.
            models.Index(
                fields=["assignee", "due_date"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="visit_open_assignee_due",
            ),
            models.Index(
                fields=["branch", "due_date"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="visit_open_branch_due",
            ),
            models.Index(fields=["loan", "status", "due_date"], name="visit_loan"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.subject_role} {self.kind} {self.due_date}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Absence(models.Model):
    """An officer away (leave, training): assignment passes their visits to colleagues."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("休假")
        verbose_name_plural = _("休假")

    def __str__(self) -> str:
        return f"{self.user} {self.start}–{self.end}"
