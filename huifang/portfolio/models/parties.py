"""Borrowers, the loan's related parties, and collateral."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.portfolio.models.pii import PersonalData


class BorrowerType(models.TextChoices):
    INDIVIDUAL = "individual", _("个人")
    ENTERPRISE = "enterprise", _("企业")


class Borrower(PersonalData):
    """A borrower, identified by its resident ID or unified social credit code."""

    kind = models.CharField(_("借款人类型"), max_length=12, choices=BorrowerType.choices)
    name = models.CharField(_("借款人"), max_length=100, db_index=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    industry = models.CharField(_("行业"), max_length=100, blank=True)
    # The business site, for checking where on-site visits took place (no geocoding
    # service on an intranet: entered by staff).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("借款人")
        verbose_name_plural = _("借款人")
        constraints = [
            models.UniqueConstraint(fields=["id_no_hash"], name="borrower_unique_id_no"),
        ]

    def __str__(self) -> str:
        return self.name


class PartyRole(models.TextChoices):
    GUARANTOR = "guarantor", _("担保人")
    REPRESENTATIVE = "representative", _("授权代表")
    CUSTODIAN = "custodian", _("抵押物管理人")
    RELATED = "related", _("关联方")


class LoanParty(PersonalData):
    """A person or enterprise related to one loan, in one role."""

    loan = models.ForeignKey("portfolio.Loan", on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("角色"), max_length=16, choices=PartyRole.choices)
    kind = models.CharField(_("类型"), max_length=12, choices=BorrowerType.choices)
    name = models.CharField(_("名称"), max_length=100)
    relation = models.CharField(_("与借款人关系"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("关联方")
        verbose_name_plural = _("关联方")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class CollateralKind(models.TextChoices):
    REAL_ESTATE = "real_estate", _("房产")
    VEHICLE = "vehicle", _("车辆")
    EQUIPMENT = "equipment", _("机器设备")
    INVENTORY = "inventory", _("存货")
    RECEIVABLES = "receivables", _("应收账款")
    DEPOSIT = "deposit", _("保证金/存单")
    OTHER = "other", _("其他")


class Collateral(models.Model):
    loan = models.ForeignKey("portfolio.Loan", on_delete=models.CASCADE, related_name="collateral")
    kind = models.CharField(_("押品类型"), max_length=16, choices=CollateralKind.choices)
    description = models.CharField(_("押品描述"), max_length=300)
    appraised_value = models.DecimalField(_("评估价值"), max_digits=18, decimal_places=2)
    location = models.CharField(_("存放地点"), max_length=300, blank=True)
    registration_no = models.CharField(_("抵押登记号"), max_length=100, blank=True)
    custodian = models.ForeignKey(
        LoanParty,
        verbose_name=_("管理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="custody",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("抵质押物")
        verbose_name_plural = _("抵质押物")

    def __str__(self) -> str:
        return self.description
