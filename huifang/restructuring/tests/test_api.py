"""The restructuring API: simulate, propose, decide, resubmit, withdraw, read — with bearer tokens."""

import json
from datetime import date
from decimal import Decimal

import pytest

from huifang.accounts.models import Role, User
from huifang.accounts.services import token_create
from huifang.audit.services import actor_for
from huifang.portfolio.models import Loan, LoanStatus, ScheduleVersion
from huifang.restructuring.models import Proposal, ProposalStatus
from huifang.restructuring.simulate import basis_for, suggested_options

EFFECTIVE = "2026-02-01"
IO_AND_EXTEND = {"interest_only_months": 12, "extend_months": 12}
PROPOSAL = {"effective_date": EFFECTIVE, **IO_AND_EXTEND, "reason": "经营收入下降，协商只还息"}


class Api:
    """A client that calls the API as one user, with that user's bearer token."""

    def __init__(self, client, user: User) -> None:
        _, raw = token_create(user=user, name="test", actor=actor_for(user))
        self.client, self.headers = client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str):
        return self.client.get(f"/api/v1{path}", **self.headers)

    def send(self, method: str, path: str, body: dict):
        return self.client.generic(
            method,
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            **self.headers,
        )

    def post(self, path: str, body: dict):
        return self.send("POST", path, body)


@pytest.fixture
def officer(client, two_branches) -> Api:
    return Api(client, two_branches[Role.OFFICER])


@pytest.fixture
def manager(client, two_branches) -> Api:
    return Api(client, two_branches[Role.RISK_MANAGER])


def _money(value: str) -> Decimal:
    return Decimal(value)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --- simulation ------------------------------------------------------------------------------


def test_simulate_shows_the_current_schedule_and_each_option_and_saves_nothing(seed_loan, officer):
    # given the seed loan, ten instalments paid, and its one schedule version
    versions = ScheduleVersion.objects.count()

    # when an officer simulates 12 months interest-only with a 12-month extension
    response = officer.post(
        "/loans/R-0001/restructuring/simulate",
        {
            "effective_date": EFFECTIVE,
            "options": [{"label": "只还息一年", **IO_AND_EXTEND}, {"new_rate": "-0.01"}],
        },
    )

    # then the current schedule comes first and the option's figures add up
    assert response.status_code == 200, response.content
    body = response.json()
    current, (option, refused) = body["current"], body["options"]
    assert current["terms"] is None and current["rows"]
    assert _money(current["outstanding"]) > 0 and _money(current["overdue_interest"]) > 0
    assert option["ok"] is True and option["label"] == "只还息一年"
    assert option["terms"]["interest_only_months"] == 12
    assert option["outstanding"] == current["outstanding"]
    rows = option["rows"]
    assert sum(_money(r["principal"]) for r in rows) == _money(option["outstanding"])
    assert option["term"] == len(rows) == 59
    assert option["last_date"] == rows[-1]["due_date"] == "2031-01-01"
    assert all(_money(r["principal"]) == 0 for r in rows[:12])
    assert _money(option["interest_only_payment"]) == _money(rows[0]["interest"])
    assert _money(option["instalment"]) > 0
    # the overdue interest is carried to the first due date when it is not capitalised
    assert _money(rows[0]["carried_interest"]) == _money(option["overdue_interest"])
    # a refused option carries its reason; the others are still worked out
    assert refused["ok"] is False and refused["error_field"] == "new_rate"
    assert _has_chinese(refused["error"]) and refused["rows"] == []
    assert refused["label"] == "方案2"
    # and nothing was saved
    assert Proposal.objects.count() == 0
    assert ScheduleVersion.objects.count() == versions


def test_simulate_without_options_compares_the_suggested_ones(seed_loan, officer):
    response = officer.post(
        "/loans/R-0001/restructuring/simulate", {"effective_date": EFFECTIVE, "options": []}
    )

    assert response.status_code == 200, response.content
    suggested = suggested_options(basis_for(seed_loan), date(2026, 2, 1))
    options = response.json()["options"]
    assert [o["label"] for o in options] == [label for label, _ in suggested]
    assert all(o["ok"] and o["rows"] for o in options)


