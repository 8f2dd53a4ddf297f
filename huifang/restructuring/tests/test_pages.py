"""The restructuring pages as a person uses them: simulate, propose, decide, read, download."""

import csv
import io
import re
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from huifang.accounts.models import Role, User
from huifang.portfolio.models import Installment, Loan
from huifang.restructuring.models import Proposal, ProposalStatus
from huifang.restructuring.simulate import basis_for, suggested_options

TODAY = date(2026, 3, 15)
NEW = "/loans/R-0001/restructuring/new/"
TERMS = {
    "effective_date": "2026-02-01",
    "extend_months": "12",
    "interest_only_months": "12",
    "new_rate": "",
    "new_method": "",
    "target_instalment": "",
    "financial_difficulty": "on",
}


@pytest.fixture(autouse=True)
def _today(time_machine):
    # Before the seed loan is made: periods 11-14 are then due and unpaid.
    time_machine.move_to(
        datetime.combine(TODAY, time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai")), tick=True
    )


def _login(client, user):
    client.force_login(user)
    return client


def _submit(client, **changes) -> "object":
    return client.post(
        NEW, {**TERMS, "reason": "订单减少，收入下降，协商展期", "action": "submit", **changes}
    )


def _text(response) -> str:
    return response.content.decode()


def test_the_simulator_compares_the_suggested_options_with_a_chart(seed_loan, two_branches, client):
    # given an officer of the loan's branch
    _login(client, two_branches[Role.OFFICER])

    # when they open the simulator
    response = client.get(NEW)

    # then the current schedule and the four suggested options are compared, with the chart
    assert response.status_code == 200
    page = _text(response)
    labels = [label for label, _terms in suggested_options(basis_for(seed_loan), TODAY)]
    assert len(labels) == 4
    for label in ["现行计划", "我的方案", *labels]:
        assert label in page
    assert "<svg" in page and "<polyline" in page
    # the default effective date is today (later than the last repayment, 2025-11-10)
    assert 'name="effective_date" value="2026-03-15"' in page
    # each option's installments fold away, and the open warning is the default cause
    assert page.count('<details class="rs-rows"') == 6


def test_simulating_saves_nothing_and_adopting_an_option_fills_my_option(
    seed_loan, two_branches, client
):
    _login(client, two_branches[Role.OFFICER])

    # when the officer tries a rate of 4.35 % with a second option beside it
    response = client.post(
        NEW,
        {
            **TERMS,
            "new_rate": "4.35",
            "alt-extend_months": "24",
            "reason": "还在商量",
            "action": "simulate",
        },
    )

    # then both are computed, what was typed stays, and nothing is saved
    page = _text(response)
    assert response.status_code == 200
    assert "方案B" in page and 'value="4.35"' in page and "还在商量" in page
    assert Proposal.objects.count() == 0

    # when they adopt the third suggested option (interest only for six months)
    response = client.post(NEW, {**TERMS, "extend_months": "", "adopt": "2"})
    form = _text(response).split('id="mine"')[1].split("</details>")[0]
    assert re.search(r'name="interest_only_months" value="6"', form)
    assert 'name="extend_months" value="12"' not in form


def test_submitting_creates_a_proposal_and_opens_it(seed_loan, two_branches, client):
    officer = two_branches[Role.OFFICER]
    _login(client, officer)

    response = _submit(client)

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/restructuring/{proposal.pk}/"
    assert (proposal.extend_months, proposal.interest_only_months) == (12, 12)
    assert proposal.effective_date == date(2026, 2, 1)
    assert proposal.proposed_by == officer and proposal.financial_difficulty
    page = _text(client.get(response["Location"]))
    assert "订单减少" in page and "待审批" in page
    # the officer cannot approve: no buttons, a note, and a withdraw form of their own
    assert 'value="approve"' not in page and "等待风险经理审批" in page
    assert "/withdraw/" in page


def test_a_rate_is_typed_as_a_percentage(seed_loan, two_branches, client):
    _login(client, two_branches[Role.OFFICER])

    _submit(client, new_rate="4.35", extend_months="", interest_only_months="")

    assert Proposal.objects.get().new_rate == Decimal("0.0435")


def test_a_risk_manager_approves_and_the_loan_shows_the_new_version(
    seed_loan, two_branches, client
):
    # given a proposal by the officer
    _login(client, two_branches[Role.OFFICER])
    _submit(client)
    proposal = Proposal.objects.get()

    # when a risk manager approves it on its page
    rm = two_branches[Role.RISK_MANAGER]
    _login(client, rm)
    page = _text(client.get(f"/restructuring/{proposal.pk}/"))
    assert 'value="approve"' in page
    response = client.post(
        f"/restructuring/{proposal.pk}/decide/",
        {"decision": "approve", "comment": "同意", "revision": proposal.revision},
    )

    # then the loan has version 2 from the effective date, and its page says so
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and proposal.version.number == 2
    loan_page = _text(client.get("/loans/R-0001/"))
    assert "第 2 版" in loan_page and "还款计划调整" in loan_page
    assert "自 2026-02-01 起生效" in loan_page
    # the observation period: from the first due date of the new version, still running
    assert "重组观察期" in loan_page and "自 2026-03-01 起" in loan_page
    assert "观察中" in loan_page
    # overdue interest carried to period 1 is its own column
    assert "转入欠息" in loan_page
    assert f'href="/restructuring/{proposal.pk}/"' in loan_page
    # periods 11 and 12, due and unpaid when it took effect, show what became of them
    # (not "overdue"); the old periods due after the effective date are no longer in force
    assert loan_page.count("未还部分已转入调整后计划") == 2
    # the old version stays readable
    old = _text(client.get("/loans/R-0001/?version=1"))
    assert "原始计划" in old and "转入欠息" not in old
    # the proposal's page shows the created installments, linked to the loan page
    page = _text(client.get(f"/restructuring/{proposal.pk}/"))
    assert "/loans/R-0001/?version=2" in page and "已批准" in page


def test_the_schedule_downloads_as_csv(seed_loan, two_branches, client):
    _login(client, two_branches[Role.OFFICER])
    _submit(client)
    proposal = Proposal.objects.get()
    _login(client, two_branches[Role.RISK_MANAGER])
    client.post(f"/restructuring/{proposal.pk}/decide/", {"decision": "approve"})

    # the current version by default: period 1 carries the overdue interest
    response = client.get("/loans/R-0001/schedule.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "loan_no",
        "period",
        "due_date",
        "principal",
        "interest",
        "payment",
        "balance",
    ]
    first = Installment.objects.get(version__loan=seed_loan, version__number=2, period=1)
    assert first.carried_interest > 0
    assert rows[1] == [
        "R-0001",
        "1",
        "2026-03-01",
        "0.00",
        f"{first.interest + first.carried_interest:.2f}",
        f"{first.payment:.2f}",
        f"{first.balance:.2f}",
    ]
    # version 1 on request: 60 periods, the original ones
    old = list(
        csv.reader(io.StringIO(client.get("/loans/R-0001/schedule.csv?version=1").content.decode()))
    )
    assert len(old) == 61 and old[1][2] == "2025-02-10"
    assert client.get("/loans/R-0001/schedule.csv?version=9").status_code == 404


def test_an_officer_of_another_branch_is_refused(seed_loan, two_branches, client):
    _login(client, two_branches[Role.OFFICER])
    _submit(client)
    proposal = Proposal.objects.get()

    _login(client, User.objects.get(username="officer_b"))
    for path in (NEW, f"/restructuring/{proposal.pk}/", "/loans/R-0001/schedule.csv"):
        assert client.get(path).status_code in (403, 404), path
    assert client.post(f"/restructuring/{proposal.pk}/withdraw/", {}).status_code in (403, 404)
    assert _submit(client).status_code in (403, 404)
    assert "R-0001" not in _text(client.get("/restructuring/?status=all"))
    assert Proposal.objects.count() == 1
    assert Proposal.objects.get().status == ProposalStatus.PROPOSED


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"new_rate": "-1"}, "new_rate", "年利率不能为负数"),
        ({"extend_months": "400", "interest_only_months": ""}, "extend_months", "超过上限"),
        ({"reason": "  "}, "reason", "请写明调整原因"),
        ({"effective_date": "2025-11-10"}, "effective_date", "最后一次还款"),
        ({"extend_months": "-2"}, "extend_months", "月数不能为负数"),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_saves_nothing(
    seed_loan, two_branches, client, changes, field, message
):
    _login(client, two_branches[Role.OFFICER])

    response = _submit(client, **changes)

    assert response.status_code == 422
    page = _text(response)
    # the message, in the field's block, and what was typed kept
    block = page.split(f'name="{field}"')[1].split('<div class="field')[0]
    assert message in block, block[:500]
    assert "订单减少" in page or field == "reason"
    for name, value in changes.items():
        if value.strip() and name != "reason":
            assert f'name="{name}" value="{value}"' in page
    assert Proposal.objects.count() == 0
    assert Loan.objects.get(loan_no="R-0001").schedule_version == 1


