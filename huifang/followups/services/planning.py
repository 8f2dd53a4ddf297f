"""Planning follow-up visits for the portfolio (followup-policy.md, "Planning over time").

`plan_followups` is the one body that the command, the nightly task and the
tests call. It is incremental (only loans never planned or changed since
their last planning), idempotent, and replaces only visits that the planner
made and that are still merely planned and due on or after the as-of date;
started, submitted, reviewed and ad-hoc visits are never touched. It works
in chunks of loans, a few queries each, with new visits written by COPY
(PostgreSQL) or executemany (SQLite), so memory stays flat as the portfolio grows.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from huifang.audit.services import Actor, Change, record
from huifang.followups.models import PlanningRun, Visit, VisitStatus
from huifang.followups.planning import plan_loan
from huifang.followups.services.assignment import Assigner
from huifang.followups.services.calendar import load_calendar
from huifang.followups.services.policies import PolicyBook
from huifang.lib.bulk import chunked, insert_rows
from huifang.portfolio.models import Loan, LoanParty, LoanStatus, PartyRole

CHUNK_LOANS = 5000
VISIT_COLUMNS = (
    "loan_id",
    "branch_id",
    "subject_role",
    "party_id",
    "kind",
    "due_date",
    "channel",
    "status",
    "assignee_id",
    "planned_by_policy",
    "created_at",
    "updated_at",
)
ProgressCallback = Callable[[int], None]
_PLANNING_LOCK = 7_270_912


def loans_to_plan(*, full: bool = False):
    """Active loans never planned, or changed since they were planned (all active loans with full=True)."""
    qs = Loan.objects.filter(status=LoanStatus.ACTIVE)
    if not full:
        qs = qs.filter(Q(planned_at__isnull=True) | Q(plan_changed_at__gt=F("planned_at")))
    return qs


def plan_followups(
    *,
    as_of: date,
    actor: Actor,
    full: bool = False,
    trigger: str = "command",
    progress: ProgressCallback | None = None,
    chunk_loans: int = CHUNK_LOANS,
) -> PlanningRun:
    run = PlanningRun.objects.create(
        as_of=as_of, trigger=trigger, full=full, started_by_id=actor.user_id
    )
    calendar = load_calendar()
    assigner = Assigner()
    book = PolicyBook()  # each loan is planned with its product's policy
    loan_ids = list(loans_to_plan(full=full).order_by("pk").values_list("pk", flat=True))
    for ids in chunked(loan_ids, chunk_loans):
        with transaction.atomic():
            created, removed = _plan_chunk(ids, as_of, calendar, assigner, book)
        run.loans_planned += len(ids)
        run.visits_created += created
        run.visits_removed += removed
        if progress:
            progress(len(ids))
    with transaction.atomic():
        # Visits still planned for loans that have closed since: cancelled, not deleted.
        cancelled = Visit.objects.filter(
            status=VisitStatus.PLANNED,
            due_date__gte=as_of,
            loan__status__in=[LoanStatus.CLOSED, LoanStatus.WRITTEN_OFF, LoanStatus.CANCELLED],
        ).update(status=VisitStatus.CANCELLED, updated_at=timezone.now())
        run.visits_removed += cancelled
        run.finished_at = timezone.now()
        run.save()
        record(
            actor,
            Change(
                action="plan",
                object_type="followups.planningrun",
                object_id=str(run.pk),
                summary=f"回访计划 {as_of}: {run.loans_planned} 笔贷款",
                after={
                    "as_of": as_of,
                    "full": full,
                    "loans": run.loans_planned,
                    "created": run.visits_created,
                    "removed": run.visits_removed,
                    "cancelled": cancelled,
                },
            ),
        )
    return run


def _stood_for(visit, kept: list[tuple], window: int) -> bool:
    """A started or done visit of the same subject and kind stands for a planned one:
    any such visit for once-only kinds, one within the collision window for periodic ones."""
    role, party_id, kind, due, _channel = visit
    for k_role, k_party, k_kind, k_due in kept:
        if (k_role, k_party, k_kind) == (role, party_id, kind) and (
            kind != "periodic" or abs((k_due - due).days) < window
        ):
            return True
    return False


def _plan_chunk(
    ids, as_of: date, calendar, assigner: Assigner, book: PolicyBook
) -> tuple[int, int]:
    if connection.vendor == "postgresql":
        # Two runs at once (two workers, or a worker and a command) take turns chunk by
        # chunk, so each sees the other's visits and neither plans a loan twice. SQLite's
        # IMMEDIATE transactions serialise them already.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PLANNING_LOCK])
    now = timezone.now()
    book.refresh()
    loans = list(
        Loan.objects.filter(pk__in=ids).values_list(
            "pk",
            "branch_id",
            "officer_id",
            "disbursement_date",
            "maturity_date",
            "term_months",
            "risk_level",
            "borrower__kind",
            "planned_at",
            "product",
        )
    )
    guarantors: dict[int, list[int]] = defaultdict(list)
    for loan_id, party_id in (
        LoanParty.objects.filter(loan_id__in=ids, role=PartyRole.GUARANTOR)
        .order_by("pk")
        .values_list("loan_id", "pk")
    ):
        guarantors[loan_id].append(party_id)
    replanned = [row[0] for row in loans if row[8] is not None]
    replaceable: dict[int, dict[tuple, tuple[int, int | None, date]]] = defaultdict(dict)
    kept: dict[int, list[tuple]] = defaultdict(list)
    if replanned:
        for (
            visit_id,
            loan_id,
            role,
            party_id,
            kind,
            due,
            channel,
            status,
            by_policy,
            assignee,
        ) in Visit.objects.filter(loan_id__in=replanned).values_list(
            "pk",
            "loan_id",
            "subject_role",
            "party_id",
            "kind",
            "due_date",
            "channel",
            "status",
            "planned_by_policy",
            "assignee_id",
        ):
            if status == VisitStatus.PLANNED and by_policy and due >= as_of:
                replaceable[loan_id][(role, party_id, kind, due, channel)] = (
                    visit_id,
                    assignee,
                    due,
                )
            elif status not in (VisitStatus.PLANNED, VisitStatus.CANCELLED):
                # Started, submitted or reviewed: stands for the new plan's visit of its kind.
                # (A planned visit left overdue before as_of blocks nothing.)
                kept[loan_id].append((role, party_id, kind, due))

    rows = []
    obsolete: list[int] = []
    for loan_id, branch_id, officer_id, d, m, term, risk, borrower_kind, _planned, product in loans:
        policy = book.for_product(product)
        plan = plan_loan(
            disbursement_date=d,
            maturity_date=m,
            term_months=term,
            risk_level=risk,
            borrower_type=borrower_kind,
            guarantor_ids=guarantors.get(loan_id, ()),
            calendar=calendar,
            policy=policy,
            as_of=as_of,
        )
        existing = replaceable.pop(loan_id, {})
        wanted = [
            v for v in plan if not _stood_for(v, kept.get(loan_id, []), policy.collision_days)
        ]
        keys = {tuple(v) for v in wanted}
        # Release what goes before assigning what comes, so a re-plan that keeps an
        # officer's day unchanged does not push work to colleagues.
        for key, (old_id, old_assignee, old_due) in existing.items():
            if key not in keys:
                obsolete.append(old_id)
                assigner.release(old_assignee, old_due)
        for visit in wanted:
            if tuple(visit) in existing:
                continue  # unchanged: it stays, with its assignee
            new_assignee = assigner.assign(
                officer_id=officer_id, branch_id=branch_id, day=visit.due_date
            )
            rows.append(
                (
                    loan_id,
                    branch_id,
                    visit.subject_role,
                    visit.subject_ref,
                    visit.kind,
                    visit.due_date,
                    visit.channel,
                    VisitStatus.PLANNED,
                    new_assignee,
                    True,
                    now,
                    now,
                )
            )
    for stale in replaceable.values():  # loans whose new plan is empty
        for stale_id, stale_assignee, stale_due in stale.values():
            obsolete.append(stale_id)
            assigner.release(stale_assignee, stale_due)
    for batch in chunked(obsolete, 2000):
        Visit.objects.filter(pk__in=batch).delete()
    insert_rows(Visit._meta.db_table, VISIT_COLUMNS, rows, datetime_columns=(10, 11))
    Loan.objects.filter(pk__in=ids).update(planned_at=now)
    return len(rows), len(obsolete)
