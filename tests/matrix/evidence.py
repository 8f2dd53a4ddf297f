"""Permission-matrix rows for the evidence app: see tests/test_permission_matrix.py.

Evidence is read with attachments.read (not admins) within the user's branches,
and added or withdrawn only by the visit's own officer: for branch B's visit and
a user sitting in branch A, only the roles that see every branch may read.
"""

import hashlib
import io

from PIL import Image

from huifang.accounts.models import Role, User
from huifang.evidence.models import Attachment, AttachmentKind
from huifang.evidence.storage import store_content
from huifang.followups.models import Visit

RM, AU = Role.RISK_MANAGER, Role.AUDITOR


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def _upload() -> dict:
    photo = io.BytesIO(_png())
    photo.name = "现场.png"
    return {"file": photo}


def attachment_b(two_branches: dict) -> int:
    """A photo on branch B's first visit, stored as an upload would store it."""
    visit = Visit.objects.filter(loan__loan_no="B-0001").order_by("pk").first()
    data = _png()
    sha = hashlib.sha256(data).hexdigest()
    store_content(sha, data)
    return Attachment.objects.create(
        visit=visit,
        kind=AttachmentKind.PHOTO,
        original_name="现场.png",
        content_type="image/png",
        size=len(data),
        sha256=sha,
        phash=0,
        uploaded_by=User.objects.get(username="officer_b"),
    ).pk


PLACEHOLDERS = {"attachment_b": attachment_b}
API_ROUTES = {"{attachment_b}": "<attachment_id>"}
WEB_ROUTES = {"{attachment_b}": "<int:attachment_id>"}

API_CASES: list = [
    ("GET", "/api/v1/visits/{visit_b}/attachments", None, {RM, AU}),
    ("POST", "/api/v1/visits/{visit_b}/attachments", _upload, set()),
    ("GET", "/api/v1/attachments/{attachment_b}", None, {RM, AU}),
    ("GET", "/api/v1/visits/{visit_b}/evidence-flags", None, {RM, AU}),
]
WEB_CASES: list = [
    ("POST", "/visits/{visit_b}/attachments/", _upload, set()),
    ("GET", "/attachments/{attachment_b}/", None, {RM, AU}),
    ("GET", "/attachments/{attachment_b}/thumb/", None, {RM, AU}),
    ("POST", "/attachments/{attachment_b}/remove/", {}, set()),
]
