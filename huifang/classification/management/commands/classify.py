from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from huifang.accounts.gate import require
from huifang.classification.models import Trigger
from huifang.classification.services import classify, loans_to_classify
from huifang.lib.commands import HuifangCommand


class Command(HuifangCommand):
    help = "Compute DPD and the suggested five-category classification of every loan (classification.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        self.add_as_of(parser, help="the classification date (default: today)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        user, actor = self.principal(options)
        require(user, "classification.run", via="command")
        as_of = self.as_of(options)
        total = loans_to_classify(as_of).count()
        show = not options["no_progress"] and total >= 5000 and self.stderr.isatty()
        with tqdm(total=total, unit="loan", disable=not show, file=self.stderr._out) as bar:
            run = classify(as_of=as_of, actor=actor, trigger=Trigger.COMMAND, progress=bar.update)
        self.stdout.write(
            f"classified {run.loans} loans as of {as_of}: {run.changed} changed since the "
            f"previous run, {run.proposed} proposed for approval"
        )
