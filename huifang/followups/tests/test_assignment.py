"""Who gets each planned visit (followups.services.assignment), through a planning run.

The loan's officer by default; a colleague of the same branch when the officer is absent
or full for the day, the least loaded first; nobody when nobody of the branch can take it.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor
from huifang.followups.models import Absence, Visit, VisitStatus
from huifang.followups.services.planning import plan_followups
from huifang.portfolio.models import Loan
from huifang.portfolio.services.imports import import_file
from huifang.portfolio.services.loans import loan_update

SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")
AS_OF = date(2024, 1, 1)
HEADER = (
    "loan_no,borrower_name,borrower_type,borrower_id_no,product,principal,annual_rate,"
    "term_months,disbursement_date,repayment_method,purpose,risk_level,branch,officer"
)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime(2024, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)


def import_loans(*rows: tuple[str, ...]) -> None:
    """Rows of (loan_no, disbursement_date, term, risk_level, branch, officer)."""
    lines = [HEADER]
    for loan_no, disbursed, term, risk, branch, officer in rows:
        lines.append(
            f"{loan_no},张伟,individual,110105199003074472,个人消费贷,100000,0.0435,{term},"
            f"{disbursed},equal_installment,家庭装修,{risk},{branch},{officer}"
        )
    report = import_file(
        kind="loans",
        data="\n".join(lines).encode(),
        filename="loans.csv",
        user=SYSTEM,
        actor=SYSTEM_ACTOR,
    )
    assert report.applied, [str(e) for e in report.errors]


def plan() -> None:
    plan_followups(as_of=AS_OF, actor=SYSTEM_ACTOR)


def assignees(loan_no: str) -> dict[str, str | None]:
    """kind -> assignee's username, for a loan without periodic visits."""
    visits = Visit.objects.filter(loan__loan_no=loan_no).select_related("assignee")
    result = {v.kind: (v.assignee.username if v.assignee else None) for v in visits}
    assert len(result) == visits.count()
    return result


def officer(username: str, branch: Branch, *, active: bool = True) -> User:
    return User.objects.create_user(
        username=username, role=Role.OFFICER, branch=branch, is_active=active
    )


@pytest.fixture
def jia(db):
    """Branch 甲: officers o1 (the loans'), o2, o3, and o_gone (left); 乙 has officer o_yi."""
    branch = Branch.objects.create(name="甲分行")
    users = {name: officer(name, branch) for name in ("o1", "o2", "o3")}
    users["o_gone"] = officer("o_gone", branch, active=False)
    users["o_yi"] = officer("o_yi", Branch.objects.create(name="乙分行"))
    return users


# A 12-month medium-risk loan disbursed Monday 2024-03-11 has three visits:
# first 2024-04-10 (Wednesday); d90 2024-06-09 (Sunday; Monday 06-10 is the Dragon Boat
# Festival) -> 2024-06-11; pre_maturity 2025-02-09 (Sunday) -> 2025-02-10.
VISIT_DAYS = {
    "first": date(2024, 4, 10),
    "d90": date(2024, 6, 11),
    "pre_maturity": date(2025, 2, 10),
}


def test_visits_go_to_the_loans_officer(jia):
    # given a loan of officer o1, with colleagues free in the branch
    import_loans(("ASG-1", "2024-03-11", 12, "medium", "甲分行", "o1"))

    # when it is planned
    plan()

    # then every visit is o1's
    visits = Visit.objects.filter(loan__loan_no="ASG-1")
    assert dict(visits.values_list("kind", "due_date")) == VISIT_DAYS
    assert assignees("ASG-1") == {"first": "o1", "d90": "o1", "pre_maturity": "o1"}


def test_a_visit_during_the_officers_absence_goes_to_a_colleague(jia):
    # given o1 away from 1 to 10 April 2024, the last day that of the loan's first visit;
    # o3 already has open work
    import_loans(("ASG-2", "2024-03-11", 12, "medium", "甲分行", "o1"))
    Absence.objects.create(user=jia["o1"], start=date(2024, 4, 1), end=date(2024, 4, 10))
    busy_loan = Loan.objects.get(loan_no="ASG-2")
    Visit.objects.create(
        loan=busy_loan,
        branch=busy_loan.branch,
        subject_role="borrower",
        kind="adhoc",
        due_date=date(2024, 5, 6),
        channel="phone",
        assignee=jia["o3"],
        planned_by_policy=False,
    )

    # when the loan is planned
    plan()

    # then the first visit goes to the free active colleague of the branch, o2
    # (not o3, busier; not o_gone, inactive; not o_yi, of another branch)
    # and the visits outside the absence stay with o1
    assert assignees("ASG-2") == {
        "first": "o2",
        "d90": "o1",
        "pre_maturity": "o1",
        "adhoc": "o3",
    }


