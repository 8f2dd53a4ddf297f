"""An uploaded import file, from validation to its application."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        LOANS = "loans", _("贷款")
        REPAYMENTS = "repayments", _("还款")

    class Status(models.TextChoices):
        VALIDATED = "validated", _("已校验，待确认")
        APPLIED = "applied", _("已导入")
        REJECTED = "rejected", _("有错误，未导入")
        DISCARDED = "discarded", _("已放弃")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    filename = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(editable=False)
    partial = models.BooleanField(_("部分导入"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"
