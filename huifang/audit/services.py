"""Writing audit events. Every business write calls `record` inside its own transaction."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from huifang.audit.chain import GENESIS, canonical, chain_digest
from huifang.audit.models import AuditEvent

# Any constant works; it names the lock that serialises appends to the chain.
_PG_CHAIN_LOCK = 7_270_911


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, or the system acting for a command or a job."""

    user_id: int | None
    name: str
    via: str = "web"
    ip: str | None = None


@dataclass
class Change:
    action: str
    object_type: str = ""
    object_id: str = ""
    summary: str = ""
    before: Any = None
    after: Any = None
    at: datetime = field(default_factory=timezone.now)


def actor_for(user: Any, *, via: str = "web", ip: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(
            user_id=None, name="anonymous" if via != "command" else "system", via=via, ip=ip
        )
    return Actor(user_id=user.pk, name=user.get_username(), via=via, ip=ip)


def jsonable(value: Any) -> Any:
    """The value as it will read back from a JSON column (Decimals and dates as strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _last_digest() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])
    # SQLite transactions here are IMMEDIATE (settings), so the write lock is already held.
    last = AuditEvent.objects.order_by("-id").values_list("digest", flat=True).first()
    return last or GENESIS


def record(actor: Actor, change: Change) -> AuditEvent:
    return record_many(actor, [change])[0]


def record_many(actor: Actor, changes: Iterable[Change]) -> list[AuditEvent]:
    """Append events to the chain, in the caller's transaction (one is opened if there is none)."""
    with transaction.atomic():
        prev = _last_digest()
        events = []
        for change in changes:
            before, after = jsonable(change.before), jsonable(change.after)
            content = canonical(
                at=change.at,
                actor_id=actor.user_id,
                actor_name=actor.name,
                action=change.action,
                object_type=change.object_type,
                object_id=str(change.object_id),
                summary=change.summary[:300],
                before=before,
                after=after,
                via=actor.via,
                ip=actor.ip,
            )
            digest = chain_digest(prev, content)
            events.append(
                AuditEvent(
                    at=change.at,
                    actor_id=actor.user_id,
                    actor_name=actor.name,
                    action=change.action,
                    object_type=change.object_type,
                    object_id=str(change.object_id),
                    summary=change.summary[:300],
                    before=before,
                    after=after,
                    via=actor.via,
                    ip=actor.ip,
                    prev_digest=prev,
                    digest=digest,
                )
            )
            prev = digest
        return AuditEvent.objects.bulk_create(events, batch_size=2000)


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
