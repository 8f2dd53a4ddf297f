"""The canonical form of an audit event and its chained digest: pure functions."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical(
    *,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    before: Any,
    after: Any,
    via: str,
    ip: str | None,
) -> bytes:
    payload = [
        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor_id,
        actor_name,
        action,
        object_type,
        object_id,
        summary,
        before,
        after,
        via,
        ip,
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_digest(prev_digest: str, content: bytes) -> str:
    return hashlib.sha256(prev_digest.encode() + b"\n" + content).hexdigest()