def test_simulate_refuses_an_effective_date_not_after_the_last_repayment(seed_loan, officer):
    response = officer.post(
        "/loans/R-0001/restructuring/simulate",
        {"effective_date": "2025-10-01", "options": [IO_AND_EXTEND]},
    )

    assert response.status_code == 422
    (message,) = response.json()["detail"]["effective_date"]
    assert _has_chinese(message) and "2025-10-01" in message


def test_simulate_needs_the_propose_permission(seed_loan, client, two_branches):
    auditor = Api(client, two_branches[Role.AUDITOR])
    response = auditor.post(
        "/loans/R-0001/restructuring/simulate", {"effective_date": EFFECTIVE, "options": []}
    )
    assert response.status_code == 403


# --- propose, approve ------------------------------------------------------------------------


def test_propose_then_approve_adds_a_version_and_keeps_the_old_one(seed_loan, officer, manager):
    # given the loan's schedule as it stands
    before = officer.get("/loans/R-0001/schedules").json()
    assert [v["number"] for v in before] == [1]

    # when the officer proposes and the risk manager approves
    created = officer.post("/loans/R-0001/restructuring/proposals", PROPOSAL)
    assert created.status_code == 201, created.content
    proposal = created.json()
    assert proposal["status"] == "proposed" and proposal["proposed_by"] == "officer_a"
    assert proposal["new_term_months"] == 59 and proposal["new_maturity"] == "2031-01-01"
    assert [s["kind"] for s in proposal["steps"]] == ["proposed"]
    assert proposal["steps"][0]["terms"]["interest_only_months"] == 12
    approved = manager.post(
        f"/restructuring/proposals/{proposal['id']}/decision",
        {"decision": "approve", "comment": "同意", "revision": proposal["revision"]},
    )

    # then the proposal names its version and the loan has two versions, the old unchanged
    assert approved.status_code == 200, approved.content
    decided = approved.json()
    assert decided["status"] == "approved" and decided["decided_by"] == "risk_manager_a"
    assert decided["version"] == 2
    assert [s["kind"] for s in decided["steps"]] == ["proposed", "approved"]
    after = officer.get("/loans/R-0001/schedules").json()
    assert [(v["number"], v["current"]) for v in after] == [(1, False), (2, True)]
    assert {**after[0], "current": True} == before[0]
    new = after[1]
    assert new["effective_date"] == EFFECTIVE and new["reason"] == "restructuring"
    assert len(new["installments"]) == 59
    assert new["maturity_date"] == "2031-01-01"
    # and the detail says so too
    detail = officer.get(f"/restructuring/proposals/{proposal['id']}").json()
    assert detail["version"] == 2 and detail["observation_start"] == "2026-03-01"
    listed = officer.get("/loans/R-0001/restructuring/proposals").json()
    assert [(p["id"], p["status"], p["version"]) for p in listed] == [
        (proposal["id"], "approved", 2)
    ]


def test_nobody_decides_their_own_proposal(seed_loan, manager, officer):
    # given a proposal by the risk manager
    created = manager.post("/loans/R-0001/restructuring/proposals", PROPOSAL)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]

    # when the proposer decides it, or an officer does
    own = manager.post(f"/restructuring/proposals/{pk}/decision", {"decision": "approve"})
    by_officer = officer.post(f"/restructuring/proposals/{pk}/decision", {"decision": "approve"})

    # then both are refused and nothing changed
    assert own.status_code == 403 and by_officer.status_code == 403
    assert Proposal.objects.get(pk=pk).status == ProposalStatus.PROPOSED
    assert ScheduleVersion.objects.filter(loan=seed_loan).count() == 1


