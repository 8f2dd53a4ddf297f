"""Writing audit events. Every business write calls `record` inside its own transaction."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from huifang.audit.chain import GENESIS, canonical, canonical_json, chain_digest
from huifang.audit.models import AuditEvent
from huifang.lib.bulk import insert_rows

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
        ip = _clean_ip(actor.ip)
        events = []
        for change in changes:
            before_json, after_json = canonical_json(change.before), canonical_json(change.after)
            object_id, summary = str(change.object_id), change.summary[:300]
            content = canonical(
                at=change.at,
                actor_id=actor.user_id,
                actor_name=actor.name,
                action=change.action,
                object_type=change.object_type,
                object_id=object_id,
                summary=summary,
                before_json=before_json,
                after_json=after_json,
                via=actor.via,
                ip=ip,
            )
            digest = chain_digest(prev, content)
            events.append(
                (
                    change.at,
                    actor.user_id,
                    actor.name,
                    change.action,
                    change.object_type,
                    object_id,
                    summary,
                    before_json,
                    after_json,
                    actor.via,
                    ip,
                    prev,
                    digest,
                )
            )
            prev = digest
        if len(events) > 100:
            # Large batches (imports) go in as rows, the JSON as already written; no pks come back.
            insert_rows(AuditEvent._meta.db_table, _COLUMNS, events, datetime_columns=(0,))
            return []
        return AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    at=e[0],
                    actor_id=e[1],
                    actor_name=e[2],
                    action=e[3],
                    object_type=e[4],
                    object_id=e[5],
                    summary=e[6],
                    before=json.loads(e[7]),
                    after=json.loads(e[8]),
                    via=e[9],
                    ip=e[10],
                    prev_digest=e[11],
                    digest=e[12],
                )
                for e in events
            ]
        )


_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "summary",
    "before",
    "after",
    "via",
    "ip",
    "prev_digest",
    "digest",
)


def _clean_ip(ip: str | None) -> str | None:
    """The address as the database stores it (IPv6 compressed, lower case), so the digest matches."""
    if ip and ":" in ip:
        return clean_ipv6_address(ip)
    return ip or None


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
