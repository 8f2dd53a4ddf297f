"""Reading visits (followups.selectors): who sees which visits, and an officer's due list."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor
from huifang.followups.models import Visit, VisitStatus
from huifang.followups.selectors import visits_due_for, visits_for
from huifang.followups.services.planning import plan_followups
from huifang.portfolio.models import Loan, LoanParty
from huifang.portfolio.services.imports import import_file

SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")
ON = date(2025, 6, 2)
HEADER = (
    "loan_no,borrower_name,borrower_type,borrower_id_no,product,principal,annual_rate,"
    "term_months,disbursement_date,repayment_method,purpose,branch,guarantor_name,guarantor_id_no"
)
# Valid resident ID numbers (check digits included) for borrowers and guarantors.
IDS = [
    "110105199003074472",
    "310104199308273932",
    "110105200005269607",
    "440305200210063058",
    "330106199406059004",
    "320102199011080610",
]
GUARANTOR_IDS = ["110105198805061230", "330106199712108089", "110105198901010054"]


def import_loans(*rows: tuple[str, str, str]) -> None:
    """Rows of (loan_no, branch, index of the borrower's ID); each loan has a guarantor."""
    lines = [HEADER]
    for i, (loan_no, branch, who) in enumerate(rows):
        lines.append(
            f"{loan_no},借款人{who},individual,{IDS[int(who)]},个人消费贷,100000,0.0435,24,"
            f"2024-06-17,equal_installment,家庭装修,{branch},"
            f"担保人{i},{GUARANTOR_IDS[i % len(GUARANTOR_IDS)]}"
        )
    report = import_file(
        kind="loans",
        data="\n".join(lines).encode(),
        filename="loans.csv",
        user=SYSTEM,
        actor=SYSTEM_ACTOR,
    )
    assert report.applied, [str(e) for e in report.errors]


def user(username: str, role: str, branch: Branch | None, *, active: bool = True) -> User:
    return User.objects.create_user(username=username, role=role, branch=branch, is_active=active)


@pytest.fixture
def portfolio(db):
    """Loans A-1, A-2 in branch 甲 and B-1 in branch 乙, planned; a user of every kind."""
    jia = Branch.objects.create(name="甲分行")
    yi = Branch.objects.create(name="乙分行")
    import_loans(("A-1", "甲分行", "0"), ("A-2", "甲分行", "1"), ("B-1", "乙分行", "2"))
    plan_followups(as_of=date(2024, 1, 1), actor=SYSTEM_ACTOR)
    return {
        "jia": jia,
        "yi": yi,
        "officer_a": user("officer_a", Role.OFFICER, jia),
        "officer_b": user("officer_b", Role.OFFICER, yi),
        "officer_gone": user("officer_gone", Role.OFFICER, jia, active=False),
        "officer_nowhere": user("officer_nowhere", Role.OFFICER, None),
        "reviewer_a": user("reviewer_a", Role.REVIEWER, jia),
        "reviewer_hq": user("reviewer_hq", Role.REVIEWER, None),
        "risk_manager_a": user("risk_manager_a", Role.RISK_MANAGER, jia),
        "auditor_b": user("auditor_b", Role.AUDITOR, yi),
        "admin": user("admin", Role.ADMIN, None),
    }


def loan_nos(visits) -> set[str]:
    return set(visits.values_list("loan__loan_no", flat=True))


def ids(visits) -> set[int]:
    return set(visits.values_list("pk", flat=True))


# --- visits_for: the branch scope ----------------------------------------------------------


def test_an_officer_sees_the_visits_of_their_branch_only(portfolio):
    # given visits planned in both branches
    in_a = Visit.objects.filter(branch=portfolio["jia"])
    in_b = Visit.objects.filter(branch=portfolio["yi"])
    assert in_a.exists() and in_b.exists()

    # when each branch's officer lists the visits
    # then each sees exactly their own branch's, never the other's
    assert ids(visits_for(portfolio["officer_a"])) == ids(in_a)
    assert loan_nos(visits_for(portfolio["officer_a"])) == {"A-1", "A-2"}
    assert ids(visits_for(portfolio["officer_b"])) == ids(in_b)
    assert loan_nos(visits_for(portfolio["officer_b"])) == {"B-1"}
    # and so does a reviewer of a branch
    assert ids(visits_for(portfolio["reviewer_a"])) == ids(in_a)


def test_a_visit_follows_its_loans_branch_whoever_it_is_assigned_to(portfolio):
    # given a visit of branch 乙 assigned to the officer of branch 甲
    visit = Visit.objects.filter(branch=portfolio["yi"]).first()
    Visit.objects.filter(pk=visit.pk).update(assignee=portfolio["officer_a"])

    # then it is in branch 乙's list, not in branch 甲's
    assert visit.pk in ids(visits_for(portfolio["officer_b"]))
    assert visit.pk not in ids(visits_for(portfolio["officer_a"]))


@pytest.mark.parametrize("who", ["risk_manager_a", "auditor_b", "admin", "reviewer_hq"])
def test_risk_managers_auditors_admins_and_head_office_reviewers_see_every_visit(portfolio, who):
    # when a user of a role with the whole portfolio in scope lists the visits
    # then they get every visit of every branch
    assert ids(visits_for(portfolio[who])) == ids(Visit.objects.all())
    assert loan_nos(visits_for(portfolio[who])) == {"A-1", "A-2", "B-1"}


@pytest.mark.parametrize("who", ["officer_gone", "officer_nowhere"])
def test_an_inactive_officer_or_one_without_branch_sees_no_visit(portfolio, who):
    assert not visits_for(portfolio[who]).exists()


# --- visits_due_for: an officer's due list -------------------------------------------------


def add_visit(loan: Loan, due: date, status: str, assignee: User | None, **fields) -> Visit:
    return Visit.objects.create(
        loan=loan,
        branch=loan.branch,
        subject_role=fields.pop("subject_role", "borrower"),
        kind=fields.pop("kind", "adhoc"),
        due_date=due,
        channel="phone",
        status=status,
        assignee=assignee,
        planned_by_policy=False,
        **fields,
    )


def test_the_due_list_splits_open_visits_into_overdue_today_and_upcoming(portfolio):
    # given, on 2025-06-02, visits of officer_a in every status around that day
    # (the planned visits of the fixture are nobody's: no officer was in the branch)
    me, other = portfolio["officer_a"], portfolio["reviewer_a"]
    assert not Visit.objects.filter(assignee=me).exists()
    loan = Loan.objects.get(loan_no="A-1")
    day = ON.toordinal()

    def at(offset: int, status: str = VisitStatus.PLANNED, who: User | None = me) -> Visit:
        return add_visit(loan, date.fromordinal(day + offset), status, who)

    overdue = [
        at(-10),
        at(-3, VisitStatus.RETURNED),
        at(-1, VisitStatus.IN_PROGRESS),
    ]
    today = [at(0), at(0, VisitStatus.IN_PROGRESS), at(0, VisitStatus.RETURNED)]
    upcoming = [at(1), at(7, VisitStatus.IN_PROGRESS)]
    # not open, beyond the coming week, or not hers
    for offset, status in [
        (-2, VisitStatus.APPROVED),
        (-1, VisitStatus.SUBMITTED),
        (0, VisitStatus.SUBMITTED),
        (0, VisitStatus.APPROVED),
        (0, VisitStatus.CANCELLED),
        (2, VisitStatus.CANCELLED),
    ]:
        at(offset, status)
    beyond = at(8)
    at(0, who=other)
    at(-1, who=portfolio["officer_b"])
    at(0, who=None)

    # when officer_a's due list for that day is read
    due = visits_due_for(user=me, on=ON)

    # then it has her open visits: overdue and upcoming by date, today's
    assert [v.pk for v in due["overdue"]] == [v.pk for v in overdue]
    assert {v.pk for v in due["today"]} == {v.pk for v in today}
    assert [v.pk for v in due["upcoming"]] == [v.pk for v in upcoming]
    # and a visit beyond the coming 7 days only in a longer window
    assert beyond.pk in {v.pk for v in visits_due_for(user=me, on=ON, days=8)["upcoming"]}


def test_the_due_list_of_the_next_day(portfolio):
    # given an open visit due today
    me = portfolio["officer_a"]
    visit = add_visit(Loan.objects.get(loan_no="A-2"), ON, VisitStatus.PLANNED, me)

    # when the list is read for tomorrow, then yesterday
    # then it is overdue tomorrow and upcoming yesterday
    tomorrow = visits_due_for(user=me, on=ON + timedelta(days=1))
    yesterday = visits_due_for(user=me, on=ON - timedelta(days=1))
    assert [v.pk for v in tomorrow["overdue"]] == [visit.pk]
    assert not tomorrow["today"] and not tomorrow["upcoming"]
    assert [v.pk for v in yesterday["upcoming"]] == [visit.pk]
    assert not yesterday["today"] and not yesterday["overdue"]


def add_due_visits(n: int, me: User) -> None:
    """n open visits of `me` around ON, over three loans, a third of them of a guarantor."""
    loans = list(Loan.objects.filter(branch__name="甲分行").select_related("branch"))
    parties = {p.loan_id: p for p in LoanParty.objects.filter(loan__in=loans)}
    statuses = [VisitStatus.PLANNED, VisitStatus.IN_PROGRESS, VisitStatus.RETURNED]
    visits = []
    for i in range(n):
        loan = loans[i % len(loans)]
        guarantor = i % 3 == 0
        visits.append(
            Visit(
                loan=loan,
                branch=loan.branch,
                subject_role="guarantor" if guarantor else "borrower",
                party=parties[loan.pk] if guarantor else None,
                kind="adhoc",
                due_date=ON + timedelta(days=i % 15 - 7),
                channel="phone",
                status=statuses[i % 3],
                assignee=me,
                planned_by_policy=False,
            )
        )
    Visit.objects.bulk_create(visits)


def read_due_list(me: User) -> list[tuple]:
    """What the due list page shows: each visit with its loan, borrower and subject."""
    shown = []
    for group in visits_due_for(user=me, on=ON).values():
        for v in group:
            subject = v.party.name if v.party else v.loan.borrower.name
            shown.append((v.loan.loan_no, v.loan.borrower.name, subject, v.due_date))
    return shown


def test_the_due_list_takes_the_same_few_queries_for_5_or_50_visits(
    portfolio, django_assert_max_num_queries
):
    # given 5 open visits of officer_a
    me = portfolio["officer_a"]
    add_due_visits(5, me)

    # when the due list is read with each visit's loan, borrower and subject
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as few:
        shown = read_due_list(me)
    assert len(shown) == 5

    # and again with 50
    add_due_visits(45, me)
    with django_assert_max_num_queries(3), CaptureQueriesContext(connection) as many:
        shown = read_due_list(me)

    # then all 50 are read, with as many queries as for 5: one per group
    assert len(shown) == 50
    assert len(many.captured_queries) == len(few.captured_queries)
    assert {subject for _, _, subject, _ in shown} >= {"借款人0", "借款人1", "担保人0", "担保人1"}
