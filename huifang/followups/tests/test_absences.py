"""A supervisor records an officer's absence: the officer's planned visits in it go to colleagues."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.models import AuditEvent
from huifang.audit.services import Actor
from huifang.followups.models import Absence, Visit, VisitStatus
from huifang.followups.services.absences import absence_add, absence_delete
from huifang.followups.services.planning import plan_followups
from huifang.portfolio.services.imports import import_file

ACTOR = Actor(user_id=None, name="system", via="command")
CSV = """loan_no,borrower_name,borrower_type,borrower_id_no,product,principal,annual_rate,term_months,disbursement_date,repayment_method,purpose,branch,officer
AB-1,张伟,individual,110105199003074472,消费贷,100000,0.05,24,2026-01-05,equal_installment,装修,甲分行,zhang
"""


@pytest.fixture
def team(db):
    branch = Branch.objects.create(name="甲分行")
    zhang = User.objects.create_user("zhang", password="x", role=Role.OFFICER, branch=branch)
    li = User.objects.create_user("li", password="x", role=Role.OFFICER, branch=branch)
    assert import_file(
        kind="loans", data=CSV.encode(), filename="a.csv", user=SYSTEM, actor=ACTOR
    ).applied
    plan_followups(as_of=date(2026, 1, 5), actor=ACTOR)
    return zhang, li


def test_an_absence_hands_the_planned_visits_in_it_to_a_colleague(team):
    zhang, li = team
    first = Visit.objects.get(kind="first")  # 2026-02-04
    d90 = Visit.objects.get(kind="d90")
    Visit.objects.filter(pk=d90.pk).update(status=VisitStatus.IN_PROGRESS)

    absence, moved = absence_add(
        officer=zhang, start=date(2026, 2, 1), end=date(2026, 4, 30), reason="产假", actor=ACTOR
    )

    assert moved == 1  # the in-progress d90 visit stays with the officer who started it
    assert Visit.objects.get(pk=first.pk).assignee == li
    assert Visit.objects.get(pk=d90.pk).assignee == zhang
    assert AuditEvent.objects.filter(
        action="create", object_type="followups.absence", object_id=str(absence.pk)
    ).exists()
    # and the next planning run respects the absence for new visits too
    assert all(
        v.assignee == li
        for v in Visit.objects.filter(
            due_date__range=(absence.start, absence.end), status=VisitStatus.PLANNED
        )
    )


def test_a_bad_period_is_refused_and_changes_nothing(team):
    zhang, _li = team
    with pytest.raises(ValidationError):
        absence_add(
            officer=zhang, start=date(2026, 3, 1), end=date(2026, 2, 1), reason="", actor=ACTOR
        )
    assert not Absence.objects.exists()
    assert set(Visit.objects.values_list("assignee__username", flat=True)) == {"zhang"}


def test_removing_an_absence_is_audited_and_moves_nothing_back(team):
    zhang, li = team
    absence, _ = absence_add(
        officer=zhang, start=date(2026, 2, 1), end=date(2026, 2, 28), reason="", actor=ACTOR
    )
    absence_delete(absence=absence, actor=ACTOR)
    assert Visit.objects.get(kind="first").assignee == li
    assert AuditEvent.objects.filter(action="delete", object_type="followups.absence").exists()
