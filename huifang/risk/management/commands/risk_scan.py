from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from huifang.accounts.gate import require
from huifang.lib.commands import HuifangCommand
from huifang.risk.services import risk_from_repayments


class Command(HuifangCommand):
    help = "Look at repayment behaviour (DPD, partial payments, a worsening trend): signals, then warnings."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--as-of",
            dest="as_of",
            metavar="YYYY-MM-DD",
            help="the date to look at (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user, actor = self.principal(options)
        require(user, "warning.manage", via="command")
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(
                    f"--as-of: {options['as_of']!r} is not a date YYYY-MM-DD"
                ) from exc
        counts = risk_from_repayments(as_of=as_of, actor=actor)
        self.stdout.write(
            f"risk scan as of {as_of}: {counts['loans']} loans, {counts['signals']} new signals, "
            f"{counts['warnings']} new warnings"
        )
