"""Attachment contents at rest: encrypted, one file per distinct content.

A file is DATA_DIR/attachments/<sha[:2]>/<sha>, holding the content encrypted
with huifang.lib.crypto (the data key, rotatable). Identical uploads share one
file; it is written once and never deleted (attachments are only withdrawn).
"""

import hashlib
import os
import tempfile
from pathlib import Path

from cryptography.fernet import InvalidToken
from django.conf import settings

from huifang.evidence.models import Attachment
from huifang.lib.crypto import decrypt_bytes, encrypt_bytes


def attachments_root() -> Path:
    return Path(settings.DATA_DIR) / "attachments"


def content_path(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return attachments_root() / sha256[:2] / sha256


def store_content(sha256: str, data: bytes) -> Path:
    """Write `data` encrypted under its digest, unless a readable copy is already there."""
    path = content_path(sha256)
    if path.exists() and _holds(path, sha256):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write aside and rename: a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(encrypt_bytes(data))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _holds(path: Path, sha256: str) -> bool:
    """The file there decrypts, with the keys configured now, to this content."""
    try:
        return hashlib.sha256(decrypt_bytes(path.read_bytes())).hexdigest() == sha256
    except (InvalidToken, OSError):
        return False


def attachment_content(attachment: Attachment) -> bytes:
    """The decrypted bytes of an attachment (the caller went through the gate)."""
    return decrypt_bytes(content_path(attachment.sha256).read_bytes())
