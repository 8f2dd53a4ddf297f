"""The loan: contract terms, the officer and branch it belongs to, derived repayment state."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALLMENT = "equal_installment", _("等额本息")
    EQUAL_PRINCIPAL = "equal_principal", _("等额本金")
    INTEREST_FIRST = "interest_first", _("先息后本")
    BULLET = "bullet", _("一次性还本付息")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("正常存续")
    CLOSED = "closed", _("已结清")
    WRITTEN_OFF = "written_off", _("已核销")
    CANCELLED = "cancelled", _("已撤销")


class Loan(models.Model):
    loan_no = models.CharField(_("借款合同编号"), max_length=64, unique=True)
    borrower = models.ForeignKey(
        "portfolio.Borrower",
        verbose_name=_("借款人"),
        on_delete=models.PROTECT,
        related_name="loans",
    )
    product = models.CharField(_("贷款产品"), max_length=100, db_index=True)
    principal = models.DecimalField(_("贷款金额"), max_digits=18, decimal_places=2)
    annual_rate = models.DecimalField(_("年利率"), max_digits=12, decimal_places=8)
    term_months = models.PositiveSmallIntegerField(_("期限(月)"))
    disbursement_date = models.DateField(_("放款日期"), db_index=False)
    maturity_date = models.DateField(_("到期日期"), db_index=False)
    repayment_method = models.CharField(
        _("还款方式"), max_length=20, choices=RepaymentMethod.choices
    )
    purpose = models.CharField(_("贷款用途"), max_length=500)
    risk_level = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        related_name="loans",
        db_index=False,
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户经理"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loans",
        db_index=False,
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=LoanStatus.choices,
        default=LoanStatus.ACTIVE,
        db_index=False,
    )
    # Derived from the schedule in force and the repayments (loan-math.md),
    # refreshed by portfolio.services.repayment_state_refresh whenever either changes.
    schedule_version = models.PositiveSmallIntegerField(_("还款计划版本"), default=1)
    outstanding_principal = models.DecimalField(
        _("剩余本金"), max_digits=18, decimal_places=2, default=Decimal("0")
    )
    paid_total = models.DecimalField(
        _("已还金额"), max_digits=18, decimal_places=2, default=Decimal("0")
    )
    credit_balance = models.DecimalField(
        _("溢缴款"), max_digits=18, decimal_places=2, default=Decimal("0")
    )
    first_unpaid_due = models.DateField(_("最早未还期限"), null=True, blank=True, db_index=True)
    # When the terms the follow-up plan depends on last changed.
    plan_changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the follow-up planner last planned this loan; re-planned when older than the above.
    planned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disbursement_date", "loan_no"]
        verbose_name = _("贷款")
        verbose_name_plural = _("贷款")
        indexes = [
            models.Index(fields=["branch", "status", "-disbursement_date"]),
            models.Index(fields=["officer", "status"]),
        ]

    def __str__(self) -> str:
        return self.loan_no

    def dpd(self, as_of: date | None = None) -> int:
        """Days past due as of a date, from the stored earliest unpaid due date.

        Exact for any date on or after the last recorded repayment; for earlier
        dates use portfolio.selectors.loan_dpd, which replays the repayments.
        """
        as_of = as_of or timezone.localdate()
        if self.first_unpaid_due is None or self.first_unpaid_due >= as_of:
            return 0
        return (as_of - self.first_unpaid_due).days

    @property
    def is_active(self) -> bool:
        return self.status == LoanStatus.ACTIVE
