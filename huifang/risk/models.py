"""Signals (预警信号), the risk lexicon, warning rules, warnings (蓝黄橙红) and their responses.

Nothing here is ever deleted: a signal is closed, a warning is lifted or
escalated, and every step of a warning is a WarningEvent.
"""

import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.risk.codes import Level, Severity, SignalCode, SignalSource


class SignalStatus(models.TextChoices):
    OPEN = "open", _("未关闭")
    CLOSED = "closed", _("已关闭")


class Signal(models.Model):
    loan = models.ForeignKey(
        "portfolio.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("来源"), max_length=12, choices=SignalSource.choices)
    code = models.CharField(_("信号"), max_length=32, choices=SignalCode.choices)
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    evidence = models.TextField(_("依据"))
    # What it came from: a review round (answers, notes, contact results), a visit, a repayment.
    submission = models.ForeignKey(
        "reviews.Submission", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visit = models.ForeignKey(
        "followups.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    repayment = models.ForeignKey(
        "portfolio.Repayment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Makes raising from the same source twice a no-op (e.g. "sub:12:answer:funds_ok").
    source_key = models.CharField(max_length=200, blank=True)
    raised_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.CharField(_("关闭原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("预警信号")
        verbose_name_plural = _("预警信号")
        indexes = [
            models.Index(fields=["loan", "status"], name="signal_loan_status"),
            models.Index(fields=["source_key"], name="signal_source_key"),
        ]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.code} {self.severity}"


class LexiconTerm(models.Model):
    term = models.CharField(_("词语"), max_length=30, unique=True)
    code = models.CharField(_("信号"), max_length=32, choices=SignalCode.choices)
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code", "term"]
        verbose_name = _("风险词")
        verbose_name_plural = _("风险词库")

    def __str__(self) -> str:
        return self.term


class WarningRule(models.Model):
    code = models.SlugField(_("规则代码"), max_length=40, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    level = models.CharField(_("预警级别"), max_length=8, choices=Level.choices)
    conditions = models.JSONField(_("条件"), default=dict)
    active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")

    def __str__(self) -> str:
        return self.code

    @property
    def conditions_json(self) -> str:
        return json.dumps(self.conditions, ensure_ascii=False, sort_keys=True)


class WarningStatus(models.TextChoices):
    RAISED = "raised", _("已触发")
    ACKNOWLEDGED = "acknowledged", _("已认领")
    RESPONDING = "responding", _("处置中")
    LIFTED = "lifted", _("已解除")
    ESCALATED = "escalated", _("已升级")


OPEN_WARNING = (WarningStatus.RAISED, WarningStatus.ACKNOWLEDGED, WarningStatus.RESPONDING)


class Warning(models.Model):  # the domain's word (预警), as the spec names it
    loan = models.ForeignKey(
        "portfolio.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("预警级别"), max_length=8, choices=Level.choices)
    status = models.CharField(
        _("状态"), max_length=14, choices=WarningStatus.choices, default=WarningStatus.RAISED
    )
    signals = models.ManyToManyField(Signal, verbose_name=_("预警信号"), related_name="warnings")
    # The rules that raised it, as they read then: [{"code", "name", "level"}].
    rules = models.JSONField(_("触发规则"), default=list)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("处置期限"), null=True, blank=True)
    # Red: no further disbursement to this loan while the warning stands.
    stop_disbursement = models.BooleanField(_("停止放款"), default=False)
    escalated_from = models.OneToOneField(
        "self",
        verbose_name=_("由此预警升级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_to",
    )
    raised_at = models.DateTimeField(_("触发时间"), default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_reason = models.TextField(_("解除/升级原因"), blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [
            # One open warning per loan, at its highest level.
            models.UniqueConstraint(
                fields=["loan"],
                condition=models.Q(status__in=OPEN_WARNING),
                name="warning_one_open_per_loan",
            )
        ]
        indexes = [models.Index(fields=["status", "level"], name="warning_status_level")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.level} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WARNING


class WarningEvent(models.Model):
    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("预警处置记录")
        verbose_name_plural = _("预警处置记录")

    def __str__(self) -> str:
        return f"{self.warning_id} {self.action}"


class ResponseKind(models.TextChoices):
    MONITOR = "monitor", _("持续监测")
    ADHOC_VISIT = "adhoc_visit", _("临时实地回访")
    DEPARTMENT_TASK = "department_task", _("风险管理部复核")
    RISK_LEVEL = "risk_level", _("调高风险等级（按月回访）")
    STOP_DISBURSEMENT = "stop_disbursement", _("停止放款")
    COLLECTIONS_PREP = "collections_prep", _("准备催收或法律措施")
    MORE_COLLATERAL = "more_collateral", _("考虑重组或追加担保")


class ResponseStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未能创建")


class Response(models.Model):
    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="responses")
    kind = models.CharField(_("措施"), max_length=20, choices=ResponseKind.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=ResponseStatus.choices, default=ResponseStatus.OPEN
    )
    note = models.TextField(_("说明"), blank=True)
    visit = models.ForeignKey(
        "followups.Visit",
        verbose_name=_("回访"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.CharField(_("部门"), max_length=32, blank=True)
    task_id = models.CharField(_("部门任务"), max_length=40, blank=True)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("处置措施")
        verbose_name_plural = _("处置措施")

    def __str__(self) -> str:
        return f"{self.warning_id} {self.kind}"
