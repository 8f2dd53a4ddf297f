"""The canonical form of an audit event and its chained digest: pure functions."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces; Decimals and dates as DjangoJSONEncoder writes them.

    A value read back from a JSON column (SQLite text or PostgreSQL jsonb, which
    reorders keys) gives the same text again, so stored events can be re-digested.
    """
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    )


def canonical(
    *,
    at: datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    before_json: str,
    after_json: str,
    via: str,
    ip: str | None,
) -> bytes:
    header = [
        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        actor_id,
        actor_name,
        action,
        object_type,
        object_id,
        summary,
        via,
        ip,
    ]
    return "\n".join((canonical_json(header), before_json, after_json)).encode()


def chain_digest(prev_digest: str, content: bytes) -> str:
    return hashlib.sha256(prev_digest.encode() + b"\n" + content).hexdigest()