def test_return_resubmit_and_withdraw(seed_loan, officer, manager):
    pk = officer.post("/loans/R-0001/restructuring/proposals", PROPOSAL).json()["id"]

    # a return needs a reason
    bare = manager.post(f"/restructuring/proposals/{pk}/decision", {"decision": "return"})
    assert bare.status_code == 422 and "comment" in bare.json()["detail"]
    returned = manager.post(
        f"/restructuring/proposals/{pk}/decision",
        {"decision": "return", "comment": "请改为展期6个月"},
    ).json()
    assert returned["status"] == "returned"

    # the proposer corrects it; a stale revision is refused
    changed = {**PROPOSAL, "interest_only_months": 0, "extend_months": 6}
    stale = officer.send(
        "PUT", f"/restructuring/proposals/{pk}", {**changed, "revision": returned["revision"] - 1}
    )
    assert stale.status_code == 422
    resubmitted = officer.send(
        "PUT", f"/restructuring/proposals/{pk}", {**changed, "revision": returned["revision"]}
    )
    assert resubmitted.status_code == 200, resubmitted.content
    body = resubmitted.json()
    assert body["status"] == "proposed" and body["extend_months"] == 6
    assert body["interest_only_months"] == 0
    assert [s["kind"] for s in body["steps"]] == ["proposed", "returned", "resubmitted"]
    # only the proposer resubmits
    not_mine = manager.send("PUT", f"/restructuring/proposals/{pk}", changed)
    assert not_mine.status_code == 403

    # and withdraws it
    withdrawn = officer.post(
        f"/restructuring/proposals/{pk}/withdraw",
        {"comment": "借款人已筹到资金", "revision": body["revision"]},
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = officer.post(f"/restructuring/proposals/{pk}/withdraw", {"comment": ""})
    assert again.status_code == 422


# --- bad input: 422 naming the field, nothing saved --------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"effective_date": "2025-10-01"}, "effective_date"),  # before the last repayment
        ({"new_rate": "-0.01"}, "new_rate"),
        ({"interest_only_months": 0, "extend_months": 400}, "extend_months"),  # beyond 360
        ({"new_method": "balloon"}, "new_method"),
        ({"new_rate": "0.0312345678"}, "new_rate"),  # more places than a proposal keeps
        ({"reason": "  "}, "reason"),
    ],
)
def test_bad_terms_are_refused_naming_the_field(seed_loan, officer, change, field):
    response = officer.post("/loans/R-0001/restructuring/proposals", {**PROPOSAL, **change})

    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert list(detail) == [field]
    assert all(_has_chinese(m) for m in detail[field])
    assert Proposal.objects.count() == 0


def test_a_closed_loan_is_not_restructured(seed_loan, officer):
    Loan.objects.filter(pk=seed_loan.pk).update(status=LoanStatus.CLOSED)

    created = officer.post("/loans/R-0001/restructuring/proposals", PROPOSAL)
    simulated = officer.post(
        "/loans/R-0001/restructuring/simulate", {"effective_date": EFFECTIVE, "options": []}
    )

    for response in (created, simulated):
        assert response.status_code == 422, response.content
        (message,) = response.json()["detail"]["__all__"]
        assert "R-0001" in message and "已结清" in message
    assert Proposal.objects.count() == 0


def test_a_second_open_proposal_is_refused(seed_loan, officer, manager):
    assert officer.post("/loans/R-0001/restructuring/proposals", PROPOSAL).status_code == 201

    second = manager.post(
        "/loans/R-0001/restructuring/proposals", {**PROPOSAL, "extend_months": 24}
    )

    assert second.status_code == 422
    (message,) = second.json()["detail"]["__all__"]
    assert "R-0001" in message
    assert Proposal.objects.count() == 1


# --- reading ---------------------------------------------------------------------------------


def test_the_list_is_scoped_filtered_and_paginated(seed_loan, officer, client, two_branches):
    pk = officer.post("/loans/R-0001/restructuring/proposals", PROPOSAL).json()["id"]

    mine = officer.get("/restructuring/proposals").json()
    assert mine["count"] == 1 and [p["id"] for p in mine["items"]] == [pk]
    assert mine["items"][0]["loan_no"] == "R-0001"
    assert officer.get("/restructuring/proposals?status=open").json()["count"] == 1
    assert officer.get("/restructuring/proposals?status=approved").json()["count"] == 0

    # branch B's officer sees none of branch A's, and may not open it
    other = Api(client, User.objects.get(username="officer_b"))
    assert other.get("/restructuring/proposals").json()["count"] == 0
    assert other.get(f"/restructuring/proposals/{pk}").status_code == 403
    assert officer.get("/restructuring/proposals/999999").status_code == 404
