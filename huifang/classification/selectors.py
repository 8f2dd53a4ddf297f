"""Reads of the classification app, through the permission gate."""

import copy
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery

from huifang.accounts.gate import branch_scope, has_perm, require
from huifang.classification.floors import CATEGORIES, DEFAULT_RULES
from huifang.classification.models import (
    CONFIRMING_STEPS,
    ClassificationRun,
    LoanCategory,
    RuleSetVersion,
    Step,
    Suggestion,
)

PENDING_STEPS = (Step.PROPOSED, Step.REVIEWED)


def latest_rules_version() -> RuleSetVersion | None:
    return RuleSetVersion.objects.order_by("-number").first()


def current_rules() -> dict[str, Any]:
    """The rule set the floors apply: the latest saved version's, else classification.md's default."""
    latest = latest_rules_version()
    return copy.deepcopy(latest.rules if latest is not None else DEFAULT_RULES)


def rules_versions_for(
    user: Any, *, via: str = "web", ip: str | None = None
) -> QuerySet[RuleSetVersion]:
    """Every saved version, newest first (admins and risk managers: risk.rules)."""
    require(user, "risk.rules", via=via, ip=ip)
    return RuleSetVersion.objects.select_related("created_by").order_by("-number")


def latest_run() -> ClassificationRun | None:
    return ClassificationRun.objects.filter(finished_at__isnull=False).order_by("-pk").first()


def confirmed_categories(loan_ids: Iterable[int]) -> dict[int, str]:
    """Each loan's confirmed category: its latest approved or changed step."""
    result: dict[int, str] = {}
    for loan_id, category in (
        LoanCategory.objects.filter(loan_id__in=list(loan_ids), step__in=CONFIRMING_STEPS)
        .order_by("loan_id", "pk")
        .values_list("loan_id", "category")
    ):
        result[loan_id] = category
    return result


