"""The classification run (`classify`).

`classify` is the one body the command, the daily task, the page and the API
call. It works in chunks of loans, a constant number of queries each, and
writes one suggestion per loan in force (classification.md). Where a
suggestion differs from the loan's confirmed category the system proposes it
(初分); a risk manager then reviews (复核) and approves (审批) it or changes it
with a written reason — never their own proposal.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from huifang.audit.services import Actor, Change, record
from huifang.classification import facts as loader
from huifang.classification.floors import Facts, suggest, validate_rules
from huifang.classification.models import (
    ClassificationRun,
    LoanCategory,
    Step,
    Suggestion,
)
from huifang.classification.selectors import (
    PENDING_STEPS,
    confirmed_categories,
    current_rules,
    latest_run,
    latest_steps,
)
from huifang.lib.bulk import chunked, insert_objects
from huifang.portfolio import loanmath

CHUNK_LOANS = 2000
ProgressCallback = Callable[[int], None]
_CLASSIFY_LOCK = 7_270_915


def loans_to_classify(as_of: date):
    """Candidate loans of a run (see facts.loans_in_force; those repaid by as_of drop out later)."""
    return loader.loans_in_force(as_of)


def classify(
    *,
    as_of: date,
    actor: Actor,
    trigger: str,
    progress: ProgressCallback | None = None,
    chunk_loans: int = CHUNK_LOANS,
    rules: dict[str, Any] | None = None,
) -> ClassificationRun:
    """A suggestion for every loan disbursed on or before `as_of` and not closed.

    `rules`: a rule set (floors.py) to apply instead of the current one
    (the latest saved version, else classification.md's default).
    """
    rules = validate_rules(rules) if rules is not None else current_rules()
    previous_run = latest_run()
    run = ClassificationRun.objects.create(as_of=as_of, trigger=trigger, by_id=actor.user_id)
    loan_ids = list(loans_to_classify(as_of).order_by("pk").values_list("pk", flat=True))
    for ids in chunked(loan_ids, chunk_loans):
        with transaction.atomic():
            loans, changed, proposed = _classify_chunk(run, previous_run, ids, as_of, rules)
        run.loans += loans
        run.changed += changed
        run.proposed += proposed
        if progress:
            progress(len(ids))
    with transaction.atomic():
        run.finished_at = timezone.now()
        run.save()
        record(
            actor,
            Change(
                action="classify",
                object_type="classification.classificationrun",
                object_id=str(run.pk),
                summary=f"五级分类 {as_of}: {run.loans} 笔贷款，{run.changed} 笔变化",
                after={
                    "as_of": as_of,
                    "trigger": trigger,
                    "loans": run.loans,
                    "changed": run.changed,
                    "proposed": run.proposed,
                },
            ),
        )
    return run


def _classify_chunk(
    run: ClassificationRun,
    previous_run: ClassificationRun | None,
    ids,
    as_of: date,
    rules: dict[str, Any],
) -> tuple[int, int, int]:
    if connection.vendor == "postgresql":
        # Two runs at once take turns chunk by chunk, so neither proposes a loan twice.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLASSIFY_LOCK])
    allocations = loader.allocations(ids)
    in_force = [i for i in ids if not loader.repaid_by(allocations[i], as_of)]
    signals = loader.confirmed_signals(in_force, as_of, codes=tuple(rules.get("signals", {})))
    warnings = loader.warning_levels(in_force)
    observed = loader.in_observation(in_force, as_of)
    confirmed = confirmed_categories(in_force)
    # "Changed": against the loan's suggestion in the previous run.
    before = dict(
        Suggestion.objects.filter(run=previous_run, loan_id__in=in_force).values_list(
            "loan_id", "category"
        )
        if previous_run
        else ()
    )
    steps = latest_steps(in_force)

    suggestions = []
    changed = 0
    for loan_id in in_force:
        dpd = loanmath.days_past_due(allocations[loan_id], as_of)
        category, reasons = suggest(
            Facts(
                dpd=dpd,
                signals=signals.get(loan_id, {}),
                warning_levels=frozenset(warnings.get(loan_id, ())),
                in_observation=loan_id in observed,
                previous=confirmed.get(loan_id),
            ),
            rules,
        )
        if before.get(loan_id, category) != category:
            changed += 1
        suggestions.append(
            Suggestion(
                run_id=run.pk,
                loan_id=loan_id,
                as_of=as_of,
                dpd=dpd,
                category=category,
                reasons=reasons,
                previous=confirmed.get(loan_id, ""),
            )
        )
    insert_objects(suggestions)

    # 初分 by the system: where the suggestion differs from the confirmed category and
    # no proposal stands for it. A person's pending proposal is left for the approver.
    to_propose = []
    for s in suggestions:
        latest = steps.get(s.loan_id)
        if latest is not None and latest.step in PENDING_STEPS:
            if latest.by_id is None and latest.category != s.category:
                to_propose.append(s)
        elif confirmed.get(s.loan_id) != s.category:
            to_propose.append(s)
    if to_propose:
        ids_by_loan = dict(
            Suggestion.objects.filter(
                run_id=run.pk, loan_id__in=[s.loan_id for s in to_propose]
            ).values_list("loan_id", "pk")
        )
        now = timezone.now()
        insert_objects(
            [
                LoanCategory(
                    loan_id=s.loan_id,
                    category=s.category,
                    effective_date=as_of,
                    step=Step.PROPOSED,
                    suggestion_id=ids_by_loan[s.loan_id],
                    at=now,
                    reason="",
                )
                for s in to_propose
            ]
        )
    return len(in_force), changed, len(to_propose)
