"""Planning visits for the portfolio over time (followup-policy.md, "Planning over time").

The service `plan_followups` and the commands `plan_followups` / `export_visits` as an
operator runs them, on a real database: loans come in through the import, change through
the services a user calls (loan_update, a re-import, the calendar, repayments), and each
test checks the visits a user would then see.

Dates that the tests do not spell out are those of the pure planner (`plan_loan`, checked
date by date in test_planning.py) over the same calendar.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.models import AuditEvent
from huifang.audit.services import Actor
from huifang.followups.calendar import WorkingCalendar
from huifang.followups.models import PlanningRun, Visit, VisitStatus
from huifang.followups.planning import plan_loan
from huifang.followups.services.calendar import calendar_entry_set
from huifang.followups.services.planning import plan_followups
from huifang.portfolio.models import Installment, Loan, LoanParty, LoanStatus
from huifang.portfolio.services.imports import import_file
from huifang.portfolio.services.loans import loan_update
from huifang.portfolio.services.repayments import record_repayments

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")
SHANGHAI = ZoneInfo("Asia/Shanghai")
# "Today" for every test, unless a test moves it; the clock keeps ticking so that a change
# made after a planning run is later than that run.
TODAY = datetime(2025, 6, 2, 9, 30, tzinfo=SHANGHAI)

HEADER = (
    "loan_no,borrower_name,borrower_type,borrower_id_no,borrower_phone,product,principal,"
    "annual_rate,term_months,disbursement_date,maturity_date,repayment_method,purpose,"
    "risk_level,branch,officer,guarantor_name,guarantor_id_no,guarantor_phone"
)
GUARANTOR = {
    "guarantor_name": "李娜",
    "guarantor_id_no": "110105198805061230",
    "guarantor_phone": "13912345678",
}


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=True)


# --- given: loans, through the import ------------------------------------------------------


def loan_row(loan_no: str, disbursement: str, term: int, **fields: str) -> str:
    values = {
        "loan_no": loan_no,
        "borrower_name": "张伟",
        "borrower_type": "individual",
        "borrower_id_no": "110105199003074472",
        "borrower_phone": "13812345678",
        "product": "个人消费贷",
        "principal": "120000",
        "annual_rate": "0.0435",
        "term_months": str(term),
        "disbursement_date": disbursement,
        "maturity_date": "",
        "repayment_method": "equal_installment",
        "purpose": "家庭装修",
        "risk_level": "medium",
        "branch": "甲分行",
        "officer": "",
        "guarantor_name": "",
        "guarantor_id_no": "",
        "guarantor_phone": "",
    }
    unknown = set(fields) - set(values)
    assert not unknown, unknown
    values.update(fields)
    return ",".join(values[name] for name in HEADER.split(","))


def import_loans(*rows: str) -> None:
    data = "\n".join([HEADER, *rows]).encode() + b"\n"
    import_csv(data, "loans.csv")


def import_csv(data: bytes, filename: str) -> None:
    report = import_file(
        kind="loans", data=data, filename=filename, user=SYSTEM, actor=SYSTEM_ACTOR
    )
    assert report.applied, [str(e) for e in report.errors]


def plan(as_of: date, *, full: bool = False) -> PlanningRun:
    return plan_followups(as_of=as_of, actor=SYSTEM_ACTOR, full=full)


def loan(loan_no: str) -> Loan:
    return Loan.objects.get(loan_no=loan_no)


def visits_of(loan_no: str):
    return Visit.objects.filter(loan__loan_no=loan_no).order_by("due_date", "pk")


def snapshot(qs=None) -> dict[int, tuple]:
    """Every visit as a user could see it, by id."""
    qs = Visit.objects.all() if qs is None else qs
    return {
        v["pk"]: tuple(v.values())
        for v in qs.values(
            "pk",
            "loan_id",
            "branch_id",
            "subject_role",
            "party_id",
            "kind",
            "due_date",
            "channel",
            "status",
            "assignee_id",
            "planned_by_policy",
            "created_at",
            "updated_at",
        )
    }


def expected_plan(loan_no: str, as_of: date) -> list[tuple]:
    """(subject_role, party_id, kind, due_date, channel) of a loan's visits per the pure planner."""
    obj = Loan.objects.select_related("borrower").get(loan_no=loan_no)
    guarantors = LoanParty.objects.filter(loan=obj, role="guarantor").order_by("pk")
    planned = plan_loan(
        disbursement_date=obj.disbursement_date,
        maturity_date=obj.maturity_date,
        term_months=obj.term_months,
        risk_level=obj.risk_level,
        borrower_type=obj.borrower.kind,
        guarantor_ids=[g.pk for g in guarantors],
        calendar=WorkingCalendar(),
        as_of=as_of,
    )
    return sorted(tuple(v) for v in planned)


