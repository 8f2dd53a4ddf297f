import csv
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.http import Http404

from huifang.lib.commands import HuifangCommand
from huifang.portfolio.exports import SCHEDULE_HEADER, schedule_rows
from huifang.portfolio.selectors import loan_for, loans_for


class Command(HuifangCommand):
    help = (
        "Export repayment schedules as CSV: each loan's current version, "
        "or with --schedule-version N that version (earlier versions stay exportable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--out", required=True, help="the CSV file to write")
        parser.add_argument("--loan", metavar="LOAN_NO", help="only this loan")
        parser.add_argument(
            "--schedule-version",
            dest="schedule_version",
            type=int,
            metavar="N",
            help="schedule version N instead of the current one (loans without it are left out)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user, _actor = self.principal(options)
        try:
            if options["loan"]:
                loans = loans_for(user).filter(pk=loan_for(user, options["loan"], via="command").pk)
            else:
                loans = loans_for(user)
        except Http404 as exc:
            raise CommandError(f"--loan: no loan {options['loan']!r}") from exc
        number = options["schedule_version"]
        if number is not None and number < 1:
            raise CommandError(f"--schedule-version: must be 1 or more, got {number}")
        out = Path(options["out"])
        count = 0
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(SCHEDULE_HEADER)
            for row in schedule_rows(loans, number):
                writer.writerow(row)
                count += 1
        self.stdout.write(f"{out}: {count} installments of {loans.count()} loans")
