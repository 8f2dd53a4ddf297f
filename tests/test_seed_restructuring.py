"""Issue 6, "Done when": the seed's case end to end.

A five-year loan to an enterprise; a year on, the first-year visit finds revenue
falling → a warning → the risk manager reviews it and classifies the loan 关注 →
a proposal of 12 months interest-only with the term extended by 12 months →
approved by another person → a new schedule version from the effective date, the
old one unchanged; monthly visits up to the new maturity; the observation period
(classification.md) → the classification is not upgraded during it, and may be after.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Role
from huifang.audit.services import Actor, actor_for
from huifang.classification.models import Suggestion
from huifang.classification.selectors import confirmed_categories
from huifang.classification.services import (
    classification_approve,
    classification_propose,
    classify,
)
from huifang.followups.models import Visit
from huifang.followups.services.planning import plan_followups
from huifang.followups.services.recording import RecordInput, record_save
from huifang.lib.dates import add_months
from huifang.portfolio.models import Installment, Loan, ScheduleVersion
from huifang.portfolio.restructuring import outstanding_at
from huifang.portfolio.selectors import installments_in_force, loan_dpd, loan_payments
from huifang.portfolio.services.imports import import_file
from huifang.portfolio.services.repayments import record_repayments
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion
from huifang.restructuring.selectors import loans_in_observation, observation_of
from huifang.restructuring.services import proposal_create, proposal_decide
from huifang.restructuring.simulate import Terms
from huifang.reviews.services import review_decide, visit_submit
from huifang.risk.models import OPEN_WARNING, ResponseKind, Warning
from huifang.risk.services import warning_acknowledge, warning_respond

COMMAND = Actor(user_id=None, name="system", via="command")
BUSINESS = {
    "sections": [
        {
            "key": "business",
            "title": "经营情况",
            "questions": [
                {
                    "key": "revenue_trend",
                    "type": "single",
                    "label": "与放款时相比，经营收入的变化",
                    "required": True,
                    "options": [
                        {"value": "up", "label": "上升"},
                        {"value": "flat", "label": "持平"},
                        {"value": "down", "label": "下降"},
                    ],
                    "risks": [
                        {
                            "when": {"equals": "down"},
                            "signal": "business_decline",
                            "severity": "medium",
                            "label": "经营收入下降",
                        }
                    ],
                }
            ],
        }
    ]
}


def _seed_loan(today):
    """500,000 at 6 % over 60 months to an enterprise, disbursed a year (and a few days) ago,
    its twelve instalments paid on their due dates."""
    disbursed = add_months(today - timedelta(days=3), -12)
    csv = (
        "借款合同编号,借款人,借款人类型,证件号码,联系电话,贷款产品,贷款金额,年利率,期限(月),"
        "放款日期,还款方式,贷款用途,所属机构\n"
        f"S-0001,武汉宏达服装有限公司,企业,91420106MACHE64F59,18330723731,小微企业经营贷,"
        f"500000,0.06,60,{disbursed.isoformat()},等额本息,购买生产设备,甲分行\n"
    )
    report = import_file(
        kind="loans", data=csv.encode(), filename="seed.csv", user=SYSTEM, actor=COMMAND
    )
    assert report.applied, [str(e) for e in report.errors]
    loan = Loan.objects.get(loan_no="S-0001")
    first_year = installments_in_force(loan)[:12]
    record_repayments(
        [(loan, i.due_date, i.payment) for i in first_year], actor=COMMAND, by=None, source="manual"
    )
    return loan, disbursed


def _periodic_months(loan, since, until) -> set[tuple[int, int]]:
    return {
        (d.year, d.month)
        for d in Visit.objects.filter(
            loan=loan, subject_role="borrower", due_date__gte=since, due_date__lt=until
        )
        .exclude(status="cancelled")
        .values_list("due_date", flat=True)
    }


def test_the_seed_case_end_to_end(two_branches, client):
    officer, reviewer = two_branches[Role.OFFICER], two_branches[Role.REVIEWER]
    risk_manager = two_branches[Role.RISK_MANAGER]
    from huifang.accounts.models import User

    approver = User.objects.create_user(
        username="risk_manager_a2", password="x-Pass-2026", role=Role.RISK_MANAGER
    )
    today = timezone.localdate()
    Questionnaire.objects.update(is_active=False)
    questionnaire = Questionnaire.objects.create(
        code="seed-officer", name="经营回访", subject_roles=["borrower"], channels=[]
    )
    QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1, definition=BUSINESS)

    # given the seed loan, planned from its disbursement: quarterly visits (medium risk)
    loan, disbursed = _seed_loan(today)
    loan.officer = officer
    loan.save(update_fields=["officer"])
    plan_followups(as_of=disbursed, actor=COMMAND)
    maturity = loan.maturity_date
    assert loan.risk_level == "medium" and loan_dpd(loan, today) == 0
    assert len(_periodic_months(loan, today + timedelta(days=20), today + timedelta(days=385))) <= 5

    # when the first-year visit finds revenue falling and a second person approves the record
    visit = (
        Visit.objects.filter(loan=loan, subject_role="borrower", kind="periodic")
        .order_by("due_date")
        .filter(due_date__gte=add_months(disbursed, 12) - timedelta(days=10))
        .first()
    )
    visit.assignee = officer
    visit.save(update_fields=["assignee"])
    record = record_save(
        visit=visit,
        user=officer,
        actor=actor_for(officer),
        data=RecordInput(
            revision=0,
            channel="phone",
            answers={"revenue_trend": "down"},
            notes="订单减少三成，经营收入明显下降，借款人希望调整还款计划",
        ),
    )
    submission = visit_submit(
        visit=visit, user=officer, actor=actor_for(officer), revision=record.revision
    )
    review_decide(
        submission=submission, reviewer=reviewer, actor=actor_for(reviewer), decision="approved"
    )

    # then a warning; the risk manager reviews it and answers with "consider restructuring"
    warning = Warning.objects.get(loan=loan, status__in=OPEN_WARNING)
    assert warning.signals.filter(code="business_decline").exists()
    warning_acknowledge(
        warning=warning,
        owner=risk_manager,
        deadline=today + timedelta(days=14),
        user=risk_manager,
        actor=actor_for(risk_manager),
    )
    warning_respond(
        warning=warning,
        kind=ResponseKind.MORE_COLLATERAL,
        note="与借款人协商调整还款计划",
        user=risk_manager,
        actor=actor_for(risk_manager),
    )
    # and the loan is classified 关注 (an officer proposes, a risk manager approves)
    classification_propose(
        loan=loan,
        category="special_mention",
        reason="经营收入下降，还款能力减弱",
        user=officer,
        actor=actor_for(officer),
    )
    classification_approve(loan=loan, user=risk_manager, actor=actor_for(risk_manager))
    assert confirmed_categories([loan.pk])[loan.pk] == "special_mention"

    # when the officer proposes 12 months interest-only and 12 more months, effective today
    old_rows = list(
        Installment.objects.filter(version__loan=loan, version__number=1).values_list(
            "period", "due_date", "principal", "interest", "balance"
        )
    )
    expected_outstanding, _overdue = outstanding_at(
        installments_in_force(loan), loan_payments(loan), today
    )
    proposal = proposal_create(
        loan=loan,
        terms=Terms(today, extend_months=12, interest_only_months=12),
        reason="经营收入下降，借款人申请前12个月只还利息并展期12个月",
        financial_difficulty=True,
        warning_id=warning.pk,
        user=officer,
        actor=actor_for(officer),
    )
    # and another risk manager approves it
    proposal_decide(
        proposal=proposal,
        decision="approve",
        comment="同意",
        user=approver,
        actor=actor_for(approver),
    )

    # then a new schedule version from the effective date; the old one is unchanged
    loan.refresh_from_db()
    proposal.refresh_from_db()
    assert loan.schedule_version == 2
    new = ScheduleVersion.objects.get(loan=loan, number=2)
    assert new.reason == "restructuring" and new.effective_date == today
    rows = list(new.installments.order_by("period"))
    assert sum(r.principal for r in rows) == expected_outstanding == new.principal
    assert all(r.principal == 0 for r in rows[:12]) and rows[12].principal > 0
    assert rows[0].due_date == add_months(today, 1) and rows[-1].due_date == add_months(
        today, len(rows)
    )
    assert rows[-1].balance == 0 and len(rows) > 48 + 12 - 2
    assert loan.maturity_date == rows[-1].due_date > maturity
    assert loan.outstanding_principal == expected_outstanding
    assert (
        list(
            Installment.objects.filter(version__loan=loan, version__number=1).values_list(
                "period", "due_date", "principal", "interest", "balance"
            )
        )
        == old_rows
    )
    # linked to the warning that caused it, whose restructuring response is done
    assert proposal.warning_id == warning.pk and proposal.version_id == new.pk
    assert warning.events.filter(action="restructured").exists()
    assert warning.responses.get(kind=ResponseKind.MORE_COLLATERAL).status == "done"
    client.force_login(risk_manager)
    warning_page = client.get(f"/risk/warnings/{warning.pk}/").content.decode()
    assert f'href="/restructuring/{proposal.pk}/"' in warning_page and "已批准" in warning_page
    # more frequent visits: the loan is high risk now, a borrower visit in every month
    # of the coming year, and visits run on to the new maturity
    assert loan.risk_level == "high"
    coming = _periodic_months(loan, today + timedelta(days=20), today + timedelta(days=385))
    assert len(coming) >= 11
    assert (
        Visit.objects.filter(loan=loan, due_date__gt=maturity).exclude(status="cancelled").exists()
    )
    # the observation period starts on the new version's first due date
    assert proposal.observation_start == rows[0].due_date

    # and the classification is not upgraded during it, though DPD is 0 and nothing else holds
    def suggested(as_of):
        run = classify(as_of=as_of, actor=COMMAND, trigger="command")
        return Suggestion.objects.get(run=run, loan=loan)

    assert suggested(today).category == "special_mention"
    assert any(r.startswith("restructured:observation") for r in suggested(today).reasons)
    # six months on, every payment on its due date: still in observation
    record_repayments(
        [(loan, r.due_date, r.payment) for r in rows[:6]], actor=COMMAND, by=None, source="manual"
    )
    half_year = rows[5].due_date + timedelta(days=1)
    assert loan.pk in loans_in_observation([loan.pk], half_year)
    assert suggested(half_year).category == "special_mention"
    # a year of payments on time from the first due date: the observation period is over
    record_repayments(
        [(loan, r.due_date, r.payment) for r in rows[6:13]], actor=COMMAND, by=None, source="manual"
    )
    after = rows[12].due_date + timedelta(days=1)
    assert loan.pk not in loans_in_observation([loan.pk], after)
    _proposal, observation = observation_of(loan, after)
    assert observation.end == rows[12].due_date and observation.kept == 13
    assert suggested(after).category == "normal"
    assert Decimal(0) == loan_dpd(loan, after)
