from typing import Any

from huifang.followups.tasks import next_night, schedule_nightly
from huifang.lib.commands import HuifangCommand


class Command(HuifangCommand):
    help = (
        "Queue the background jobs (idempotent): nightly planning, risk scan and classification, "
        "webhook deliveries every minute; `huifang db_worker` runs them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from huifang.classification.tasks import schedule_daily
        from huifang.notifications.tasks import schedule_webhooks
        from huifang.risk.tasks import schedule_risk_scan

        queued = schedule_nightly()
        when = next_night().strftime("%Y-%m-%d %H:%M")
        self.stdout.write(
            f"nightly planning {'queued for' if queued else 'already queued; next at'} {when}"
        )
        queued = schedule_daily()
        self.stdout.write(
            f"daily classification {'queued for' if queued else 'already queued; next at'} {when}"
        )
        queued = schedule_webhooks()
        self.stdout.write(
            f"webhook deliveries {'queued (every minute)' if queued else 'already queued'}"
        )
        queued = schedule_risk_scan()
        self.stdout.write(
            f"nightly risk scan {'queued for' if queued else 'already queued; next at'} {when}"
        )
