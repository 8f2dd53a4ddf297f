"""Reads of restructuring: proposals a user may see, and which loans are in observation."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from huifang.accounts.gate import branch_scope, has_perm, require, require_branch
from huifang.restructuring.models import Proposal, ProposalStatus
from huifang.restructuring.observation import Observation, observe


def proposals_for(user: Any) -> QuerySet[Proposal]:
    """Proposals on the loans the user may read (the loan's branch scopes them)."""
    if not has_perm(user, "loan.read"):
        return Proposal.objects.none()
    qs = Proposal.objects.select_related("loan", "loan__borrower", "proposed_by", "decided_by")
    scope = branch_scope(user)
    return qs if scope is None else qs.filter(loan__branch_id__in=scope)


def proposal_for(user: Any, pk: int, *, via: str = "web", ip: str | None = None) -> Proposal:
    require(user, "loan.read", via=via, ip=ip)
    proposal = (
        Proposal.objects.select_related(
            "loan",
            "loan__borrower",
            "loan__branch",
            "proposed_by",
            "decided_by",
            "warning",
            "version",
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404(pk)
    require_branch(
        user,
        proposal.loan.branch_id,
        object_type="restructuring.proposal",
        object_id=str(pk),
        via=via,
        ip=ip,
    )
    return proposal


def waiting_count(user: Any) -> int:
    """Proposals waiting for this user's decision (not their own)."""
    if not has_perm(user, "restructuring.approve"):
        return 0
    return (
        proposals_for(user)
        .filter(status=ProposalStatus.PROPOSED)
        .exclude(proposed_by_id=user.pk)
        .count()
    )


def _latest_observed(loan_ids: Iterable[int], as_of: date) -> dict[int, Proposal]:
    """Each loan's latest approved restructuring for financial difficulty effective by the date."""
    latest: dict[int, Proposal] = {}
    for proposal in Proposal.objects.filter(
        loan_id__in=list(loan_ids),
        status=ProposalStatus.APPROVED,
        financial_difficulty=True,
        effective_date__lte=as_of,
    ).order_by("effective_date", "pk"):
        latest[proposal.loan_id] = proposal
    return latest


def loans_in_observation(loan_ids: Iterable[int], as_of: date) -> set[int]:
    """Restructured loans not to be upgraded on the date (classification.md).

    From the effective date (the restructuring itself upgrades nothing) until the
    observation period that starts on the new version's first due date is complete.
    A few queries for any number of loans.
    """
    from huifang.portfolio.selectors import allocations

    latest = _latest_observed(loan_ids, as_of)
    if not latest:
        return set()
    allocated = allocations(list(latest))
    return {
        loan_id
        for loan_id, proposal in latest.items()
        if observe(
            allocated[loan_id].states, proposal.observation_start or proposal.effective_date, as_of
        ).running(as_of)
    }


def observation_of(
    loan: Any, as_of: date, allocation: Any = None
) -> tuple[Proposal, Observation] | None:
    """The loan's observation period as of a date, for its page; None when it has none.

    `allocation`: the loan's payments allocated to its schedule in force, when the caller
    has it already (portfolio.selectors.loan_allocation).
    """
    from huifang.portfolio.selectors import loan_allocation

    proposal = _latest_observed([loan.pk], date.max).get(loan.pk)
    if proposal is None or proposal.observation_start is None:
        return None
    states = (allocation or loan_allocation(loan)).states
    return proposal, observe(states, proposal.observation_start, as_of)
