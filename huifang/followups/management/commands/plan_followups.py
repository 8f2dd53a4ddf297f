from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from huifang.accounts.gate import require
from huifang.followups.services.planning import loans_to_plan, plan_followups
from huifang.lib.commands import HuifangCommand


class Command(HuifangCommand):
    help = "Plan follow-up visits (followup-policy.md): loans never planned or changed since; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        self.add_as_of(parser, help="plan visits due on or after this date (default: today)")
        parser.add_argument(
            "--full",
            action="store_true",
            help="re-plan every active loan, not only those that changed",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        user, actor = self.principal(options)
        require(user, "followups.plan", via="command")
        as_of = self.as_of(options)
        total = loans_to_plan(full=options["full"]).count()
        show = not options["no_progress"] and total >= 5000 and self.stderr.isatty()
        with tqdm(total=total, unit="loan", disable=not show, file=self.stderr._out) as bar:
            run = plan_followups(
                as_of=as_of,
                actor=actor,
                full=options["full"],
                trigger="command",
                progress=bar.update,
            )
        self.stdout.write(
            f"planned {run.loans_planned} loans as of {as_of}: {run.visits_created} visits created, "
            f"{run.visits_removed} replaced or cancelled"
        )
