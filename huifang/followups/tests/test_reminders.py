"""Reminders N days before a visit is due: in the inbox and by email, once per visit."""

from datetime import date

import pytest
from django.core import mail

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor
from huifang.followups.models import Visit, VisitStatus
from huifang.followups.services.planning import plan_followups
from huifang.followups.services.reminders import send_visit_reminders
from huifang.notifications.models import Notification
from huifang.portfolio.services.imports import import_file

ACTOR = Actor(user_id=None, name="system", via="command")
CSV = """loan_no,borrower_name,borrower_type,borrower_id_no,product,principal,annual_rate,term_months,disbursement_date,repayment_method,purpose,branch,officer
R-1,张伟,individual,110105199003074472,消费贷,100000,0.05,12,2026-01-05,equal_installment,装修,甲分行,zhang
"""


@pytest.fixture
def officer(db):
    branch = Branch.objects.create(name="甲分行")
    user = User.objects.create_user(
        "zhang", email="zhang@example.invalid", password="x", role=Role.OFFICER, branch=branch
    )
    assert import_file(
        kind="loans", data=CSV.encode(), filename="r.csv", user=SYSTEM, actor=ACTOR
    ).applied
    plan_followups(as_of=date(2026, 1, 5), actor=ACTOR)
    return user


def test_an_officer_is_reminded_once_of_visits_due_soon(officer, settings):
    # given the first visit (D+30 = 2026-02-04) and reminders two days ahead
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = Visit.objects.get(kind="first")
    assert first.assignee == officer

    # when reminders run the day the window reaches it, and again the next day
    assert send_visit_reminders(on=date(2026, 2, 1), days_before=2) == 0
    assert send_visit_reminders(on=date(2026, 2, 2), days_before=2) == 1
    assert send_visit_reminders(on=date(2026, 2, 3), days_before=2) == 0

    # then one inbox entry and one email name the contract, and the visit is marked
    note = Notification.objects.get(user=officer)
    assert "R-1" in note.body and note.emailed_at is not None and note.read_at is None
    assert len(mail.outbox) == 1 and "R-1" in mail.outbox[0].body
    assert Visit.objects.get(pk=first.pk).reminded_at is not None


def test_a_failing_mail_server_does_not_stop_the_reminder(officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        9,
        2,
    )  # nothing listens

    assert send_visit_reminders(on=date(2026, 2, 2), days_before=2) == 1

    note = Notification.objects.get(user=officer)
    assert note.emailed_at is None and note.email_error


def test_done_or_unassigned_visits_are_not_reminded(officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Visit.objects.filter(kind="first").update(status=VisitStatus.APPROVED)
    assert send_visit_reminders(on=date(2026, 2, 2), days_before=2) == 0
    Visit.objects.filter(kind="first").update(status=VisitStatus.PLANNED, assignee=None)
    assert send_visit_reminders(on=date(2026, 2, 2), days_before=2) == 0
