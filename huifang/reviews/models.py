"""Four-eyes review (审核): submission rounds, decisions and random re-checks.

Each submission of a visit for review is a round that freezes the record as it
was submitted. A reviewer approves or returns a round; a returned visit is
corrected and submitted again as the next round. Nothing is ever deleted.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.followups.models import ContactResult, Visit, VisitChannel


class Submission(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="submissions")
    round = models.PositiveSmallIntegerField(_("轮次"))
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
    answers = models.JSONField(_("回答"), default=dict)
    notes = models.TextField(_("回访记录"), blank=True)
    occurred_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    received_online = models.BooleanField(_("线上收到"), default=False)
    # Risk meanings of the answers: [{"signal", "severity", "question", "answer", "label"}].
    findings = models.JSONField(_("风险发现"), default=list)
    # Nobody for a borrower's online answers.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        ordering = ["visit", "round"]
        verbose_name = _("提交")
        verbose_name_plural = _("提交")
        constraints = [
            models.UniqueConstraint(fields=["visit", "round"], name="submission_round_unique")
        ]

    def __str__(self) -> str:
        return f"visit {self.visit_id} round {self.round}"


class Decision(models.TextChoices):
    APPROVED = "approved", _("通过")
    RETURNED = "returned", _("退回")


class Review(models.Model):
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("结论"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("审核意见"), blank=True)
    decided_at = models.DateTimeField(_("审核时间"), default=timezone.now)

    class Meta:
        ordering = ["decided_at"]
        verbose_name = _("审核")
        verbose_name_plural = _("审核")

    def __str__(self) -> str:
        return f"{self.decision} of {self.submission}"


class RecheckOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("复核无误")
    DISPUTED = "disputed", _("复核有异议")


class Recheck(models.Model):
    """An approved visit drawn at random for a second look by another reviewer."""

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="recheck")
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        _("复核结果"), max_length=10, choices=RecheckOutcome.choices, blank=True
    )
    comment = models.TextField(_("复核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("抽查复核")
        verbose_name_plural = _("抽查复核")

    def __str__(self) -> str:
        return f"re-check of {self.submission}"
