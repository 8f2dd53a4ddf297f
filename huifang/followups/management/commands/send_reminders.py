from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from huifang.followups.services.reminders import send_visit_reminders
from huifang.lib.commands import HuifangCommand


class Command(HuifangCommand):
    help = (
        "Remind officers of their visits due in the next days (in-app and email); each visit once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--days", type=int, help="days ahead (default HUIFANG_REMINDER_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        count = send_visit_reminders(on=timezone.localdate(), days_before=options["days"])
        self.stdout.write(f"{count} visits reminded")