def latest_steps(loan_ids: Iterable[int]) -> dict[int, LoanCategory]:
    """Each loan's latest classification step (a pending proposal when proposed/reviewed)."""
    ids = list(loan_ids)
    latest = (
        LoanCategory.objects.filter(loan_id__in=ids)
        .values("loan_id")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    return {row.loan_id: row for row in LoanCategory.objects.filter(pk__in=list(latest))}


def latest_suggestions(loan_ids: Iterable[int]) -> dict[int, Suggestion]:
    """Each loan's most recent suggestion, of any finished run."""
    ids = list(loan_ids)
    latest = (
        Suggestion.objects.filter(loan_id__in=ids, run__finished_at__isnull=False)
        .values("loan_id")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    return {s.loan_id: s for s in Suggestion.objects.filter(pk__in=list(latest))}


def latest_categories(loan_ids: Iterable[int]) -> dict[int, str]:
    """Each loan's category for the risk dashboard: confirmed, else its suggestion in the latest run.

    Loans neither confirmed nor in the latest run are left out. Large sets of loans
    are filtered here rather than in an IN list of the query.
    """
    ids = set(loan_ids)
    few = len(ids) <= 2000
    result: dict[int, str] = {}
    run = latest_run()
    if run is not None:
        suggestions = Suggestion.objects.filter(run=run)
        if few:
            suggestions = suggestions.filter(loan_id__in=ids)
        for loan_id, category in suggestions.values_list("loan_id", "category"):
            if loan_id in ids:
                result[loan_id] = category
    confirmed = LoanCategory.objects.filter(step__in=CONFIRMING_STEPS)
    if few:
        confirmed = confirmed.filter(loan_id__in=ids)
    for loan_id, category in confirmed.order_by("loan_id", "pk").values_list("loan_id", "category"):
        if loan_id in ids:
            result[loan_id] = category
    return result


def _scoped(qs: QuerySet, user: Any, field: str = "loan__branch_id") -> QuerySet:
    scope = branch_scope(user)
    return qs if scope is None else qs.filter(**{f"{field}__in": scope})


def runs_for(user: Any, *, via: str = "web", ip: str | None = None) -> QuerySet[ClassificationRun]:
    """The classification runs (a record of the batch work): risk readers see them."""
    require(user, "risk.read", via=via, ip=ip)
    return ClassificationRun.objects.select_related("by").order_by("-started_at", "-pk")


def pending_for(
    user: Any,
    *,
    branch: int | None = None,
    category: str = "",
    q: str = "",
    via: str = "web",
    ip: str | None = None,
) -> QuerySet[LoanCategory]:
    """Proposals awaiting review or approval (the latest step of their loan), in the user's branches."""
    require(user, "risk.read", via=via, ip=ip)
    latest = (
        LoanCategory.objects.filter(loan_id=OuterRef("loan_id")).order_by("-pk").values("pk")[:1]
    )
    qs = LoanCategory.objects.filter(step__in=PENDING_STEPS, pk=Subquery(latest))
    qs = _scoped(qs, user)
    if branch:
        qs = qs.filter(loan__branch_id=branch)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(loan__loan_no__icontains=q.strip())
    return qs.select_related(
        "loan", "loan__borrower", "loan__branch", "by", "suggestion", "proposal"
    ).order_by("loan__loan_no")


def suggestions_for(
    user: Any,
    *,
    run: int | None = None,
    category: str = "",
    loan_no: str = "",
    via: str = "web",
    ip: str | None = None,
) -> QuerySet[Suggestion]:
    """Suggestions of one run (default: the latest), in the user's branches."""
    require(user, "risk.read", via=via, ip=ip)
    if run is None:
        last = latest_run()
        run = last.pk if last else 0
    qs = _scoped(Suggestion.objects.filter(run_id=run), user)
    if category:
        qs = qs.filter(category=category)
    if loan_no:
        qs = qs.filter(loan__loan_no__icontains=loan_no.strip())
    return qs.select_related("loan", "run").order_by("loan__loan_no")


def loan_history(loan) -> list[LoanCategory]:
    """Every step of a loan's classification, oldest first (read access checked by loan_for)."""
    return list(
        LoanCategory.objects.filter(loan=loan)
        .select_related("by", "suggestion", "proposal")
        .order_by("pk")
    )


def loan_suggestions(loan, limit: int = 20) -> list[Suggestion]:
    return list(
        Suggestion.objects.filter(loan=loan, run__finished_at__isnull=False)
        .select_related("run")
        .order_by("-pk")[:limit]
    )


def export_rows(user: Any) -> list[tuple[str, date, int, str, str]]:
    """interfaces.md's classification export: the latest run's suggestions, by contract number.

    The latest run holds every loan disbursed on or before its as-of date and not
    closed, each with its newest suggestion: (loan_no, as_of, dpd, category, reasons).
    """
    require(user, "risk.read", via="command")
    run = latest_run()
    if run is None:
        return []
    rows = [
        (loan_no, as_of, dpd, category, ";".join(reasons or []))
        for loan_no, as_of, dpd, category, reasons in _scoped(
            Suggestion.objects.filter(run=run), user
        ).values_list("loan__loan_no", "as_of", "dpd", "category", "reasons")
    ]
    # Sorted here, by code point: a database collation may order punctuation otherwise.
    return sorted(rows)


def _states_on(day: date, loan_ids: set[int] | None) -> dict[int, str]:
    """Each loan's category on a day: confirmed (effective on or before it), else the suggestion
    of the latest run as of that day."""
    ids = loan_ids or set()
    in_list = loan_ids is not None and len(ids) <= 2000
    states: dict[int, str] = {}
    run = (
        ClassificationRun.objects.filter(finished_at__isnull=False, as_of__lte=day)
        .order_by("-as_of", "-pk")
        .first()
    )
    if run is not None:
        suggestions = Suggestion.objects.filter(run=run)
        if in_list:
            suggestions = suggestions.filter(loan_id__in=ids)
        states.update(suggestions.values_list("loan_id", "category"))
    confirmed = LoanCategory.objects.filter(step__in=CONFIRMING_STEPS, effective_date__lte=day)
    if in_list:
        confirmed = confirmed.filter(loan_id__in=ids)
    for loan_id, category in confirmed.order_by("effective_date", "pk").values_list(
        "loan_id", "category"
    ):
        states[loan_id] = category
    if loan_ids is not None and not in_list:
        states = {k: v for k, v in states.items() if k in ids}
    return states


def migration_matrix(*, user: Any, date_from: date, date_to: date) -> dict[str, dict[str, int]]:
    """迁徙矩阵: loans counted by their category on `date_from` (rows) and on `date_to` (columns).

    A loan's category on a day is its confirmed one (effective on or before the
    day), else the suggestion of the latest run as of the day; loans without a
    category on both days are left out. Every one of the 5 × 5 cells is present.
    """
    require(user, "risk.read")
    scope = branch_scope(user)
    loan_ids: set[int] | None = None
    if scope is not None:
        from huifang.portfolio.models import Loan

        loan_ids = set(Loan.objects.filter(branch_id__in=scope).values_list("pk", flat=True))
    before, after = _states_on(date_from, loan_ids), _states_on(date_to, loan_ids)
    matrix = {row: dict.fromkeys(CATEGORIES, 0) for row in CATEGORIES}
    for loan_id, start in before.items():
        end = after.get(loan_id)
        if end is not None:
            matrix[start][end] += 1
    return matrix


def can_decide(user: Any, step: LoanCategory) -> bool:
    """Four eyes: an approver may act on a pending proposal that is not their own."""
    return (
        has_perm(user, "classification.approve")
        and step.step in PENDING_STEPS
        and step.by_id != getattr(user, "pk", None)
        and (step.proposal is None or step.proposal.by_id != getattr(user, "pk", None))
    )
