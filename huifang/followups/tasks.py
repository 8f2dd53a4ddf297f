"""Background jobs of follow-up planning (Django tasks, database backend).

The nightly run plans the portfolio and then queues the next night's run
(`run_after`), so a worker (`huifang db_worker`) keeps it going with no cron;
`huifang schedule_jobs` queues the first one and is safe to run again.
"""

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from huifang.audit.services import Actor
from huifang.followups.services.planning import plan_followups
from huifang.followups.services.reminders import send_visit_reminders

NIGHTLY_PATH = "huifang.followups.tasks.nightly_plan"


@task()
def nightly_plan() -> dict[str, Any]:
    today = timezone.localdate()
    run = plan_followups(
        as_of=today, actor=Actor(user_id=None, name="system", via="task"), trigger="task"
    )
    reminded = send_visit_reminders(on=today)
    schedule_nightly()
    return {
        "run": run.pk,
        "loans": run.loans_planned,
        "created": run.visits_created,
        "removed": run.visits_removed,
        "reminded": reminded,
    }


def next_night(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now)
    hour, minute = (int(x) for x in settings.HUIFANG_NIGHTLY_AT.split(":"))
    at = timezone.make_aware(datetime.combine(now.date(), time(hour, minute)))
    return at if at > now else at + timedelta(days=1)


def schedule_nightly(now: datetime | None = None) -> bool:
    """Queue the next nightly run unless one is already waiting; True when one was queued."""
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=NIGHTLY_PATH
    ).exists()
    if waiting:
        return False
    nightly_plan.using(run_after=next_night(now)).enqueue()
    return True
