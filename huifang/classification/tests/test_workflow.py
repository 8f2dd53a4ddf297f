"""Suggestions from the floors, and the propose → review → approve workflow, through the services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huifang.accounts.models import Role, User
from huifang.audit.models import AuditEvent
from huifang.audit.services import Actor, actor_for
from huifang.classification.models import LoanCategory, Step, Suggestion
from huifang.classification.selectors import (
    confirmed_categories,
    latest_categories,
    migration_matrix,
    pending_for,
)
from huifang.classification.services import (
    classification_approve,
    classification_change,
    classification_propose,
    classification_review,
    classify,
)
from huifang.portfolio.models import Loan

SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")
AS_OF = date(2025, 6, 1)  # A-0001's installments from 2025-02-15 on are unpaid: DPD 106


def _classify(as_of=AS_OF):
    return classify(as_of=as_of, actor=SYSTEM_ACTOR, trigger="command")


def _loan(no="A-0001"):
    return Loan.objects.get(loan_no=no)


def _second_risk_manager(two_branches):
    return User.objects.create_user(
        username="risk_manager_a2", password="x-Pass-2026", role=Role.RISK_MANAGER
    )


def test_the_system_proposes_the_suggestion_of_a_loan_never_confirmed(two_branches):
    # when the portfolio is classified
    run = _classify()

    # then every loan has a suggestion with its DPD reason, and a system proposal (初分)
    suggestion = Suggestion.objects.get(run=run, loan=_loan())
    assert (suggestion.dpd, suggestion.category) == (106, "substandard")
    assert suggestion.reasons == ["dpd:106"]
    proposal = LoanCategory.objects.get(loan=_loan())
    assert (proposal.step, proposal.category, proposal.by) == (Step.PROPOSED, "substandard", None)
    assert proposal.effective_date == AS_OF
    assert run.proposed == 2


def test_a_risk_manager_approves_and_the_category_is_confirmed(two_branches):
    # given the system's proposal
    _classify()
    manager = two_branches[Role.RISK_MANAGER]

    # when a risk manager approves it
    row = classification_approve(loan=_loan(), user=manager, actor=actor_for(manager))

    # then the loan is confirmed substandard, every step kept, the approval audited
    assert confirmed_categories([_loan().pk]) == {_loan().pk: "substandard"}
    steps = list(LoanCategory.objects.filter(loan=_loan()).values_list("step", "category"))
    assert steps == [("proposed", "substandard"), ("approved", "substandard")]
    assert AuditEvent.objects.filter(action="classification_approve", object_id=str(row.pk))
    # and nothing waits for approval on that loan any more
    assert _loan().pk not in {p.loan_id for p in pending_for(manager)}


def test_an_unchanged_suggestion_is_not_proposed_again(two_branches):
    _classify()
    manager = two_branches[Role.RISK_MANAGER]
    classification_approve(loan=_loan(), user=manager, actor=actor_for(manager))

    run = _classify(date(2025, 6, 2))

    assert LoanCategory.objects.filter(loan=_loan()).count() == 2
    assert run.changed == 0


def test_review_then_approval_keeps_both_steps(two_branches):
    _classify()
    manager = two_branches[Role.RISK_MANAGER]
    other = _second_risk_manager(two_branches)
    classification_review(loan=_loan(), user=manager, actor=actor_for(manager), reason="同意")
    classification_approve(loan=_loan(), user=other, actor=actor_for(other))
    steps = list(LoanCategory.objects.filter(loan=_loan()).values_list("step", flat=True))
    assert steps == ["proposed", "reviewed", "approved"]


def test_a_change_needs_a_written_reason_and_is_kept(two_branches):
    _classify()
    manager = two_branches[Role.RISK_MANAGER]

    # when the risk manager changes the category without a reason
    with pytest.raises(ValidationError) as failure:
        classification_change(
            loan=_loan(), category="doubtful", reason="  ", user=manager, actor=actor_for(manager)
        )
    # then it is refused, naming the reason, and nothing is written
    assert "reason" in failure.value.message_dict
    assert LoanCategory.objects.filter(loan=_loan()).count() == 1

    # when given a reason
    classification_change(
        loan=_loan(),
        category="doubtful",
        reason="借款人已失联，抵押物价值不足",
        user=manager,
        actor=actor_for(manager),
    )
    assert confirmed_categories([_loan().pk]) == {_loan().pk: "doubtful"}
    assert AuditEvent.objects.filter(action="classification_change").exists()


def test_an_officers_proposal_differing_from_the_suggestion_needs_a_reason(two_branches):
    _classify()
    officer = two_branches[Role.OFFICER]
    with pytest.raises(ValidationError) as failure:
        classification_propose(
            loan=_loan(), category="normal", user=officer, actor=actor_for(officer)
        )
    assert "reason" in failure.value.message_dict
    row = classification_propose(
        loan=_loan(),
        category="special_mention",
        reason="借款人已承诺本月补足欠款",
        user=officer,
        actor=actor_for(officer),
    )
    assert row.by == officer and row.step == Step.PROPOSED


def test_four_eyes_a_risk_manager_never_approves_their_own_proposal(two_branches):
    # given a risk manager's own proposal
    _classify()
    manager = two_branches[Role.RISK_MANAGER]
    classification_propose(
        loan=_loan(),
        category="doubtful",
        reason="担保人已无代偿能力",
        user=manager,
        actor=actor_for(manager),
    )

    # then they may neither approve nor change it
    with pytest.raises(PermissionDenied):
        classification_approve(loan=_loan(), user=manager, actor=actor_for(manager))
    with pytest.raises(PermissionDenied):
        classification_change(
            loan=_loan(), category="loss", reason="x", user=manager, actor=actor_for(manager)
        )
    assert not confirmed_categories([_loan().pk])

    # and another risk manager may
    other = _second_risk_manager(two_branches)
    classification_approve(loan=_loan(), user=other, actor=actor_for(other))
    assert confirmed_categories([_loan().pk]) == {_loan().pk: "doubtful"}


def test_a_persons_pending_proposal_is_not_replaced_by_the_system(two_branches):
    _classify()
    officer = two_branches[Role.OFFICER]
    classification_propose(
        loan=_loan(),
        category="doubtful",
        reason="经营已停止",
        user=officer,
        actor=actor_for(officer),
    )
    _classify(date(2025, 9, 1))
    latest = LoanCategory.objects.filter(loan=_loan()).order_by("-pk").first()
    assert (latest.by, latest.category) == (officer, "doubtful")


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN, Role.AUDITOR, Role.OFFICER])
def test_only_risk_managers_approve(two_branches, role):
    _classify()
    user = two_branches[role]
    with pytest.raises(PermissionDenied):
        classification_approve(loan=_loan(), user=user, actor=actor_for(user))
    assert not confirmed_categories([_loan().pk])


def test_approving_with_nothing_pending_is_a_clear_error(two_branches):
    manager = two_branches[Role.RISK_MANAGER]
    with pytest.raises(ValidationError, match="没有待审批的分类"):
        classification_approve(loan=_loan(), user=manager, actor=actor_for(manager))


def test_fund_misuse_confirmed_by_an_approved_visit_is_at_least_special_mention(work):
    from huifang.followups.services.recording import RecordInput, record_save
    from huifang.reviews.services import review_decide, visit_submit

    # given a visit whose reviewed answer says the funds were not used as the contract says
    officer, visit, reviewer = work["officer"], work["visit"], work["reviewer"]
    rec = record_save(
        visit=visit,
        user=officer,
        actor=actor_for(officer),
        data=RecordInput(revision=0, answers={"funds_ok": "no", "actual_use": "炒股"}),
    )
    submission = visit_submit(
        visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision
    )
    # (classified before the review: the answer is not confirmed yet)
    as_of = date(2025, 1, 31)  # A-0001's first installment is not due yet: DPD 0
    before = _classify(as_of)
    assert Suggestion.objects.get(run=before, loan=_loan()).category == "normal"
    review_decide(
        submission=submission, reviewer=reviewer, actor=actor_for(reviewer), decision="approved"
    )

    # when classified after the approval
    from django.utils import timezone

    run = _classify(timezone.localdate())

    # then the suggestion is at least special_mention, naming the visit
    suggestion = Suggestion.objects.get(run=run, loan=_loan())
    assert suggestion.category in ("special_mention", "substandard", "doubtful", "loss")
    assert f"fund_misuse:visit {visit.pk}" in suggestion.reasons


def test_latest_categories_prefer_the_confirmed_one(two_branches):
    _classify()
    manager = two_branches[Role.RISK_MANAGER]
    classification_change(
        loan=_loan(),
        category="doubtful",
        reason="见调查报告",
        user=manager,
        actor=actor_for(manager),
    )
    a, b = _loan().pk, _loan("B-0001").pk
    assert latest_categories([a, b]) == {
        a: "doubtful",
        b: Suggestion.objects.get(loan_id=b).category,
    }


def test_migration_matrix_counts_loans_between_two_dates(two_branches):
    # given runs on two dates: on 2025-03-01 A-0001 is 14 days late and B-0001 current,
    # on 2025-06-01 they are 106 and 73 days late
    _classify(date(2025, 3, 1))
    _classify(date(2025, 6, 1))
    manager = two_branches[Role.RISK_MANAGER]

    # when the migration between the two dates is asked for
    matrix = migration_matrix(user=manager, date_from=date(2025, 3, 1), date_to=date(2025, 6, 30))

    # then each loan is counted once, from its March to its June category
    assert matrix["special_mention"]["substandard"] == 1
    assert matrix["normal"]["special_mention"] == 1
    assert sum(sum(row.values()) for row in matrix.values()) == 2
    assert set(matrix) == {"normal", "special_mention", "substandard", "doubtful", "loss"}

    # and a confirmed category counts from its effective date
    classification_change(
        loan=_loan("B-0001"),
        category="doubtful",
        reason="见调查报告",
        user=manager,
        actor=actor_for(manager),
    )
    matrix = migration_matrix(user=manager, date_from=date(2025, 3, 1), date_to=date(2025, 6, 30))
    assert matrix["normal"]["doubtful"] == 1

    # and an officer of branch A sees only A's loan
    officer = two_branches[Role.OFFICER]
    scoped = migration_matrix(user=officer, date_from=date(2025, 3, 1), date_to=date(2025, 6, 30))
    assert sum(sum(row.values()) for row in scoped.values()) == 1
