"""The archive (分类归档): one searchable entry per approved visit.

An entry is derived data, rebuilt from the visit's approved submission round by
`archive.services.archive_index_visit` (called when a round is approved) or for
every visit by `huifang reindex_archive`. `tokens` holds the jieba words of the
indexed text joined by spaces; the database's own full-text index covers it
(migration 0002: an FTS5 table on SQLite, a GIN index on PostgreSQL).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.followups.models import Visit, VisitChannel, VisitKind


class VisitIndex(models.Model):
    # The visit's id is the entry's id, and the FTS5 rowid: a match is a visit id at once.
    visit = models.OneToOneField(
        Visit, primary_key=True, on_delete=models.CASCADE, related_name="archive_entry"
    )
    # Denormalised from the visit, so that filters and ordering stay within this table.
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    loan = models.ForeignKey(
        "portfolio.Loan", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("回访类型"), max_length=16, choices=VisitKind.choices)
    # The channel actually used (the approved round's), which may differ from the plan.
    channel = models.CharField(_("渠道"), max_length=8, choices=VisitChannel.choices)
    # When the visit took place (the approved round's occurred_at), else its due date.
    occurred_on = models.DateField(_("回访日期"))
    notes = models.TextField(_("回访记录"), blank=True)
    answers_text = models.TextField(_("问卷回答"), blank=True)
    tokens = models.TextField(blank=True)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("归档回访")
        verbose_name_plural = _("归档回访")
        indexes = [
            # Newest first within the user's branch, and over every branch.
            models.Index(fields=["branch", "occurred_on", "visit"], name="archive_branch_date"),
            models.Index(fields=["occurred_on", "visit"], name="archive_date"),
            models.Index(fields=["loan"], name="archive_loan"),
            models.Index(fields=["kind"], name="archive_kind"),
        ]

    def __str__(self) -> str:
        return f"archive of visit {self.visit_id}"
