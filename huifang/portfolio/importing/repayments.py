"""Validating the rows of a repayment import file (interfaces.md, "Repayment import")."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from huifang.portfolio.importing.columns import (
    REPAYMENT_COLUMNS,
    ZH_LABELS,
    cell_date,
    cell_money,
    cell_specs,
    map_headers,
    parse_cells,
    text_parser,
)
from huifang.portfolio.importing.errors import RowError
from huifang.portfolio.importing.reader import Table


def _zh_labels() -> Mapping[str, str]:
    return ZH_LABELS


@dataclass(frozen=True, slots=True)
class RepaymentRecord:
    """One valid row of a repayment file; whether the loan exists is the caller's check."""

    row: int
    loan_no: str
    paid_date: date
    amount: Decimal
    # The file's headers, for errors found later under the column name the user knows.
    labels: Mapping[str, str] = field(default_factory=_zh_labels, compare=False, repr=False)

    def column_name(self, name: str) -> str:
        return self.labels.get(name, name)


_PARSERS: Mapping[str, Callable[[object], object]] = {
    "loan_no": text_parser(64),
    "paid_date": cell_date,
    "amount": cell_money,
}


def validate_repayments(table: Table) -> tuple[list[RepaymentRecord], list[RowError]]:
    """Every valid row as a RepaymentRecord, and every problem of every row, in row order.

    The same loan may be paid several times, even on one day: repeated rows are not errors.
    """
    header_map, errors = map_headers(table.headers, REPAYMENT_COLUMNS)
    labels = header_map.labels
    specs = cell_specs(header_map, REPAYMENT_COLUMNS, _PARSERS)
    complete = header_map.has_required(REPAYMENT_COLUMNS)
    records: list[RepaymentRecord] = []
    for row, cells in table.rows:
        before = len(errors)
        values = parse_cells(row, cells, specs, {}, errors)
        if complete and len(errors) == before:
            records.append(RepaymentRecord(row=row, labels=labels, **values))
    return records, errors
