"""Permission-matrix rows for the restructuring pages (还款计划调整).

The proposals are on branch B's loan B-0001 while the user sits in branch A. The
open one was proposed by officer_b, so a risk manager (who sees every branch) may
decide or withdraw it; the returned one was proposed by risk_manager_a, so only
that risk manager may correct and resubmit it. Officers may propose, but only on
loans of their own branch; admins and auditors read.
"""

from datetime import date

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR
EVERYONE = {OF, RV, RM, AD, AU}
LOAN_B = "B-0001"
EFFECTIVE = date(2025, 6, 1)  # after B-0001's disbursement (2025-02-20); it has no repayments
TERMS = {
    "effective_date": EFFECTIVE.isoformat(),
    "extend_months": "6",
    "interest_only_months": "3",
    "new_rate": "",
    "new_method": "",
    "target_instalment": "",
    "financial_difficulty": "on",
}


def _proposal_b(*, by: str, returned: bool) -> int:
    from huifang.accounts.models import User
    from huifang.audit.services import actor_for
    from huifang.portfolio.models import Loan
    from huifang.restructuring.models import Proposal, ProposalStatus
    from huifang.restructuring.services import proposal_create
    from huifang.restructuring.simulate import Terms

    loan = Loan.objects.get(loan_no=LOAN_B)
    existing = Proposal.objects.filter(loan=loan, status__in=["proposed", "returned"]).first()
    if existing:
        return existing.pk
    user = User.objects.get(username=by)
    proposal = proposal_create(
        loan=loan,
        terms=Terms(EFFECTIVE, extend_months=6, interest_only_months=3),
        reason="矩阵测试：经营收入下降",
        financial_difficulty=True,
        user=user,
        actor=actor_for(user),
    )
    if returned:
        # Set up directly: the test is about who may resubmit, not about returning.
        Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.RETURNED)
    return proposal.pk


PLACEHOLDERS = {
    "rs_web_proposal_b": lambda two_branches: _proposal_b(by="officer_b", returned=False),
    "rs_web_returned_b": lambda two_branches: _proposal_b(by="risk_manager_a", returned=True),
}

API_CASES: list = []

WEB_CASES = [
    ("GET", "/restructuring/", None, EVERYONE),
    ("GET", "/restructuring/?status=all&loan=B-0001", None, EVERYONE),
    ("GET", f"/loans/{LOAN_B}/restructuring/new/", None, {RM}),
    (
        "GET",
        f"/loans/{LOAN_B}/restructuring/new/?effective_date=2025-06-01&extend_months=6",
        None,
        {RM},
    ),
    ("POST", f"/loans/{LOAN_B}/restructuring/new/", {**TERMS, "action": "simulate"}, {RM}),
    (
        "POST",
        f"/loans/{LOAN_B}/restructuring/new/",
        {**TERMS, "reason": "经营收入下降，协商调整", "action": "submit"},
        {RM},
    ),
    ("GET", "/restructuring/{rs_web_proposal_b}/", None, {RM, AD, AU}),
    (
        "POST",
        "/restructuring/{rs_web_proposal_b}/decide/",
        {"decision": "return", "comment": "请补充还款来源"},
        {RM},
    ),
    ("POST", "/restructuring/{rs_web_proposal_b}/withdraw/", {"comment": "借款人已结清"}, {RM}),
    (
        "POST",
        "/restructuring/{rs_web_returned_b}/resubmit/",
        {**TERMS, "reason": "已补充还款来源", "action": "submit"},
        {RM},
    ),
    ("GET", f"/loans/{LOAN_B}/schedule.csv", None, {RM, AD, AU}),
    ("GET", f"/loans/{LOAN_B}/schedule.csv?version=1", None, {RM, AD, AU}),
]
WEB_ROUTES = {
    "{rs_web_proposal_b}": "<int:pk>",
    "{rs_web_returned_b}": "<int:pk>",
}
