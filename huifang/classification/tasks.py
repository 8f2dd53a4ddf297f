"""The daily classification run (Django tasks, database backend).

Like the nightly follow-up planning (huifang/followups/tasks.py): the run
classifies the portfolio as of today and queues the next day's run, so a
worker (`huifang db_worker`) keeps it going; `huifang schedule_jobs` queues
the first one and is safe to run again.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from huifang.audit.services import Actor
from huifang.classification.models import Trigger
from huifang.classification.services import classify
from huifang.followups.tasks import next_night

DAILY_PATH = "huifang.classification.tasks.daily_classify"


@task()
def daily_classify() -> dict[str, Any]:
    run = classify(
        as_of=timezone.localdate(),
        actor=Actor(user_id=None, name="system", via="task"),
        trigger=Trigger.TASK,
    )
    schedule_daily()
    return {"run": run.pk, "loans": run.loans, "changed": run.changed, "proposed": run.proposed}


def schedule_daily(now: datetime | None = None) -> bool:
    """Queue the next daily run unless one is already waiting; True when one was queued."""
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=DAILY_PATH
    ).exists()
    if waiting:
        return False
    daily_classify.using(run_after=next_night(now)).enqueue()
    return True