def planned_keys(qs) -> list[tuple]:
    return sorted(qs.values_list("subject_role", "party_id", "kind", "due_date", "channel"))


def set_status(visit: Visit, status: str) -> None:
    Visit.objects.filter(pk=visit.pk).update(status=status)


def plan_audit_events():
    return AuditEvent.objects.filter(action="plan").order_by("pk")


# --- the sample portfolio -----------------------------------------------------------------


@pytest.fixture
def sample(db):
    import_csv((SAMPLES / "loans_en.csv").read_bytes(), "loans_en.csv")


def export(tmp_path: Path) -> list[list[str]]:
    out = tmp_path / "visits.csv"
    call_command("export_visits", "--out", str(out), stdout=io.StringIO())
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_sample_portfolio_is_planned_exactly_as_the_spec_sample(sample, tmp_path):
    # given the forty sample loans
    # when they are planned as of 2020-01-01 and the visits exported
    call_command("plan_followups", "--as-of", "2020-01-01", stdout=io.StringIO())
    rows = export(tmp_path)

    # then columns 1-5 are the expected file, byte for byte and in the same order
    first_five = io.StringIO(newline="")
    csv.writer(first_five, lineterminator="\n").writerows(row[:5] for row in rows)
    expected = (SAMPLES / "expected_visits.csv").read_bytes()
    assert first_five.getvalue().encode("utf-8") == expected
    # and the export has the interface's header and every visit is planned, unassigned
    assert rows[0] == [
        "loan_no",
        "subject_role",
        "kind",
        "due_date",
        "channel",
        "status",
        "assignee",
    ]
    assert {row[5] for row in rows[1:]} == {"planned"}
    assert {row[6] for row in rows[1:]} == {""}


def test_planning_twice_changes_nothing(sample):
    # given the sample planned once, with officers in two branches to take the work
    for name, branch in [("o_bj1", "北京总部"), ("o_bj2", "北京总部"), ("o_sh", "上海分公司")]:
        User.objects.create_user(
            username=name, role=Role.OFFICER, branch=Branch.objects.get(name=branch)
        )
    first = plan(date(2020, 1, 1))
    before = snapshot()
    assert first.loans_planned == 40
    assert first.visits_created == len(before) == 316
    assert Visit.objects.filter(assignee__username="o_sh").exists()

    # when it is planned again
    again = plan(date(2020, 1, 1))

    # then no loan is planned again and nothing is created, removed or changed
    assert (again.loans_planned, again.visits_created, again.visits_removed) == (0, 0, 0)
    assert snapshot() == before

    # when every loan is re-planned in full
    full = plan(date(2020, 1, 1), full=True)

    # then the same visits stand: same ids, fields and assignees
    assert full.loans_planned == 40
    assert (full.visits_created, full.visits_removed) == (0, 0)
    assert snapshot() == before


def test_a_loan_planned_first_after_its_disbursement_gets_no_visit_before_as_of(db):
    # given a long-term loan disbursed in March 2024, never planned
    import_loans(loan_row("ASOF-1", "2024-03-15", 36))
    as_of = date(2025, 1, 1)

    # when it is planned as of 2025-01-01
    plan(as_of)

    # then it has the visits due on or after that day, and none before
    visits = visits_of("ASOF-1")
    assert visits.exists()
    assert min(v.due_date for v in visits) >= as_of
    assert planned_keys(visits) == expected_plan("ASOF-1", as_of)
    # the quarterly visit of 2025-03-15 (a Saturday) is on Monday 2025-03-17
    assert visits.filter(kind="periodic", due_date=date(2025, 3, 17)).exists()
    assert not visits.filter(kind__in=["first", "d90"]).exists()


