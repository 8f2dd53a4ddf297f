"""Proposals and approval on the database: the schedule in force, the rules, the refusals."""

import csv
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Role
from huifang.audit.models import AuditEvent
from huifang.audit.services import actor_for
from huifang.portfolio.models import Installment, Loan, ScheduleVersion
from huifang.portfolio.restructuring import outstanding_at
from huifang.portfolio.selectors import installments_in_force, loan_dpd, loan_payments
from huifang.portfolio.services.imports import import_file
from huifang.portfolio.services.repayments import record_repayments
from huifang.restructuring.models import Proposal, ProposalStep
from huifang.restructuring.services import (
    proposal_create,
    proposal_decide,
    proposal_resubmit,
    proposal_withdraw,
)
from huifang.restructuring.simulate import Terms

from .conftest import COMMAND, SEED_CSV

E = date(2026, 2, 1)
TWELVE_AND_TWELVE = Terms(E, extend_months=12, interest_only_months=12)


def _propose(loan, user, terms=TWELVE_AND_TWELVE, **extra):
    return proposal_create(
        loan=loan,
        terms=terms,
        reason=extra.pop("reason", "经营困难"),
        financial_difficulty=extra.pop("financial_difficulty", True),
        user=user,
        actor=actor_for(user),
        **extra,
    )


def _approve(proposal, user):
    return proposal_decide(
        proposal=proposal,
        decision="approve",
        comment="同意",
        user=user,
        actor=actor_for(user),
        today=E,
    )


def _rows(loan, number):
    return list(
        Installment.objects.filter(version__loan=loan, version__number=number)
        .order_by("period")
        .values_list("period", "due_date", "principal", "interest", "carried_interest", "balance")
    )


@pytest.fixture
def people(two_branches):
    return two_branches[Role.OFFICER], two_branches[Role.RISK_MANAGER]


def test_approval_adds_a_version_from_the_effective_date_and_keeps_history(seed_loan, people):
    officer, rm = people
    dpd_before = loan_dpd(seed_loan, date(2026, 1, 20))
    assert dpd_before == (date(2026, 1, 20) - date(2025, 12, 10)).days
    old = _rows(seed_loan, 1)
    outstanding, overdue = outstanding_at(
        installments_in_force(seed_loan), loan_payments(seed_loan), E
    )
    assert overdue > 0  # periods 11 and 12 are unpaid

    proposal = _approve(_propose(seed_loan, officer), rm)

    seed_loan.refresh_from_db()
    new = _rows(seed_loan, 2)
    assert _rows(seed_loan, 1) == old
    assert sum(r[2] for r in new) == outstanding == seed_loan.outstanding_principal
    # the overdue interest is carried, unchanged and interest-free, to the first due date
    assert new[0][4] == overdue and all(r[4] == 0 for r in new[1:])
    assert new[0][3] == (outstanding * Decimal("0.005")).quantize(Decimal("0.01"))
    # history before the change stands; from it on, the new version governs
    assert loan_dpd(seed_loan, date(2026, 1, 20)) == dpd_before
    assert loan_dpd(seed_loan, date(2026, 2, 5)) == 0
    assert loan_dpd(seed_loan, date(2026, 3, 5)) == 4  # new period 1 due 2026-03-01, unpaid
    assert seed_loan.first_unpaid_due == date(2026, 3, 1)
    assert proposal.status == "approved" and proposal.observation_start == date(2026, 3, 1)
    assert [s.kind for s in proposal.steps.all()] == ["proposed", "approved"]
    assert AuditEvent.objects.filter(
        object_type="restructuring.proposal", action="approve"
    ).exists()
    assert AuditEvent.objects.filter(object_type="portfolio.loan", action="restructure").exists()

    # paying the new version exactly as due repays the loan in full
    record_repayments(
        [(seed_loan, d, p + i + c) for _, d, p, i, c, _b in new],
        actor=COMMAND,
        by=None,
        source="manual",
    )
    seed_loan.refresh_from_db()
    assert seed_loan.status == "closed" and seed_loan.outstanding_principal == 0
    assert seed_loan.credit_balance == 0


