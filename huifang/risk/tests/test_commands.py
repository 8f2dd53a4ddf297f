"""`huifang risk_scan` and the nightly risk scan task."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from huifang.audit.models import AuditEvent
from huifang.risk.models import Warning
from huifang.risk.tasks import NIGHTLY_PATH, schedule_risk_scan


def test_the_scan_command_raises_warnings_as_of_a_date(loan_a):
    out = StringIO()
    call_command("risk_scan", "--as-of", "2025-05-20", stdout=out)
    assert "risk scan as of 2025-05-20: 2 loans" in out.getvalue()
    assert Warning.objects.get(loan=loan_a).level == "red"  # 94 days past due
    assert AuditEvent.objects.filter(action="risk_scan", object_id="2025-05-20").exists()


def test_the_scan_command_names_a_bad_date(db):
    with pytest.raises(CommandError, match="--as-of"):
        call_command("risk_scan", "--as-of", "20.05.2025")


def test_an_officer_may_not_run_the_scan(two_branches):
    with pytest.raises(CommandError, match="permission denied"):
        call_command("risk_scan", "--as", "officer_a", "--as-of", "2025-05-20")
    assert not Warning.objects.exists()


def test_the_nightly_scan_is_queued_once(db):
    assert schedule_risk_scan() is True
    assert schedule_risk_scan() is False
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=NIGHTLY_PATH)
    assert waiting.count() == 1