def test_command_plans_as_of_today_by_default(db):
    # given a loan disbursed before today (2025-06-02)
    import_loans(loan_row("TODAY-1", "2025-01-15", 24))

    # when the command runs without --as-of
    call_command("plan_followups", stdout=io.StringIO())

    # then it plans as of today: no visit before it
    run = PlanningRun.objects.get()
    assert run.as_of == date(2025, 6, 2)
    visits = visits_of("TODAY-1")
    assert visits.exists()
    assert min(v.due_date for v in visits) >= date(2025, 6, 2)


def test_a_loan_disbursed_after_as_of_gets_all_its_visits(db):
    # given a loan disbursed after the as-of date
    import_loans(loan_row("LATER-1", "2025-09-10", 6))

    # when it is planned
    plan(date(2025, 6, 2))

    # then it gets every visit of its life, the first one included
    assert planned_keys(visits_of("LATER-1")) == expected_plan("LATER-1", date(2025, 9, 10))
    assert visits_of("LATER-1").filter(kind="first").exists()


# --- re-planning after a change -----------------------------------------------------------


@pytest.fixture
def officer(db):
    branch = Branch.objects.create(name="甲分行")
    return User.objects.create_user(username="officer_jia", role=Role.OFFICER, branch=branch)


def test_risk_level_change_replaces_only_the_future_planned_visits(officer):
    # given a 36-month medium-risk loan (quarterly visits), planned over its whole life
    import_loans(loan_row("RISK-1", "2024-01-15", 36, officer="officer_jia"))
    plan(date(2024, 1, 1))
    as_of = date(2024, 9, 2)
    visits = visits_of("RISK-1")
    # one past visit approved, one left planned; one future visit started
    approved = visits.get(kind="first")
    overdue = visits.get(kind="d90")
    started = visits.filter(kind="periodic", due_date__gte=as_of).first()
    assert approved.due_date < as_of and overdue.due_date < as_of
    set_status(approved, VisitStatus.APPROVED)
    set_status(started, VisitStatus.IN_PROGRESS)
    untouched = snapshot(Visit.objects.filter(pk__in=[approved.pk, overdue.pk, started.pk]))
    quarterly = visits.filter(kind="periodic", due_date__gte=as_of).count()

    # when the risk level goes up to high and the loan is planned again as of as_of
    loan_update(loan=loan("RISK-1"), actor=SYSTEM_ACTOR, risk_level="high")
    run = plan(as_of)

    # then the approved, the started and the overdue planned visit are untouched
    assert run.loans_planned == 1
    assert snapshot(Visit.objects.filter(pk__in=untouched)) == untouched
    # and the future planned visits are the new monthly plan, less the started one
    future = visits_of("RISK-1").filter(status=VisitStatus.PLANNED, due_date__gte=as_of)
    new_plan = expected_plan("RISK-1", as_of)
    started_key = ("borrower", None, "periodic", started.due_date, started.channel)
    assert started_key in new_plan
    new_plan.remove(started_key)
    assert planned_keys(future) == new_plan
    assert future.filter(kind="periodic").count() > quarterly + 10
    # e.g. 2024-11-15 (Friday), a month that had no quarterly visit
    assert future.filter(kind="periodic", due_date=date(2024, 11, 15)).exists()
    # and no second visit of the started visit's kind and date
    assert visits_of("RISK-1").filter(kind=started.kind, due_date=started.due_date).count() == 1
    # and the new visits go to the loan's officer
    assert set(future.values_list("assignee_id", flat=True)) == {officer.pk}


