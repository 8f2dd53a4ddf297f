"""Permission-matrix rows for the restructuring API (issue 6).

The proposals are on branch B's loan B-0001 while the user sits in branch A: an open
one made by branch B's officer, and a returned one made by the risk manager (so the
proposer's own resubmission is in the matrix too). Whoever reads the loan reads its
proposals; officers and risk managers simulate and propose on loans they may write;
only risk managers decide, never on their own.
"""

from typing import Any

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR
EVERYONE = {OF, RV, RM, AD, AU}
LOAN_B = "B-0001"
EFFECTIVE = "2025-06-01"
TERMS = {"effective_date": EFFECTIVE, "extend_months": 6, "reason": "矩阵测试：借款人经营困难"}


def _propose(user: Any) -> Any:
    from datetime import date

    from huifang.audit.services import actor_for
    from huifang.portfolio.models import Loan
    from huifang.restructuring.services import proposal_create
    from huifang.restructuring.simulate import Terms

    return proposal_create(
        loan=Loan.objects.get(loan_no=LOAN_B),
        terms=Terms(date(2025, 6, 1), extend_months=6),
        reason="经营收入下降",
        financial_difficulty=True,
        user=user,
        actor=actor_for(user),
    )


def _proposal_b(two_branches: dict) -> int:
    from huifang.accounts.models import User

    return _propose(User.objects.get(username="officer_b")).pk


def _returned_b(two_branches: dict) -> int:
    from huifang.restructuring.models import Proposal, ProposalStatus

    proposal = _propose(two_branches[RM])
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.RETURNED)
    return proposal.pk


PLACEHOLDERS = {"rs_api_proposal_b": _proposal_b, "rs_api_returned_b": _returned_b}

API_CASES = [
    (
        "POST",
        f"/api/v1/loans/{LOAN_B}/restructuring/simulate",
        {"effective_date": EFFECTIVE, "options": [{"extend_months": 6}]},
        {RM},
    ),
    ("GET", f"/api/v1/loans/{LOAN_B}/restructuring/proposals", None, {RM, AD, AU}),
    ("POST", f"/api/v1/loans/{LOAN_B}/restructuring/proposals", TERMS, {RM}),
    ("GET", "/api/v1/restructuring/proposals", None, EVERYONE),
    ("GET", "/api/v1/restructuring/proposals?status=open", None, EVERYONE),
    ("GET", "/api/v1/restructuring/proposals/{rs_api_proposal_b}", None, {RM, AD, AU}),
    ("GET", "/api/v1/restructuring/proposals/999999", None, set()),  # none such: 404 for all
    ("PUT", "/api/v1/restructuring/proposals/{rs_api_returned_b}", TERMS, {RM}),
    (
        "POST",
        "/api/v1/restructuring/proposals/{rs_api_proposal_b}/decision",
        {"decision": "approve", "comment": "同意"},
        {RM},
    ),
    (
        "POST",
        "/api/v1/restructuring/proposals/{rs_api_proposal_b}/withdraw",
        {"comment": "矩阵测试"},
        {RM},
    ),
]
API_ROUTES = {
    "{rs_api_proposal_b}": "<proposal_id>",
    "{rs_api_returned_b}": "<proposal_id>",
    "restructuring/proposals/999999": "restructuring/proposals/<proposal_id>",
}
WEB_CASES: list = []
