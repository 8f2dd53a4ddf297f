"""Evidence that a visit was genuine: its photos, documents and recordings, and what looks wrong.

File contents live encrypted on disk (see `storage`); a row holds what can be
shown and compared without decrypting: name, kind, size, SHA-256 and, for
photos, a perceptual hash. Attachments are never deleted: an officer may only
withdraw one before the visit's first submission, and the row stays.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.followups.models import Visit


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文件")
    RECORDING = "recording", _("录音")


class Attachment(models.Model):
    # PROTECT: evidence outlives nothing it proves; a visit that has evidence is never deleted.
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=10, choices=AttachmentKind.choices)
    original_name = models.CharField(_("文件名"), max_length=255)
    # As sniffed from the content, not as the browser said.
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, db_index=True)
    # imagehash.phash of a photo, as a signed 64-bit integer (see checks.phash_signed).
    phash = models.BigIntegerField(null=True, blank=True)
    # EXIF DateTimeOriginal, when the photo carries it.
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    removed_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [
            # Reuse checks read every stored photo hash; this keeps that read off the table.
            models.Index(
                fields=["phash", "visit"],
                condition=models.Q(phash__isnull=False, removed_at__isnull=True),
                name="attachment_photo_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} of visit {self.visit_id}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class FlagKind(models.TextChoices):
    REUSED_PHOTO = "reused_photo", _("照片疑似重复使用")
    DUPLICATE_FILE = "duplicate_file", _("文件与其他回访相同")
    OFF_HOURS = "off_hours", _("非工作时间实地回访")
    FAR_FROM_SITE = "far_from_site", _("实地位置距经营地址过远")
    NO_LOCATION = "no_location", _("实地回访未记录位置")
    NO_SITE_LOCATION = "no_site_location", _("借款人经营地址未设坐标")


# Flags that only say a check could not be made: shown, but not as a warning.
INFORMATIONAL_FLAGS = frozenset({FlagKind.NO_SITE_LOCATION})


class EvidenceFlag(models.Model):
    """Something about a visit's evidence a reviewer should look at twice."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="evidence_flags")
    kind = models.CharField(_("类型"), max_length=20, choices=FlagKind.choices)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.PROTECT, related_name="flags"
    )
    # What was found: the other visits, the distance, the local time (see flag_text).
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("证据提示")
        verbose_name_plural = _("证据提示")
        constraints = [
            # NULLs are distinct in a unique index, so the visit-level flags need their own.
            models.UniqueConstraint(
                fields=["visit", "kind", "attachment"],
                condition=models.Q(attachment__isnull=False),
                name="evidence_flag_unique_per_attachment",
            ),
            models.UniqueConstraint(
                fields=["visit", "kind"],
                condition=models.Q(attachment__isnull=True),
                name="evidence_flag_unique_per_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on visit {self.visit_id}"

    @property
    def is_informational(self) -> bool:
        return self.kind in INFORMATIONAL_FLAGS

    @property
    def text(self) -> str:
        from huifang.evidence.display import flag_text

        return flag_text(self)