def test_risk_level_change_replanned_with_the_same_as_of_keeps_started_and_done(officer):
    # given a long-term loan planned as of A, with two of its visits started and approved
    import_loans(loan_row("RISK-2", "2024-01-15", 36, officer="officer_jia"))
    as_of = date(2024, 1, 1)
    plan(as_of)
    periodic = list(visits_of("RISK-2").filter(kind="periodic"))
    done, started = periodic[0], periodic[3]
    set_status(done, VisitStatus.APPROVED)
    set_status(started, VisitStatus.IN_PROGRESS)
    kept = snapshot(Visit.objects.filter(pk__in=[done.pk, started.pk]))

    # when the risk goes to high and the loan is planned again as of A
    loan_update(loan=loan("RISK-2"), actor=SYSTEM_ACTOR, risk_level="high")
    plan(as_of)

    # then both stand as they were, each the only visit of its kind on its date
    assert snapshot(Visit.objects.filter(pk__in=kept)) == kept
    for visit in (done, started):
        assert visits_of("RISK-2").filter(kind="periodic", due_date=visit.due_date).count() == 1
    planned = visits_of("RISK-2").filter(status=VisitStatus.PLANNED)
    new_plan = [
        k
        for k in expected_plan("RISK-2", as_of)
        if k[2:4] not in {("periodic", done.due_date), ("periodic", started.due_date)}
    ]
    assert planned_keys(planned) == new_plan


def test_maturity_change_moves_the_pre_maturity_visit(db):
    # given a 24-month loan maturing 2026-01-15, planned; pre-maturity visit on 2025-12-16
    import_loans(loan_row("MAT-1", "2024-01-15", 24))
    plan(date(2024, 1, 1))
    old = visits_of("MAT-1").get(kind="pre_maturity")
    assert old.due_date == date(2025, 12, 16)

    # when the loan is re-imported maturing 2026-04-15 and planned again
    import_loans(loan_row("MAT-1", "2024-01-15", 24, maturity_date="2026-04-15"))
    plan(date(2024, 1, 1))

    # then its one pre-maturity visit is 30 days before the new maturity (Monday 2026-03-16)
    pre = visits_of("MAT-1").filter(kind="pre_maturity")
    assert [(v.due_date, v.status) for v in pre] == [(date(2026, 3, 16), VisitStatus.PLANNED)]
    assert not Visit.objects.filter(pk=old.pk).exists()
    assert planned_keys(visits_of("MAT-1")) == expected_plan("MAT-1", date(2024, 1, 1))


def test_maturity_change_keeps_a_started_pre_maturity_visit(db):
    # given a planned loan whose pre-maturity visit is in progress
    import_loans(loan_row("MAT-2", "2024-01-15", 24))
    plan(date(2024, 1, 1))
    started = visits_of("MAT-2").get(kind="pre_maturity")
    set_status(started, VisitStatus.IN_PROGRESS)
    kept = snapshot(Visit.objects.filter(pk=started.pk))

    # when its maturity changes and it is planned again
    import_loans(loan_row("MAT-2", "2024-01-15", 24, maturity_date="2026-04-15"))
    plan(date(2024, 1, 1))

    # then the started visit stands and no second pre-maturity visit is made
    assert snapshot(Visit.objects.filter(pk=started.pk)) == kept
    assert visits_of("MAT-2").filter(kind="pre_maturity").count() == 1
    # while the rest follows the new maturity (a quarterly visit on 2026-01-15 now fits)
    assert visits_of("MAT-2").filter(kind="periodic", due_date=date(2026, 1, 15)).exists()


def test_maturity_extension_plans_a_new_pre_maturity_after_an_overdue_planned_one(db):
    # given a loan maturing 2026-01-15, planned, whose pre-maturity visit (2025-12-16) was
    # never started
    import_loans(loan_row("MAT-3", "2024-01-15", 24))
    plan(date(2024, 1, 1))
    overdue = visits_of("MAT-3").get(kind="pre_maturity")

    # when, in January 2026, the loan is extended to 2026-07-15 and planned as of then
    import_loans(loan_row("MAT-3", "2024-01-15", 24, maturity_date="2026-07-15"))
    as_of = date(2026, 1, 5)
    plan(as_of)

    # then the overdue visit is left alone, and the new maturity gets its own pre-maturity
    # visit 30 days before it (Monday 2026-06-15): nothing was started or done for it
    assert Visit.objects.get(pk=overdue.pk).status == VisitStatus.PLANNED
    assert visits_of("MAT-3").filter(kind="pre_maturity", due_date=date(2026, 6, 15)).exists()


