"""The body shared by import_loans and import_repayments."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from huifang.lib.commands import HuifangCommand
from huifang.portfolio.services.imports import import_file


class ImportCommand(HuifangCommand):
    kind = ""
    allow_partial = True

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="CSV (UTF-8, UTF-8 with BOM or GB18030) or XLSX")
        if self.allow_partial:
            parser.add_argument(
                "--partial", action="store_true", help="import the valid rows and report the others"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user, actor = self.principal(options)
        report = import_file(
            kind=self.kind,
            data=path.read_bytes(),
            filename=path.name,
            user=user,
            actor=actor,
            partial=options.get("partial", False),
        )
        for error in report.errors:
            self.stderr.write(f"{path}: {error}")
        if report.applied:
            self.stdout.write(self.summary(report))
            if report.errors:
                self.stderr.write(
                    f"{path}: {len({e.row for e in report.errors})} row(s) not imported"
                )
            return
        raise CommandError(f"{path}: {len(report.errors)} error(s); nothing was imported")

    def summary(self, report: Any) -> str:
        raise NotImplementedError
