import csv
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from huifang.accounts.gate import require
from huifang.classification.selectors import export_rows
from huifang.lib.commands import HuifangCommand

HEADER = ["loan_no", "as_of", "dpd", "category", "reasons"]


class Command(HuifangCommand):
    help = "Write the latest suggested classification per loan as CSV (interfaces.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--out", required=True, metavar="FILE.csv", help="the CSV file to write"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user, _actor = self.principal(options)
        require(user, "risk.read", via="command")
        rows = export_rows(user)
        path = Path(options["out"])
        try:
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(HEADER)
                for loan_no, as_of, dpd, category, reasons in rows:
                    writer.writerow([loan_no, as_of.isoformat(), dpd, category, reasons])
        except OSError as exc:
            raise CommandError(f"--out: cannot write {path}: {exc.strerror}") from exc
        self.stdout.write(f"{len(rows)} loans written to {path}")
