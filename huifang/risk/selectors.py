"""Reads of signals and warnings, always through the permission gate; the facts rules read."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from huifang.accounts.gate import branch_scope, has_perm, require, require_branch
from huifang.risk import lexicon, rules
from huifang.risk.behaviour import Behaviour, behaviour
from huifang.risk.models import (
    OPEN_WARNING,
    LexiconTerm,
    Signal,
    SignalStatus,
    Warning,
    WarningRule,
)

# Unanswered contact attempts older than this no longer count as failed contacts.
FAILED_CONTACT_DAYS = 90
FAILED_RESULTS = ("unreachable", "wrong_number")


def _scoped(qs: QuerySet, user: Any) -> QuerySet:
    if not has_perm(user, "risk.read"):
        return qs.none()
    scope = branch_scope(user)
    return qs if scope is None else qs.filter(loan__branch_id__in=scope)


def warnings_for(user: Any) -> QuerySet[Warning]:
    """Every warning the user may read: the one scoping selector of warnings."""
    return _scoped(Warning.objects.select_related("loan", "loan__borrower", "owner"), user)


def signals_for(user: Any) -> QuerySet[Signal]:
    return _scoped(Signal.objects.select_related("loan", "raised_by"), user)


def warning_for(
    user: Any, warning_id: int, *, manage: bool = False, via: str = "web", ip: str | None = None
) -> Warning:
    """One warning, or PermissionDenied (audited) when it is outside the user's reach."""
    require(user, "warning.manage" if manage else "risk.read", via=via, ip=ip)
    warning = (
        Warning.objects.select_related("loan", "loan__borrower", "loan__branch", "owner")
        .filter(pk=warning_id)
        .first()
    )
    if warning is None:
        raise Http404(warning_id)
    require_branch(
        user,
        warning.loan.branch_id,
        object_type="risk.warning",
        object_id=str(warning_id),
        via=via,
        ip=ip,
    )
    return warning


def open_warning_levels(loan_ids: Iterable[int]) -> dict[int, set[str]]:
    """The levels (blue/yellow/orange/red) of the open warnings of each loan that has one."""
    found: dict[int, set[str]] = defaultdict(set)
    for loan_id, level in Warning.objects.filter(
        loan_id__in=list(loan_ids), status__in=OPEN_WARNING
    ).values_list("loan_id", "level"):
        found[loan_id].add(level)
    return dict(found)


def disbursement_stopped(loan_ids: Iterable[int]) -> set[int]:
    """Loans that an open (red) warning says must receive no further disbursement."""
    return set(
        Warning.objects.filter(
            loan_id__in=list(loan_ids), status__in=OPEN_WARNING, stop_disbursement=True
        ).values_list("loan_id", flat=True)
    )


def open_warning(loan_id: int) -> Warning | None:
    return Warning.objects.filter(loan_id=loan_id, status__in=OPEN_WARNING).first()


def active_terms() -> list[lexicon.Term]:
    return [
        lexicon.Term(term, code, severity)
        for term, code, severity in LexiconTerm.objects.filter(active=True).values_list(
            "term", "code", "severity"
        )
    ]


def active_rules() -> list[rules.Rule]:
    return [
        rules.Rule(code, name, level, conditions)
        for code, name, level, conditions in WarningRule.objects.filter(active=True)
        .order_by("position", "code")
        .values_list("code", "name", "level", "conditions")
    ]


def loan_behaviour(loan: Any, as_of: date) -> Behaviour:
    """Repayment behaviour as of a date, from the payments made by then."""
    from huifang.portfolio import loanmath
    from huifang.portfolio.selectors import installments_in_force, loan_payments

    payments = loan_payments(loan)
    allocation = loanmath.allocate(installments_in_force(loan, payments), payments, until=as_of)
    return behaviour(allocation, as_of)


def failed_contacts(loan: Any, as_of: date) -> int:
    """Distinct days with an unanswered attempt lately, or open contact_failure signals: the more."""
    from huifang.followups.models import ContactAttempt

    since = as_of - timedelta(days=FAILED_CONTACT_DAYS)
    days = {
        timezone.localdate(at)
        for at in ContactAttempt.objects.filter(
            visit__loan=loan, result__in=FAILED_RESULTS
        ).values_list("attempted_at", flat=True)
    }
    recent = {d for d in days if since <= d <= as_of}
    signals = Signal.objects.filter(
        loan=loan, status=SignalStatus.OPEN, code="contact_failure"
    ).count()
    return max(len(recent), signals)


def loan_facts(loan: Any, as_of: date) -> rules.Facts:
    """What the warning rules read about a loan as of a date."""
    behaviour_of = loan_behaviour(loan, as_of)
    open_signals = [
        rules.OpenSignal(pk, code, severity)
        for pk, code, severity in Signal.objects.filter(
            loan=loan, status=SignalStatus.OPEN
        ).values_list("pk", "code", "severity")
    ]
    return rules.Facts(
        signals=open_signals,
        dpd=behaviour_of.dpd,
        failed_contacts=failed_contacts(loan, as_of),
        partial_payment=behaviour_of.partial_payment,
    )


# --- the dashboard -----------------------------------------------------------------------------


def week_start(today: date) -> date:
    return today - timedelta(days=today.weekday())


def dashboard_numbers(user: Any, *, today: date) -> dict[str, Any]:
    """Open warnings by level, branch and officer; raised and lifted this week."""
    qs = warnings_for(user)
    open_qs = qs.filter(status__in=OPEN_WARNING)
    by_level = dict(
        open_qs.order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n")
    )
    by_branch = list(
        open_qs.values("loan__branch__name", "level")
        .annotate(n=Count("id"))
        .order_by("loan__branch__name", "level")
    )
    by_officer = list(
        open_qs.values("loan__officer__username", "level")
        .annotate(n=Count("id"))
        .order_by("loan__officer__username", "level")
    )
    start = week_start(today)
    return {
        "by_level": by_level,
        "by_branch": _pivot(by_branch, "loan__branch__name"),
        "by_officer": _pivot(by_officer, "loan__officer__username"),
        "week_start": start,
        "raised_this_week": qs.filter(raised_at__date__gte=start).count(),
        "lifted_this_week": qs.filter(status="lifted", closed_at__date__gte=start).count(),
        "open_total": sum(by_level.values()),
    }


def _pivot(rows: Any, key: str) -> list[dict]:
    """[{name, blue, yellow, orange, red, total}] from (name, level, n) rows."""
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        name = row[key] or "—"
        entry = table.setdefault(
            name, {"name": name, "blue": 0, "yellow": 0, "orange": 0, "red": 0, "total": 0}
        )
        entry[row["level"]] += row["n"]
        entry["total"] += row["n"]
    return sorted(table.values(), key=lambda e: (-e["total"], e["name"]))
