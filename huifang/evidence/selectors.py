"""Reads of evidence, always through the permission gate."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from huifang.accounts.gate import has_perm, require, require_branch
from huifang.evidence.models import Attachment, EvidenceFlag
from huifang.followups.models import Visit
from huifang.followups.models.visits import OPEN_STATUSES


def attachment_for(
    user: Any, attachment_id: int, *, via: str = "web", ip: str | None = None
) -> Attachment:
    """One attachment, or PermissionDenied (audited) outside attachments.read or the user's branches."""
    require(user, "attachments.read", via=via, ip=ip)
    attachment = (
        Attachment.objects.select_related("visit", "visit__loan").filter(pk=attachment_id).first()
    )
    if attachment is None:
        raise Http404(attachment_id)
    require_branch(
        user,
        attachment.visit.branch_id,
        object_type="evidence.attachment",
        object_id=str(attachment_id),
        via=via,
        ip=ip,
    )
    return attachment


def attachments_of(visit: Visit, *, include_removed: bool = False) -> QuerySet[Attachment]:
    """A visit's attachments, oldest first; withdrawn ones only when asked for."""
    qs = Attachment.objects.filter(visit=visit).select_related("uploaded_by")
    return qs if include_removed else qs.filter(removed_at__isnull=True)


def flags_of(visit: Visit) -> QuerySet[EvidenceFlag]:
    """Every evidence flag of a visit, oldest first (withdrawn attachments' flags included)."""
    return EvidenceFlag.objects.filter(visit=visit).select_related("attachment")


def can_upload(user: Any, visit: Visit) -> bool:
    """The visit's own officer, while it is open (services.require_uploader is the gate)."""
    return (
        has_perm(user, "visits.record")
        and visit.assignee_id is not None
        and visit.assignee_id == user.pk
        and visit.status in OPEN_STATUSES
    )


def evidence_context(user: Any, visit: Visit) -> dict:
    """The context of the `evidence/_attachments.html` include, for a visit the user may read."""
    can_read = has_perm(user, "attachments.read")
    attachments = list(attachments_of(visit)) if can_read else []
    uploading = can_upload(user, visit)
    return {
        "visit": visit,
        "can_read_attachments": can_read,
        "attachments": attachments,
        "flags": list(flags_of(visit)) if can_read else [],
        "can_upload": uploading,
        "can_withdraw": uploading and not visit.submissions.exists(),
        "max_mb": settings.HUIFANG_ATTACHMENT_MAX_MB,
    }
