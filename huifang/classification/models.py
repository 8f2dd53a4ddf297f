"""Five-category classification (五级分类): runs, suggestions, and each loan's confirmed history.

A run computes a suggestion for every loan in force on its as-of date
(classification.md's floors, with their reasons). The category a loan is
held in is confirmed by people, step by step: proposed (初分), reviewed (复核),
approved (审批) or changed with a written reason; every step is a row, none is
ever edited or deleted.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    NORMAL = "normal", _("正常")
    SPECIAL_MENTION = "special_mention", _("关注")
    SUBSTANDARD = "substandard", _("次级")
    DOUBTFUL = "doubtful", _("可疑")
    LOSS = "loss", _("损失")


class Trigger(models.TextChoices):
    COMMAND = "command", _("命令行")
    TASK = "task", _("后台任务")
    UI = "ui", _("页面")
    API = "api", _("接口")


class ClassificationRun(models.Model):
    as_of = models.DateField(_("分类基准日"))
    trigger = models.CharField(_("触发方式"), max_length=8, choices=Trigger.choices)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    loans = models.PositiveIntegerField(_("贷款笔数"), default=0)
    changed = models.PositiveIntegerField(_("建议变化笔数"), default=0)
    proposed = models.PositiveIntegerField(_("系统初分笔数"), default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("五级分类批次")
        verbose_name_plural = _("五级分类批次")

    def __str__(self) -> str:
        return f"classification {self.as_of} ({self.loans} loans)"


class Suggestion(models.Model):
    """The floors' suggestion for one loan in one run, with its reasons (codes, floors.py)."""

    run = models.ForeignKey(
        ClassificationRun, on_delete=models.CASCADE, related_name="suggestions", db_index=False
    )
    loan = models.ForeignKey(
        "portfolio.Loan", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    as_of = models.DateField(_("分类基准日"))
    dpd = models.PositiveIntegerField(_("逾期天数"))
    category = models.CharField(_("建议分类"), max_length=16, choices=Category.choices)
    reasons = models.JSONField(_("依据"), default=list)
    # The loan's confirmed category when the run looked (blank: never confirmed).
    previous = models.CharField(
        _("原认定分类"), max_length=16, choices=Category.choices, blank=True
    )

    class Meta:
        ordering = ["run", "loan"]
        verbose_name = _("分类建议")
        verbose_name_plural = _("分类建议")
        constraints = [
            models.UniqueConstraint(fields=["run", "loan"], name="suggestion_one_per_run")
        ]
        indexes = [models.Index(fields=["loan", "-run"], name="suggestion_loan_latest")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.as_of} {self.category}"


class Step(models.TextChoices):
    PROPOSED = "proposed", _("初分")
    REVIEWED = "reviewed", _("复核")
    APPROVED = "approved", _("审批通过")
    CHANGED = "changed", _("审批调整")


CONFIRMING_STEPS = (Step.APPROVED, Step.CHANGED)


class LoanCategory(models.Model):
    """One step of a loan's classification; the latest approved/changed row is its category."""

    loan = models.ForeignKey(
        "portfolio.Loan", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    category = models.CharField(_("分类"), max_length=16, choices=Category.choices)
    effective_date = models.DateField(_("生效日期"))
    step = models.CharField(_("环节"), max_length=10, choices=Step.choices)
    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("系统建议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The proposal a review or decision acts on.
    proposal = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,  # the system's proposals
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        ordering = ["loan", "at", "id"]
        verbose_name = _("贷款分类记录")
        verbose_name_plural = _("贷款分类记录")
        indexes = [models.Index(fields=["loan", "id"], name="loancategory_loan_steps")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.step} {self.category}"

    @property
    def confirms(self) -> bool:
        return self.step in CONFIRMING_STEPS


class RuleSetVersion(models.Model):
    """One saved version of the floors' rule set (floors.py); never edited, the latest applies.

    With no version saved the default rule set of classification.md applies.
    """

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    rules = models.JSONField(_("规则"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保存人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("分类规则版本")
        verbose_name_plural = _("分类规则版本")

    def __str__(self) -> str:
        return f"classification rules v{self.number}"