def test_capitalised_overdue_interest_and_a_prepayment_are_not_counted_twice(seed_loan, people):
    officer, rm = people
    # a payment made before E that covers period 11 and part of period 12 ... and beyond
    record_repayments(
        [(seed_loan, date(2026, 1, 25), Decimal("15000"))], actor=COMMAND, by=None, source="manual"
    )
    outstanding, overdue = outstanding_at(
        installments_in_force(seed_loan), loan_payments(seed_loan), E
    )
    _approve(
        _propose(seed_loan, officer, Terms(E, extend_months=6, capitalise_overdue_interest=True)),
        rm,
    )
    seed_loan.refresh_from_db()
    new = _rows(seed_loan, 2)
    assert sum(r[2] for r in new) == outstanding + overdue == seed_loan.outstanding_principal
    record_repayments(
        [(seed_loan, d, p + i + c) for _, d, p, i, c, _b in new],
        actor=COMMAND,
        by=None,
        source="manual",
    )
    seed_loan.refresh_from_db()
    assert seed_loan.status == "closed" and seed_loan.credit_balance == 0


def test_a_second_restructuring_builds_on_the_first(seed_loan, people):
    officer, rm = people
    _approve(_propose(seed_loan, officer, Terms(E, interest_only_months=3)), rm)
    seed_loan.refresh_from_db()
    first = _rows(seed_loan, 2)
    record_repayments(
        [(seed_loan, d, p + i + c) for _, d, p, i, c, _b in first[:3]],
        actor=COMMAND,
        by=None,
        source="manual",
    )
    later = first[3][1] + timedelta(days=1)
    outstanding, _ = outstanding_at(
        installments_in_force(seed_loan), loan_payments(seed_loan), later
    )
    assert outstanding == first[2][5]  # nothing of the principal repaid in the interest-only months
    proposal = proposal_decide(
        proposal=_propose(seed_loan, officer, Terms(later, extend_months=24)),
        decision="approve",
        comment="",
        user=rm,
        actor=actor_for(rm),
        today=later,
    )
    seed_loan.refresh_from_db()
    assert seed_loan.schedule_version == 3 and proposal.version.number == 3
    assert sum(r[2] for r in _rows(seed_loan, 3)) == outstanding == seed_loan.outstanding_principal
    assert _rows(seed_loan, 2) == first


@pytest.mark.parametrize(
    ("terms", "field", "words"),
    [
        (Terms(date(2025, 11, 1)), "effective_date", "最后一次还款"),
        (Terms(date(2025, 11, 10)), "effective_date", "最后一次还款"),
        (Terms(E, new_rate=Decimal("-0.01")), "new_rate", "年利率"),
        (Terms(E, extend_months=400), "extend_months", "360"),
        (Terms(E, interest_only_months=70), "interest_only_months", "只还息"),
        (Terms(E, target_instalment=Decimal("10")), "target_instalment", "目标月供"),
    ],
)
def test_bad_terms_are_refused_with_the_field_and_change_nothing(
    seed_loan, people, terms, field, words
):
    officer, _rm = people
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        _propose(seed_loan, officer, terms)
    assert words in " ".join(caught.value.message_dict[field])
    assert not Proposal.objects.exists() and AuditEvent.objects.count() == events


def test_a_closed_loan_and_a_second_open_proposal_are_refused(seed_loan, people):
    officer, rm = people
    _propose(seed_loan, officer)
    with pytest.raises(ValidationError, match="未结"):
        _propose(seed_loan, rm)
    assert Proposal.objects.count() == 1
    Loan.objects.filter(pk=seed_loan.pk).update(status="closed")
    Proposal.objects.update(status="withdrawn")
    seed_loan.refresh_from_db()
    with pytest.raises(ValidationError, match="已结清"):
        _propose(seed_loan, officer)
    with pytest.raises(ValidationError, match="原因"):
        _propose(Loan.objects.get(loan_no="A-0001"), officer, Terms(date(2025, 6, 1)), reason="  ")


