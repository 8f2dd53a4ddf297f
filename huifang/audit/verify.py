"""Checking the audit trail: every digest recomputed, every link followed."""

from dataclasses import dataclass, field

from django.db import connection

from huifang.audit.chain import GENESIS, canonical, chain_digest
from huifang.audit.models import AuditEvent

TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def installed_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {row[0] for row in cursor.fetchall()}


def verify_audit(*, max_problems: int = 50) -> VerifyResult:
    result = VerifyResult()
    missing = set(TRIGGERS) - installed_triggers()
    if missing:
        result.problems.append(f"append-only triggers missing: {', '.join(sorted(missing))}")
    prev = GENESIS
    fields = (
        "id",
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
    for row in AuditEvent.objects.order_by("id").values_list(*fields).iterator(chunk_size=5000):
        (
            pk,
            at,
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
            prev_digest,
            digest,
        ) = row
        result.checked += 1
        if prev_digest != prev:
            result.problems.append(
                f"event {pk}: does not follow the previous event (a gap or a reorder)"
            )
        content = canonical(
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            object_type=object_type,
            object_id=object_id,
            summary=summary,
            before=before,
            after=after,
            via=via,
            ip=ip,
        )
        if chain_digest(prev_digest, content) != digest:
            result.problems.append(f"event {pk}: content does not match its digest (edited)")
        prev = digest
        if len(result.problems) >= max_problems:
            result.problems.append("… stopped after too many problems")
            break
    return result
