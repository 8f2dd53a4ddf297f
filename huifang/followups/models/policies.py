"""Follow-up policies an admin edits (followup-policy.md: "rules an admin can copy and change
per product, term class and risk level"), kept as immutable numbered versions."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FollowupPolicy(models.Model):
    """A named policy for one loan product; the one with a blank product applies to all others."""

    name = models.CharField(_("名称"), max_length=100)
    product = models.CharField(_("贷款产品"), max_length=100, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["product"]
        verbose_name = _("回访策略")
        verbose_name_plural = _("回访策略")

    def __str__(self) -> str:
        return self.name

    @property
    def is_default(self) -> bool:
        return self.product == ""


class PolicyVersion(models.Model):
    """One version of a policy, never edited: saving a policy adds a version and activates it.

    `rules` is the whole policy as `policy_data.policy_to_data` writes it.
    """

    policy = models.ForeignKey(FollowupPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    rules = models.JSONField(_("规则"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("生效中"), default=False)

    class Meta:
        ordering = ["policy", "-number"]
        verbose_name = _("回访策略版本")
        verbose_name_plural = _("回访策略版本")
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_number"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(active=True), name="policy_one_active_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Planned visits and the audit trail refer to what a version said: it never changes.
        # (Making another version active is a queryset update in policy_save.)
        if not self._state.adding:
            raise ValueError("a policy version is never edited: save a new version instead")
        super().save(*args, **kwargs)