def test_proposer_is_never_the_approver_and_return_resubmit_reject(seed_loan, people, two_branches):
    officer, rm = people
    own = _propose(seed_loan, rm)
    with pytest.raises(PermissionDenied):
        _approve(own, rm)
    with pytest.raises(PermissionDenied):
        _approve(own, officer)  # officers do not approve at all
    proposal_decide(
        proposal=own, decision="return", comment="请补充经营数据", user=_other_rm(), actor=COMMAND
    )
    with pytest.raises(ValidationError, match="理由"):
        proposal_decide(
            proposal=own, decision="reject", comment="", user=_other_rm(), actor=COMMAND
        )
    own.refresh_from_db()
    resubmitted = proposal_resubmit(
        proposal=own,
        terms=Terms(E, extend_months=24),
        reason="补充：近三个月收入下降40%",
        financial_difficulty=True,
        user=rm,
        actor=actor_for(rm),
        revision=own.revision,
    )
    assert resubmitted.status == "proposed" and resubmitted.extend_months == 24
    # a decision on a stale copy is refused
    with pytest.raises(ValidationError, match="刷新"):
        proposal_decide(
            proposal=own,
            decision="reject",
            comment="x",
            user=_other_rm(),
            actor=COMMAND,
            revision=1,
        )
    rejected = proposal_decide(
        proposal=own, decision="reject", comment="风险过高", user=_other_rm(), actor=COMMAND
    )
    assert rejected.status == "rejected" and rejected.version is None
    assert seed_loan.schedule_versions.count() == 1
    assert list(ProposalStep.objects.filter(proposal=own).values_list("kind", flat=True)) == [
        "proposed",
        "returned",
        "resubmitted",
        "rejected",
    ]
    # a new proposal may follow a closed one; withdrawing ends it
    again = _propose(seed_loan, officer)
    assert (
        proposal_withdraw(
            proposal=again, comment="客户已筹到资金", user=officer, actor=actor_for(officer)
        ).status
        == "withdrawn"
    )


def _other_rm():
    from huifang.accounts.models import User

    user, _ = User.objects.get_or_create(
        username="risk_manager_x", defaults={"role": Role.RISK_MANAGER}
    )
    return user


def test_reimporting_the_contract_does_not_undo_a_restructuring(seed_loan, people):
    officer, rm = people
    _approve(_propose(seed_loan, officer), rm)
    seed_loan.refresh_from_db()
    maturity = seed_loan.maturity_date
    report = import_file(
        kind="loans", data=SEED_CSV.encode(), filename="again.csv", user=SYSTEM, actor=COMMAND
    )
    assert report.applied
    seed_loan.refresh_from_db()
    assert seed_loan.schedule_version == 2 and seed_loan.maturity_date == maturity


def test_export_schedule_writes_the_current_version_and_any_earlier_one(
    seed_loan, people, tmp_path
):
    officer, rm = people
    _approve(_propose(seed_loan, officer), rm)
    current, first = tmp_path / "current.csv", tmp_path / "v1.csv"
    call_command("export_schedule", "--out", str(current), "--loan", "R-0001")
    call_command(
        "export_schedule", "--out", str(first), "--loan", "R-0001", "--schedule-version", "1"
    )
    now = list(csv.DictReader(current.open(encoding="utf-8")))
    before = list(csv.DictReader(first.open(encoding="utf-8")))
    assert len(before) == 60 and len(now) == 59
    assert now[0]["due_date"] == "2026-03-01"
    # the carried overdue interest is interest due on the first date; payment adds up
    carried = Installment.objects.get(version__loan=seed_loan, version__number=2, period=1)
    assert Decimal(now[0]["interest"]) == carried.interest + carried.carried_interest
    assert all(
        Decimal(r["payment"]) == Decimal(r["principal"]) + Decimal(r["interest"]) for r in now
    )
    assert (
        sum(Decimal(r["principal"]) for r in now)
        == seed_loan.schedule_versions.get(number=2).principal
    )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    extend=st.integers(0, 36),
    months=st.integers(0, 24),
    rate=st.one_of(st.none(), st.integers(0, 2000).map(lambda n: Decimal(n) / 10000)),
    method=st.sampled_from(
        [None, "equal_installment", "equal_principal", "interest_first", "bullet"]
    ),
    capitalise=st.booleans(),
)
def test_property_the_stored_version_repays_exactly_the_outstanding(
    seed_loan, people, extend, months, rate, method, capitalise
):
    officer, rm = people
    old = _rows(seed_loan, 1)
    outstanding, overdue = outstanding_at(
        installments_in_force(seed_loan), loan_payments(seed_loan), E
    )
    terms = Terms(E, extend, months, rate, method, capitalise)
    with transaction.atomic():
        try:
            _approve(_propose(seed_loan, officer, terms), rm)
        except ValidationError:
            transaction.set_rollback(True)
            return
        new = _rows(seed_loan, 2)
        assert sum(r[2] for r in new) == outstanding + (overdue if capitalise else 0)
        assert all(r[5] >= 0 for r in new) and new[-1][5] == 0
        assert _rows(seed_loan, 1) == old
        assert ScheduleVersion.objects.filter(loan=seed_loan).count() == 2
        transaction.set_rollback(True)