def test_calendar_change_moves_the_visit_on_that_day_only(db):
    # given two planned loans: one with a visit on Wednesday 2025-10-15, one far from it
    import_loans(
        loan_row("CAL-1", "2024-01-15", 36),
        loan_row("CAL-2", "2024-05-20", 12),
    )
    plan(date(2024, 1, 1))
    moved = visits_of("CAL-1").get(due_date=date(2025, 10, 15))
    before = snapshot()
    far = {
        pk
        for pk, row in before.items()
        if pk != moved.pk and abs((row[6] - date(2025, 10, 15)).days) > 30
    }
    assert far and not visits_of("CAL-2").filter(due_date__gte=date(2025, 9, 1)).exists()

    # when the institution makes that day a rest day and planning runs again
    calendar_entry_set(day=date(2025, 10, 15), working=False, note="本地休息日", actor=SYSTEM_ACTOR)
    run = plan(date(2024, 1, 1))

    # then the visit is on the next working day, Thursday 2025-10-16
    assert run.loans_planned == 1
    assert not Visit.objects.filter(due_date=date(2025, 10, 15)).exists()
    replaced = visits_of("CAL-1").get(due_date=date(2025, 10, 16))
    assert (replaced.kind, replaced.status) == (moved.kind, VisitStatus.PLANNED)
    # and every visit far from that day keeps its id and fields
    after = snapshot()
    assert {pk: after.get(pk) for pk in far} == {pk: before[pk] for pk in far}
    assert len(after) == len(before)


def test_a_guarantor_added_to_a_loan_gets_visits_and_the_borrowers_stay(db):
    # given a planned 24-month loan without a guarantor
    import_loans(loan_row("GUA-1", "2025-04-14", 24))
    as_of = date(2025, 4, 1)
    plan(as_of)
    borrower_visits = snapshot(visits_of("GUA-1"))

    # when a re-import adds a guarantor and planning runs again
    import_loans(loan_row("GUA-1", "2025-04-14", 24, **GUARANTOR))
    run = plan(as_of)

    # then the guarantor has its pre-maturity and 90-day visits
    party = LoanParty.objects.get(loan__loan_no="GUA-1", role="guarantor")
    guarantor = visits_of("GUA-1").filter(subject_role="guarantor")
    assert run.loans_planned == 1
    assert sorted(guarantor.values_list("kind", "due_date", "party_id")) == [
        # 2025-04-14 + 90 days = Sunday 2025-07-13, rolled to Monday
        ("d90", date(2025, 7, 14), party.pk),
        # 2027-04-14 - 30 days = 2027-03-15, a Monday
        ("pre_maturity", date(2027, 3, 15), party.pk),
    ]
    # and the borrower's visits are the same rows as before
    assert snapshot(visits_of("GUA-1").filter(subject_role="borrower")) == borrower_visits


def test_a_guarantor_added_after_the_90_day_visit_gets_only_the_pre_maturity_visit(db):
    # given a loan planned as of its disbursement, without a guarantor
    import_loans(loan_row("GUA-2", "2025-04-14", 24))
    plan(date(2025, 4, 1))
    before = snapshot()

    # when a guarantor is added in September 2025, after the loan's 90-day mark,
    # and the loan is planned as of then
    import_loans(loan_row("GUA-2", "2025-04-14", 24, **GUARANTOR))
    plan(date(2025, 9, 1))

    # then the guarantor gets the pre-maturity visit only: its d90 date has passed
    guarantor = visits_of("GUA-2").filter(subject_role="guarantor")
    assert list(guarantor.values_list("kind", "due_date")) == [("pre_maturity", date(2027, 3, 15))]
    # and the borrower's visits, before and after the new as-of date, are the same rows
    assert snapshot(visits_of("GUA-2").filter(subject_role="borrower")) == before


