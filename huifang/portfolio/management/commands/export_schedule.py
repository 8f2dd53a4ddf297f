import csv
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.http import Http404

from huifang.lib.commands import HuifangCommand
from huifang.portfolio.exports import SCHEDULE_HEADER, schedule_rows
from huifang.portfolio.selectors import loan_for, loans_for


class Command(HuifangCommand):
    help = "Export repayment schedules (the current version) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--out", required=True, help="the CSV file to write")
        parser.add_argument("--loan", metavar="LOAN_NO", help="only this loan")

    def handle(self, *args: Any, **options: Any) -> None:
        user, _actor = self.principal(options)
        try:
            if options["loan"]:
                loans = loans_for(user).filter(pk=loan_for(user, options["loan"], via="command").pk)
            else:
                loans = loans_for(user)
        except Http404 as exc:
            raise CommandError(f"--loan: no loan {options['loan']!r}") from exc
        out = Path(options["out"])
        count = 0
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(SCHEDULE_HEADER)
            for row in schedule_rows(loans):
                writer.writerow(row)
                count += 1
        self.stdout.write(f"{out}: {count} installments of {loans.count()} loans")
