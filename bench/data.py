"""Synthetic portfolios for the benchmarks, in the import format of interfaces.md."""

import csv
import os
from pathlib import Path


def write_loans_csv(path: Path, count: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huifang.settings")
    django.setup()
    from datetime import date

    from huifang.portfolio.demo import loan_records
    from huifang.portfolio.importing.columns import LOAN_COLUMNS

    records = loan_records(count, date(2026, 11, 1), seed=99)
    names = [c.name for c in LOAN_COLUMNS]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for r in records:
            # No officer: the benchmark database has no users to name.
            writer.writerow(
                ["" if name == "officer" else _cell(getattr(r, name)) for name in names]
            )


def _cell(value: object) -> str:
    if value is None:
        return ""
    return str(value)