def test_a_loan_that_closes_has_its_future_planned_visits_cancelled(db):
    # given a planned 12-month interest-free bullet loan, one future visit started
    import_loans(
        loan_row(
            "CLOSE-1",
            "2024-01-15",
            12,
            risk_level="high",
            annual_rate="0",
            repayment_method="bullet",
        )
    )
    plan(date(2024, 1, 1))
    count = Visit.objects.count()
    started = visits_of("CLOSE-1").filter(due_date__gte=date(2024, 8, 1)).first()
    set_status(started, VisitStatus.IN_PROGRESS)

    # when it is repaid in full on 2024-07-01
    owed = sum(
        (
            i.principal + i.interest
            for i in Installment.objects.filter(version__loan__loan_no="CLOSE-1")
        ),
        Decimal("0"),
    )
    with transaction.atomic():
        record_repayments(
            [(loan("CLOSE-1"), date(2024, 7, 1), owed)],
            actor=SYSTEM_ACTOR,
            by=None,
            source="manual",
        )
    assert loan("CLOSE-1").status == LoanStatus.CLOSED
    as_of = date(2024, 7, 2)
    run = plan(as_of)

    # then its planned visits from as_of on are cancelled, not deleted
    visits = visits_of("CLOSE-1")
    assert Visit.objects.count() == count
    future = visits.filter(due_date__gte=as_of).exclude(pk=started.pk)
    assert future.exists()
    assert set(future.values_list("status", flat=True)) == {VisitStatus.CANCELLED}
    assert run.visits_removed == future.count()
    # the started one and those before as_of stay as they were
    assert Visit.objects.get(pk=started.pk).status == VisitStatus.IN_PROGRESS
    assert set(visits.filter(due_date__lt=as_of).values_list("status", flat=True)) == {
        VisitStatus.PLANNED
    }

    # when planning runs once more, nothing changes
    again = plan(as_of)
    assert (again.loans_planned, again.visits_created, again.visits_removed) == (0, 0, 0)


# --- runs as records ----------------------------------------------------------------------


def test_each_run_is_recorded_with_its_counts_and_one_audit_event(db):
    # given two loans
    import_loans(
        loan_row("RUN-1", "2025-01-15", 12),
        loan_row("RUN-2", "2025-02-20", 36, risk_level="low"),
    )
    events_before = plan_audit_events().count()

    # when the command plans them, then plans again
    call_command("plan_followups", "--as-of", "2025-03-01", stdout=io.StringIO())
    after_first = Visit.objects.count()
    loan_update(loan=loan("RUN-2"), actor=SYSTEM_ACTOR, risk_level="high")
    out = io.StringIO()
    call_command("plan_followups", "--as-of", "2025-03-01", stdout=out)

    # then each run is a record with its as-of date, counts and end
    first, second = PlanningRun.objects.order_by("pk")
    assert first.as_of == second.as_of == date(2025, 3, 1)
    assert (first.trigger, first.full, first.started_by_id) == ("command", False, None)
    assert (first.loans_planned, first.visits_created, first.visits_removed) == (
        2,
        after_first,
        0,
    )
    assert second.loans_planned == 1
    assert second.visits_created > 0 and second.visits_removed > 0
    assert (
        Visit.objects.count()
        == first.visits_created + second.visits_created - second.visits_removed
    )
    for run in (first, second):
        assert run.finished_at is not None and run.finished_at >= run.started_at
    # and each wrote one audit event "plan", naming the run and its counts
    events = list(plan_audit_events())
    assert len(events) == events_before + 2
    for event, run in zip(events[-2:], (first, second), strict=True):
        assert (event.object_type, event.object_id) == ("followups.planningrun", str(run.pk))
        assert event.actor_name == "system" and event.via == "command"
        assert event.after["as_of"] == "2025-03-01"
        assert (event.after["loans"], event.after["created"], event.after["removed"]) == (
            run.loans_planned,
            run.visits_created,
            run.visits_removed,
        )
    assert f"planned 1 loans as of 2025-03-01: {second.visits_created} visits created" in (
        out.getvalue()
    )

    # when a run finds nothing to do, it is recorded all the same
    call_command("plan_followups", "--as-of", "2025-03-01", stdout=io.StringIO())
    third = PlanningRun.objects.order_by("pk").last()
    assert (third.loans_planned, third.visits_created, third.visits_removed) == (0, 0, 0)
    assert third.finished_at is not None
    assert plan_audit_events().last().object_id == str(third.pk)


