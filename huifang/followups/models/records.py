"""Carrying out a visit: the officer's working record, contact attempts, online links.

The working record (`VisitRecord`) is the officer's draft; each submission for
review freezes a copy of it as a `reviews.Submission` round, so what a reviewer
saw is never changed afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.followups.models.visits import Visit, VisitChannel


class ContactResult(models.TextChoices):
    REACHED = "reached", _("已联系上")
    UNREACHABLE = "unreachable", _("无法联系")
    REFUSED = "refused", _("拒绝回访")
    WRONG_NUMBER = "wrong_number", _("号码错误")


class VisitRecord(models.Model):
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="record")
    questionnaire = models.ForeignKey(
        "questionnaires.QuestionnaireVersion",
        verbose_name=_("问卷"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("实际渠道"), max_length=8, choices=VisitChannel.choices)
    contact_result = models.CharField(
        _("联系结果"), max_length=16, choices=ContactResult.choices, blank=True
    )
    answers = models.JSONField(_("回答"), default=dict, blank=True)
    notes = models.TextField(_("回访记录"), blank=True)
    # When and where the visit took place, as the officer's device reported it.
    occurred_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    received_online = models.BooleanField(_("线上收到"), default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic lock: a save based on an older copy is refused instead of overwriting.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")

    def __str__(self) -> str:
        return f"record of visit {self.visit_id}"


class ContactAttempt(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(_("时间"), default=timezone.now)
    channel = models.CharField(_("渠道"), max_length=8, choices=VisitChannel.choices)
    result = models.CharField(_("结果"), max_length=16, choices=ContactResult.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["attempted_at", "id"]
        verbose_name = _("联系尝试")
        verbose_name_plural = _("联系尝试")

    def __str__(self) -> str:
        return f"{self.visit_id} {self.result} {self.attempted_at:%Y-%m-%d %H:%M}"


class OnlineLink(models.Model):
    """A borrower's single-use link to answer a visit's questionnaire online.

    Only the SHA-256 of the token is stored: the token itself is shown once, to
    the officer who sends it.
    """

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="online_links")
    # The questionnaire the borrower answers (the online one for the visit's subject).
    questionnaire = models.ForeignKey(
        "questionnaires.QuestionnaireVersion", on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("线上问卷链接")
        verbose_name_plural = _("线上问卷链接")

    def __str__(self) -> str:
        return f"online link of visit {self.visit_id}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and now < self.expires_at
