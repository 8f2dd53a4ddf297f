from typing import Any

from django.core.management.base import CommandParser

from huifang.accounts.gate import require
from huifang.lib.commands import HuifangCommand
from huifang.risk.services import risk_from_repayments


class Command(HuifangCommand):
    help = "Look at repayment behaviour (DPD, partial payments, a worsening trend): signals, then warnings."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        self.add_as_of(parser, help="the date to look at (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        user, actor = self.principal(options)
        require(user, "warning.manage", via="command")
        as_of = self.as_of(options)
        counts = risk_from_repayments(as_of=as_of, actor=actor)
        self.stdout.write(
            f"risk scan as of {as_of}: {counts['loans']} loans, {counts['signals']} new signals, "
            f"{counts['warnings']} new warnings"
        )
