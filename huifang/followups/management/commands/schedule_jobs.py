from typing import Any

from huifang.followups.tasks import next_night, schedule_nightly
from huifang.lib.commands import HuifangCommand


class Command(HuifangCommand):
    help = "Queue the nightly follow-up planning run (idempotent); `huifang db_worker` runs it."

    def handle(self, *args: Any, **options: Any) -> None:
        from huifang.classification.tasks import schedule_daily

        queued = schedule_nightly()
        when = next_night().strftime("%Y-%m-%d %H:%M")
        self.stdout.write(
            f"nightly planning {'queued for' if queued else 'already queued; next at'} {when}"
        )
        queued = schedule_daily()
        self.stdout.write(
            f"daily classification {'queued for' if queued else 'already queued; next at'} {when}"
        )
