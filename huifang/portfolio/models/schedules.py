"""Schedule versions, their installments, and repayments."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduleVersion(models.Model):
    """One version of a loan's repayment schedule. Versions are never edited.

    The latest version governs the loan from its `effective_date` on; an
    earlier one governs the time before (loan-math.md, restructuring.md).
    """

    class Reason(models.TextChoices):
        ORIGINAL = "original", _("原始计划")
        CORRECTION = "correction", _("数据更正")
        RESTRUCTURING = "restructuring", _("还款计划调整")

    loan = models.ForeignKey(
        "portfolio.Loan", on_delete=models.CASCADE, related_name="schedule_versions", db_index=False
    )
    number = models.PositiveSmallIntegerField(_("版本"))
    effective_date = models.DateField(_("生效日期"))
    reason = models.CharField(
        _("原因"), max_length=16, choices=Reason.choices, default=Reason.ORIGINAL
    )
    principal = models.DecimalField(max_digits=18, decimal_places=2)
    annual_rate = models.DecimalField(max_digits=12, decimal_places=8)
    term_months = models.PositiveSmallIntegerField()
    repayment_method = models.CharField(max_length=20)
    maturity_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan", "number"], name="schedule_version_unique_number"
            ),
        ]
        verbose_name = _("还款计划版本")
        verbose_name_plural = _("还款计划版本")

    def __str__(self) -> str:
        return f"{self.loan_id} v{self.number}"


class Installment(models.Model):
    # No index of its own on version or due_date: the unique (version, period) index
    # serves lookups by version, and millions of rows import faster with fewer indexes.
    version = models.ForeignKey(
        ScheduleVersion, on_delete=models.CASCADE, related_name="installments", db_index=False
    )
    period = models.PositiveSmallIntegerField(_("期数"))
    due_date = models.DateField(_("应还日期"))
    principal = models.DecimalField(_("本金"), max_digits=18, decimal_places=2)
    interest = models.DecimalField(_("利息"), max_digits=18, decimal_places=2)
    balance = models.DecimalField(_("剩余本金"), max_digits=18, decimal_places=2)
    # restructuring.md: overdue interest not capitalised is due, unchanged and free of
    # interest, with the new version's first period, as its own line.
    carried_interest = models.DecimalField(
        _("转入欠息"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("0"),
        db_default=Decimal("0"),
    )

    class Meta:
        ordering = ["version", "period"]
        constraints = [
            models.UniqueConstraint(fields=["version", "period"], name="installment_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.period}"

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest + self.carried_interest

    @property
    def interest_due(self) -> Decimal:
        """The interest due on the date: the period's own and any carried overdue interest."""
        return self.interest + self.carried_interest


class Repayment(models.Model):
    class Source(models.TextChoices):
        IMPORT = "import", _("文件导入")
        MANUAL = "manual", _("手工录入")
        API = "api", _("接口")

    loan = models.ForeignKey(
        "portfolio.Loan", on_delete=models.PROTECT, related_name="repayments", db_index=False
    )
    paid_date = models.DateField(_("还款日期"))
    amount = models.DecimalField(_("还款金额"), max_digits=18, decimal_places=2)
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices)
    batch = models.ForeignKey(
        "portfolio.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repayments",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["loan", "paid_date", "id"]
        indexes = [models.Index(fields=["loan", "paid_date"])]
        verbose_name = _("还款记录")
        verbose_name_plural = _("还款记录")

    def __str__(self) -> str:
        return f"{self.loan_id} {self.paid_date} {self.amount}"
