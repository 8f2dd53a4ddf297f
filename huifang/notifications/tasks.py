"""The group-robot sender: a Django task that posts due deliveries and queues itself a minute on.

Like the nightly planning run (huifang.followups.tasks) it needs no cron: a worker
(`huifang db_worker`) runs it, and `huifang send_notifications --schedule` queues the first.
"""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from huifang.notifications.deliveries import deliveries_send_due

SEND_PATH = "huifang.notifications.tasks.send_webhooks"
EVERY = timedelta(minutes=1)


@task()
def send_webhooks() -> dict[str, Any]:
    try:
        sent, failed = deliveries_send_due(now=timezone.now())
    finally:
        schedule_webhooks()
    return {"sent": sent, "failed": failed}


def schedule_webhooks(now: datetime | None = None) -> bool:
    """Queue the next run a minute on unless one is already waiting; True when one was queued."""
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=SEND_PATH
    ).exists()
    if waiting:
        return False
    send_webhooks.using(run_after=(now or timezone.now()) + EVERY).enqueue()
    return True
