"""The nightly planning job: Django tasks with the database backend, several workers at once."""

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from huifang.accounts.gate import SYSTEM
from huifang.audit.services import Actor
from huifang.followups.models import PlanningRun, Visit
from huifang.followups.tasks import NIGHTLY_PATH, next_night, nightly_plan, schedule_nightly
from huifang.portfolio.services.imports import import_file

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
ROOT = Path(__file__).resolve().parents[3]


def _import_samples():
    report = import_file(
        kind="loans",
        data=(SAMPLES / "loans_en.csv").read_bytes(),
        filename="loans_en.csv",
        user=SYSTEM,
        actor=Actor(user_id=None, name="system", via="command"),
    )
    assert report.applied


def test_next_night_is_the_coming_configured_time(settings):
    settings.HUIFANG_NIGHTLY_AT = "01:30"
    shanghai = ZoneInfo("Asia/Shanghai")
    evening = datetime(2026, 3, 2, 22, 0, tzinfo=shanghai)
    early = datetime(2026, 3, 2, 1, 0, tzinfo=shanghai)
    assert timezone.localtime(next_night(evening)).strftime("%Y-%m-%d %H:%M") == "2026-03-03 01:30"
    assert timezone.localtime(next_night(early)).strftime("%Y-%m-%d %H:%M") == "2026-03-02 01:30"


def test_scheduling_is_idempotent(db):
    assert schedule_nightly() is True
    assert schedule_nightly() is False
    assert (
        DBTaskResult.objects.filter(task_path=NIGHTLY_PATH, status=TaskResultStatus.READY).count()
        == 1
    )


def _worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "HUIFANG_DATA_KEY": "test-key-for-the-suite-only"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="several workers need PostgreSQL")
def test_two_workers_run_each_queued_plan_once_and_never_plan_a_loan_twice(transactional_db):
    # given a portfolio and three planning runs queued at once
    _import_samples()
    for _ in range(3):
        nightly_plan.enqueue()

    # when two database workers run side by side until the queue is empty
    command = [sys.executable, "-m", "huifang.cli", "db_worker", "--batch", "--no-startup-delay"]
    workers = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=_worker_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=180)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs

    # then every task ran exactly once, the next night's run is waiting, and no visit is doubled
    done = DBTaskResult.objects.filter(task_path=NIGHTLY_PATH, status=TaskResultStatus.SUCCESSFUL)
    assert done.count() == 3
    assert (
        DBTaskResult.objects.filter(task_path=NIGHTLY_PATH, status=TaskResultStatus.READY).count()
        == 1
    )
    assert PlanningRun.objects.filter(trigger="task").count() == 3
    keys = Counter(
        Visit.objects.values_list("loan_id", "subject_role", "party_id", "kind", "due_date")
    )
    assert keys and max(keys.values()) == 1
    assert sum("SUCCESSFUL" in out for out in outputs) >= 1
