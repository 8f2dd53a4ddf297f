"""The institution's own calendar entries over the official China calendar."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarEntry(models.Model):
    """A day the institution works or rests, overriding the `holidays` package.

    `notice` marks entries copied from the State Council's notice for a year the
    package does not know yet: once a year has one, that year is no longer
    provisional.
    """

    day = models.DateField(_("日期"), unique=True)
    working = models.BooleanField(_("工作日"))
    notice = models.BooleanField(_("国务院通知"), default=False)
    note = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("日历条目")
        verbose_name_plural = _("日历条目")

    def __str__(self) -> str:
        return f"{self.day} {'work' if self.working else 'rest'}"