def test_visits_over_the_daily_capacity_go_to_the_least_loaded_colleagues(jia, settings):
    # given a capacity of one visit a day, and three loans of o1 disbursed the same day,
    # so that each of the three visit days has three visits; o3 has open work already
    settings.HUIFANG_DAILY_VISIT_CAPACITY = 1
    import_loans(
        *[(f"CAP-{i}", "2024-03-11", 12, "medium", "甲分行", "o1") for i in (1, 2, 3)],
        ("CAP-X", "2024-03-11", 12, "medium", "乙分行", ""),
    )
    other = Loan.objects.get(loan_no="CAP-X")
    Visit.objects.bulk_create(
        Visit(
            loan=other,
            branch=other.branch,
            subject_role="borrower",
            kind="adhoc",
            due_date=date(2024, 5, day),
            channel="phone",
            status=status,
            assignee=jia["o3"],
            planned_by_policy=False,
        )
        for day, status in [(6, "planned"), (7, "in_progress"), (8, "returned")]
    )
    # and work done or cancelled does not count as open
    Visit.objects.bulk_create(
        Visit(
            loan=other,
            branch=other.branch,
            subject_role="borrower",
            kind="adhoc",
            due_date=date(2024, 5, day),
            channel="phone",
            status=status,
            assignee=jia["o2"],
            planned_by_policy=False,
        )
        for day, status in [(9, "approved"), (10, "submitted"), (13, "cancelled")]
    )

    # when the loans are planned
    plan()

    # then o1 keeps one visit a day (its first loan's), the second loan's go to o2, who
    # has the least open work, and the third's to o3 once o2 is full too
    assert assignees("CAP-1") == dict.fromkeys(VISIT_DAYS, "o1")
    assert assignees("CAP-2") == dict.fromkeys(VISIT_DAYS, "o2")
    assert assignees("CAP-3") == dict.fromkeys(VISIT_DAYS, "o3")
    # nobody has more than one planned visit of these loans a day, and o_gone has none
    for day in VISIT_DAYS.values():
        per_user = Visit.objects.filter(due_date=day, loan__branch__name="甲分行")
        assert sorted(per_user.values_list("assignee__username", flat=True)) == [
            "o1",
            "o2",
            "o3",
        ]
    assert not Visit.objects.filter(assignee=jia["o_gone"]).exists()


def test_when_everyone_is_full_the_officer_keeps_the_visit(db, settings):
    # given a branch with one officer and a capacity of one visit a day
    settings.HUIFANG_DAILY_VISIT_CAPACITY = 1
    officer("solo", Branch.objects.create(name="甲分行"))
    import_loans(*[(f"SOLO-{i}", "2024-03-11", 12, "medium", "甲分行", "solo") for i in (1, 2)])

    # when two loans with visits on the same days are planned
    plan()

    # then the officer keeps them all: nobody else could take them
    assert assignees("SOLO-1") == assignees("SOLO-2") == dict.fromkeys(VISIT_DAYS, "solo")


def test_a_branch_without_officers_leaves_visits_unassigned(jia):
    # given a loan in branch 丙, which has no officer; its officer has left
    jia_branch = Branch.objects.get(name="甲分行")
    bing = Branch.objects.create(name="丙分行")
    officer("o_bing", bing)
    import_loans(("NOBODY-1", "2024-03-11", 12, "medium", "丙分行", "o_bing"))
    User.objects.filter(username="o_bing").update(is_active=False)
    assert jia_branch.pk != bing.pk

    # when it is planned
    plan()

    # then its visits are unassigned: no inactive officer and no officer of another branch
    assert assignees("NOBODY-1") == dict.fromkeys(VISIT_DAYS)


def test_a_loan_without_officer_in_a_branch_without_officers_is_unassigned(jia):
    # given a loan with no officer in branch 丁, where nobody works
    import_loans(("NOBODY-2", "2024-03-11", 12, "medium", "丁分行", ""))

    # when it is planned
    plan()

    # then nobody gets its visits
    assert assignees("NOBODY-2") == dict.fromkeys(VISIT_DAYS)


def test_an_inactive_officers_loan_goes_to_active_colleagues_only(jia):
    # given a loan of o1, who then leaves
    import_loans(("LEFT-1", "2024-03-11", 12, "medium", "甲分行", "o1"))
    User.objects.filter(pk=jia["o1"].pk).update(is_active=False)

    # when it is planned
    plan()

    # then its visits go to the active colleagues o2 and o3, never to o1 or o_gone
    got = set(assignees("LEFT-1").values())
    assert got <= {"o2", "o3"} and got


def test_replanning_keeps_a_replaced_visit_with_the_officer_under_capacity(jia, settings):
    # given a capacity of one visit a day and a low-risk long-term loan of o1, planned:
    # every visit is o1's, the periodic ones online questionnaires
    settings.HUIFANG_DAILY_VISIT_CAPACITY = 1
    import_loans(("REPL-1", "2024-03-11", 36, "low", "甲分行", "o1"))
    plan()
    visits = Visit.objects.filter(loan__loan_no="REPL-1")
    assert set(visits.values_list("assignee__username", flat=True)) == {"o1"}
    assert set(visits.filter(kind="periodic").values_list("channel", flat=True)) == {"online"}

    # when its risk goes to medium (quarterly visits by phone) and it is planned again
    loan_update(loan=Loan.objects.get(loan_no="REPL-1"), actor=SYSTEM_ACTOR, risk_level="medium")
    plan()

    # then the visits replacing o1's own on the same days are o1's too: the replaced ones
    # are gone, so o1 has a single visit on each of those days
    visits = Visit.objects.filter(loan__loan_no="REPL-1", status=VisitStatus.PLANNED)
    assert set(visits.filter(kind="periodic").values_list("channel", flat=True)) == {"phone"}
    assert set(visits.values_list("assignee__username", flat=True)) == {"o1"}
