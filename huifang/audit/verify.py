"""Checking the audit trail: every digest recomputed, every link followed, the guards in place."""

from dataclasses import dataclass, field

from django.db import connection

from huifang.audit.chain import GENESIS, canonical, canonical_json, chain_digest
from huifang.audit.models import AuditEvent

TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")
FIELDS = (
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


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def guard_problems() -> list[str]:
    """The append-only triggers must exist and be enabled, and nothing may permit deletes."""
    problems = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'"
            )
            active = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT count(*) FROM audit_purge_permit")
            if cursor.fetchone()[0]:
                problems.append("audit_purge_permit holds a row: deleting audit events is possible")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
            active = {row[0] for row in cursor.fetchall()}
    missing = sorted(set(TRIGGERS) - active)
    if missing:
        problems.insert(0, f"append-only triggers missing or disabled: {', '.join(missing)}")
    return problems


def verify_audit(*, max_problems: int = 50) -> VerifyResult:
    result = VerifyResult(problems=guard_problems())
    prev = GENESIS
    for row in AuditEvent.objects.order_by("id").values_list(*FIELDS).iterator(chunk_size=5000):
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
                f"event {pk}: does not follow the event before it (one removed or reordered)"
            )
        content = canonical(
            at=at,
            actor_id=actor_id,
            actor_name=actor_name,
            action=action,
            object_type=object_type,
            object_id=object_id,
            summary=summary,
            before_json=canonical_json(before),
            after_json=canonical_json(after),
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