def test_a_risk_manager_cannot_approve_their_own_proposal(seed_loan, two_branches, client):
    # given a proposal by the risk manager
    rm = two_branches[Role.RISK_MANAGER]
    _login(client, rm)
    _submit(client)
    proposal = Proposal.objects.get()

    # then their page has no decision buttons and says why
    page = _text(client.get(f"/restructuring/{proposal.pk}/"))
    assert 'value="approve"' not in page and 'value="reject"' not in page
    assert "本人提交" in page
    # and their menu counts nothing waiting for them
    assert "份调整申请待审批" not in page
    # and a forged decision is refused
    response = client.post(f"/restructuring/{proposal.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    assert Proposal.objects.get().status == ProposalStatus.PROPOSED


def test_returned_the_proposer_corrects_and_resubmits(seed_loan, two_branches, client):
    officer, rm = two_branches[Role.OFFICER], two_branches[Role.RISK_MANAGER]
    _login(client, officer)
    _submit(client)
    proposal = Proposal.objects.get()

    # a return needs a reason, then is shown on the page
    _login(client, rm)
    response = client.post(f"/restructuring/{proposal.pk}/decide/", {"decision": "return"})
    assert response.status_code == 422 and "否决或退回时请写明理由" in _text(response)
    client.post(
        f"/restructuring/{proposal.pk}/decide/",
        {"decision": "return", "comment": "只还息期太长，请改为6个月"},
    )
    assert Proposal.objects.get().status == ProposalStatus.RETURNED

    # the proposer sees the edit form with the terms filled in
    _login(client, officer)
    page = _text(client.get(f"/restructuring/{proposal.pk}/"))
    assert "只还息期太长" in page and "修改后重新提交" in page
    assert 'name="interest_only_months" value="12"' in page
    # 试算 shows the corrected option without saving
    corrected = {**TERMS, "interest_only_months": "6", "reason": "改为只还息6个月"}
    response = client.post(
        f"/restructuring/{proposal.pk}/resubmit/", {**corrected, "action": "simulate"}
    )
    assert response.status_code == 200 and "修改后的方案" in _text(response)
    assert Proposal.objects.get().interest_only_months == 12
    # a stale revision is refused, the current one goes through
    response = client.post(
        f"/restructuring/{proposal.pk}/resubmit/",
        {**corrected, "action": "submit", "revision": "1"},
    )
    assert response.status_code == 422 and "已被他人更改" in _text(response)
    response = client.post(
        f"/restructuring/{proposal.pk}/resubmit/",
        {**corrected, "action": "submit", "revision": "2"},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED and proposal.interest_only_months == 6

    # somebody else may not resubmit (the risk manager here)
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.RETURNED)
    _login(client, rm)
    response = client.post(
        f"/restructuring/{proposal.pk}/resubmit/", {**corrected, "action": "simulate"}
    )
    assert response.status_code == 403


def test_the_proposer_withdraws(seed_loan, two_branches, client):
    _login(client, two_branches[Role.OFFICER])
    _submit(client)
    proposal = Proposal.objects.get()

    response = client.post(f"/restructuring/{proposal.pk}/withdraw/", {"comment": "借款人筹到资金"})

    assert response.status_code == 302
    assert Proposal.objects.get().status == ProposalStatus.WITHDRAWN
    # a new proposal may then be made
    assert _submit(client).status_code == 302


def test_the_list_shows_waiting_proposals_to_risk_managers(seed_loan, two_branches, client):
    _login(client, two_branches[Role.OFFICER])
    _submit(client)
    proposal = Proposal.objects.get()

    # the risk manager: 待审批 by default, the count in the menu and on the page
    _login(client, two_branches[Role.RISK_MANAGER])
    page = _text(client.get("/restructuring/"))
    assert f'href="/restructuring/{proposal.pk}/"' in page
    assert "待我审批" in page and "1 份调整申请待审批" in page
    assert 'class="active" aria-current="page">待审批' in page
    # filters narrow it
    assert f"/restructuring/{proposal.pk}/" not in _text(
        client.get("/restructuring/?loan=A-0001&status=all")
    )
    assert f"/restructuring/{proposal.pk}/" in _text(
        client.get("/restructuring/?borrower=宏达&effective_from=2026-01-01&status=all")
    )
    assert f"/restructuring/{proposal.pk}/" not in _text(
        client.get("/restructuring/?maturity_to=2026-12-31&status=all")
    )
    # an auditor reads them all (every status by default)
    _login(client, two_branches[Role.AUDITOR])
    page = _text(client.get("/restructuring/"))
    assert f'href="/restructuring/{proposal.pk}/"' in page
    assert 'class="active" aria-current="page">全部' in page


def test_the_loan_page_offers_restructuring_to_those_who_may(seed_loan, two_branches, client):
    _login(client, two_branches[Role.OFFICER])
    assert NEW in _text(client.get("/loans/R-0001/"))
    _login(client, two_branches[Role.REVIEWER])
    assert NEW not in _text(client.get("/loans/R-0001/"))
    assert client.get(NEW).status_code == 403


def test_every_mistake_is_shown_at_once(seed_loan, two_branches, client):
    _login(client, two_branches[Role.OFFICER])

    response = _submit(client, new_rate="-1", reason="")

    page = _text(response)
    assert response.status_code == 422
    assert "请修正下面标出的错误" in page
    assert "年利率不能为负数" in page and "请写明调整原因" in page
    assert Proposal.objects.count() == 0