def test_command_run_as_a_risk_manager_names_them(db):
    # given a loan and a risk manager
    import_loans(loan_row("AS-1", "2025-01-15", 12))
    manager = User.objects.create_user(username="rm", role=Role.RISK_MANAGER)

    # when the risk manager runs the planning
    call_command("plan_followups", "--as-of", "2025-03-01", "--as", "rm", stdout=io.StringIO())

    # then the run and its audit event name them
    run = PlanningRun.objects.get()
    assert run.started_by == manager
    event = plan_audit_events().last()
    assert (event.actor_id, event.actor_name) == (manager.pk, "rm")


def nothing_planned() -> bool:
    return not (
        Visit.objects.exists()
        or PlanningRun.objects.exists()
        or plan_audit_events().exists()
        or Loan.objects.filter(planned_at__isnull=False).exists()
    )


def test_command_refuses_a_date_that_does_not_exist(db):
    # given a loan never planned
    import_loans(loan_row("BAD-1", "2025-01-15", 12))

    # when the command is given month 13
    with pytest.raises(CommandError, match=r"--as-of: '2020-13-01' is not a date YYYY-MM-DD"):
        call_command("plan_followups", "--as-of", "2020-13-01", stdout=io.StringIO())

    # then nothing is planned
    assert nothing_planned()


def test_command_refuses_an_officer(db):
    # given a loan and an officer of its branch
    import_loans(loan_row("DENY-1", "2025-01-15", 12))
    User.objects.create_user(
        username="officer_x", role=Role.OFFICER, branch=Branch.objects.get(name="甲分行")
    )

    # when the officer runs the planning
    with pytest.raises(CommandError, match="permission denied"):
        call_command(
            "plan_followups", "--as-of", "2025-03-01", "--as", "officer_x", stdout=io.StringIO()
        )

    # then nothing is planned, and the refusal is in the audit trail
    assert nothing_planned()
    denied = AuditEvent.objects.get(action="access_denied")
    assert denied.actor_name == "officer_x"
    assert "followups.plan" in denied.summary


def test_calendar_change_does_not_double_a_started_visit(db):
    # given a planned high-risk loan (monthly visits) whose visit on Wednesday 2025-10-15
    # is in progress
    import_loans(loan_row("CAL-3", "2024-01-15", 36, risk_level="high"))
    plan(date(2024, 1, 1))
    started = visits_of("CAL-3").get(due_date=date(2025, 10, 15))
    set_status(started, VisitStatus.IN_PROGRESS)

    # when that day becomes a rest day and planning runs again
    calendar_entry_set(day=date(2025, 10, 15), working=False, actor=SYSTEM_ACTOR)
    plan(date(2024, 1, 1))

    # then the started visit stands, and it is still the only one of that occurrence:
    # no second visit of its kind the next day
    assert Visit.objects.get(pk=started.pk).status == VisitStatus.IN_PROGRESS
    near = visits_of("CAL-3").filter(
        kind=started.kind, due_date__range=(date(2025, 10, 1), date(2025, 10, 29))
    )
    assert list(near.values_list("pk", flat=True)) == [started.pk]


def test_a_closed_loan_that_reopens_is_planned_again(db):
    # given a loan repaid in full and planned, so its future visits are cancelled
    import_loans(loan_row("REOPEN-1", "2024-01-15", 12, annual_rate="0", repayment_method="bullet"))
    plan(date(2024, 1, 1))
    with transaction.atomic():
        record_repayments(
            [(loan("REOPEN-1"), date(2024, 7, 1), Decimal("120000"))],
            actor=SYSTEM_ACTOR,
            by=None,
            source="manual",
        )
    plan(date(2024, 7, 2))
    assert not visits_of("REOPEN-1").filter(
        status=VisitStatus.PLANNED, due_date__gte=date(2024, 7, 2)
    )

    # when a corrected import raises its principal, so that it is active again
    import_loans(
        loan_row(
            "REOPEN-1",
            "2024-01-15",
            12,
            annual_rate="0",
            repayment_method="bullet",
            principal="150000",
        )
    )
    assert loan("REOPEN-1").status == LoanStatus.ACTIVE
    plan(date(2024, 7, 2))

    # then, being active, it has its visits from as_of on again
    open_future = visits_of("REOPEN-1").filter(
        status=VisitStatus.PLANNED, due_date__gte=date(2024, 7, 2)
    )
    assert planned_keys(open_future) == expected_plan("REOPEN-1", date(2024, 7, 2))
