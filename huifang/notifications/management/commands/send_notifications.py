from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from huifang.lib.commands import HuifangCommand
from huifang.notifications.deliveries import deliveries_send_due
from huifang.notifications.tasks import schedule_webhooks


class Command(HuifangCommand):
    help = (
        "Post the group-robot messages (WeCom, DingTalk) that are due, retrying failed ones "
        "with backoff; --schedule also queues the every-minute background run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="queue the every-minute run for `huifang db_worker` (idempotent)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = deliveries_send_due(now=timezone.now())
        self.stdout.write(f"{sent} sent, {failed} failed attempts")
        if options["schedule"]:
            queued = schedule_webhooks()
            self.stdout.write(
                "every-minute sending queued" if queued else "every-minute sending already queued"
            )
