"""A planning run, kept as a record."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlanningRun(models.Model):
    as_of = models.DateField(_("计划基准日"))
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(_("触发方式"), max_length=16)  # command, task, web
    full = models.BooleanField(default=False)
    loans_planned = models.PositiveIntegerField(default=0)
    visits_created = models.PositiveIntegerField(default=0)
    visits_removed = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("回访计划批次")
        verbose_name_plural = _("回访计划批次")

    def __str__(self) -> str:
        return f"plan {self.as_of} ({self.loans_planned} loans)"
