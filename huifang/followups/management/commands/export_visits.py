import csv
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from huifang.followups.exports import VISIT_HEADER, visit_rows
from huifang.followups.selectors import visits_for
from huifang.lib.commands import HuifangCommand


class Command(HuifangCommand):
    help = "Export all visits as CSV (interfaces.md, Exports)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--out", required=True, help="the CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        user, _actor = self.principal(options)
        out = Path(options["out"])
        count = 0
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(VISIT_HEADER)
            for row in visit_rows(visits_for(user)):
                writer.writerow(row)
                count += 1
        self.stdout.write(f"{out}: {count} visits")
