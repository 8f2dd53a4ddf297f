"""Questionnaires (回访问卷/话术): templates an admin builds, kept in numbered versions.

A version's `definition` is the JSON document described in
`huifang.questionnaires.schema`; it never changes once saved: editing a
questionnaire saves a new version, and a visit keeps the version it used.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Questionnaire(models.Model):
    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    # Which visits it serves: subject roles (followups.SubjectRole values) and channels
    # (followups.VisitChannel values). The most specific active match wins.
    subject_roles = models.JSONField(_("回访对象"), default=list)
    channels = models.JSONField(_("渠道"), default=list)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("回访问卷")
        verbose_name_plural = _("回访问卷")

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> "QuestionnaireVersion | None":
        return self.versions.order_by("-number").first()


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    definition = models.JSONField(_("内容"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="questionnaire_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.name} v{self.number}"
