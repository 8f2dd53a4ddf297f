"""The nightly risk scan (Django tasks, database backend), queued like the nightly planning.

`nightly_risk_scan` looks at every concerned loan's repayment behaviour and
then queues the next night's run, so a worker keeps it going with no cron.
"""

from typing import Any

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from huifang.audit.services import Actor
from huifang.followups.tasks import next_night
from huifang.risk.services import risk_from_repayments

NIGHTLY_PATH = "huifang.risk.tasks.nightly_risk_scan"


@task()
def nightly_risk_scan() -> dict[str, Any]:
    counts = risk_from_repayments(
        as_of=timezone.localdate(), actor=Actor(user_id=None, name="system", via="task")
    )
    schedule_risk_scan()
    return counts


def schedule_risk_scan() -> bool:
    """Queue the next nightly scan unless one is already waiting; True when one was queued."""
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=NIGHTLY_PATH
    ).exists()
    if waiting:
        return False
    nightly_risk_scan.using(run_after=next_night()).enqueue()
    return True