def test_after_an_interest_only_restructuring_the_simulator_names_the_regular_instalment(
    seed_loan, people
):
    from huifang.restructuring.simulate import basis_for, current_outcome

    officer, rm = people
    _approve(_propose(seed_loan, officer), rm)
    seed_loan.refresh_from_db()
    rows = _rows(seed_loan, 2)
    current = current_outcome(basis_for(seed_loan), date(2026, 2, 2))
    # the first payment repaying principal (period 13), not the interest-only one
    assert current.instalment == rows[12][2] + rows[12][3]
    assert current.interest_only_payment == rows[0][3] + rows[0][4]
    assert current.term == len(rows)


def test_approvers_are_told_of_a_proposal_and_the_proposer_of_the_decision(
    seed_loan, people, django_capture_on_commit_callbacks
):
    from huifang.notifications.models import Notification

    officer, rm = people
    with django_capture_on_commit_callbacks(execute=True):
        proposal = _propose(seed_loan, officer)
    told = Notification.objects.get(user=rm)
    assert "R-0001" in told.title and told.link == f"/restructuring/{proposal.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        proposal_decide(
            proposal=proposal, decision="return", comment="请补充流水", user=rm, actor=actor_for(rm)
        )
    back = Notification.objects.get(user=officer)
    assert "退回修改" in back.title and back.body == "请补充流水"


def test_an_import_cannot_change_a_restructured_contract(seed_loan, people):
    officer, rm = people
    _approve(_propose(seed_loan, officer), rm)
    changed = SEED_CSV.replace(",500000,0.06,", ",480000,0.06,")
    report = import_file(
        kind="loans", data=changed.encode(), filename="changed.csv", user=SYSTEM, actor=COMMAND
    )
    assert not report.applied
    [error] = report.errors
    assert error.row == 2 and "重组" in error.message and "R-0001" in error.message
    seed_loan.refresh_from_db()
    assert seed_loan.schedule_version == 2 and seed_loan.principal == Decimal("500000")


def test_no_repayment_dated_before_the_restructuring_can_be_added(seed_loan, people, client):
    from huifang.accounts.models import User

    officer, rm = people
    _approve(_propose(seed_loan, officer), rm)
    repayments = (
        "借款合同编号,还款日期,还款金额\nR-0001,2026-01-20,9666.40\nR-0001,2026-03-01,100.00\n"
    )
    report = import_file(
        kind="repayments", data=repayments.encode(), filename="r.csv", user=SYSTEM, actor=COMMAND
    )
    assert not report.applied
    [error] = report.errors
    assert error.row == 2 and "2026-02-01" in error.message and "补录" in error.message
    # the same on the loan page's form and through the API
    client.force_login(User.objects.get(pk=officer.pk))
    response = client.post(
        "/loans/R-0001/repayments/new/", {"paid_date": "2026-01-20", "amount": "100", "note": ""}
    )
    assert "不能再补录更早的还款" in response.content.decode()
    from huifang.accounts.services import token_create

    _, raw = token_create(user=officer, name="t", actor=actor_for(officer))
    api = client.post(
        "/api/v1/loans/R-0001/repayments",
        {"paid_date": "2026-01-20", "amount": "100"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert api.status_code == 422 and "补录" in api.json()["detail"]
    assert seed_loan.repayments.count() == 10
