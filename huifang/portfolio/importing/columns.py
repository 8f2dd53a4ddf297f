"""The columns of the import files and the parsing of one cell (interfaces.md).

A header may be the English name or the Chinese one. Error messages name a
column by the header the user's file used, so that the user finds it.
"""

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from huifang.portfolio.importing.errors import CellError, RowError


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    header_zh: str
    required: bool


# interfaces.md, "Loan import".
LOAN_COLUMNS: tuple[Column, ...] = (
    Column("loan_no", "借款合同编号", True),
    Column("borrower_name", "借款人", True),
    Column("borrower_type", "借款人类型", True),
    Column("borrower_id_no", "证件号码", True),
    Column("borrower_phone", "联系电话", False),
    Column("product", "贷款产品", True),
    Column("principal", "贷款金额", True),
    Column("annual_rate", "年利率", True),
    Column("term_months", "期限(月)", True),
    Column("disbursement_date", "放款日期", True),
    Column("maturity_date", "到期日期", False),
    Column("repayment_method", "还款方式", True),
    Column("purpose", "贷款用途", True),
    Column("risk_level", "风险等级", False),
    Column("branch", "所属机构", True),
    Column("officer", "客户经理", False),
    Column("guarantor_name", "担保人", False),
    # Required only when guarantor_name is given: a row rule, not a header rule.
    Column("guarantor_id_no", "担保人证件号码", False),
    Column("guarantor_phone", "担保人电话", False),
)

# interfaces.md, "Repayment import".
REPAYMENT_COLUMNS: tuple[Column, ...] = (
    Column("loan_no", "借款合同编号", True),
    Column("paid_date", "还款日期", True),
    Column("amount", "还款金额", True),
)

# Column name -> header as shown; default labels for records built outside an import.
ZH_LABELS: Mapping[str, str] = {c.name: c.header_zh for c in (*LOAN_COLUMNS, *REPAYMENT_COLUMNS)}


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Where each column is in the file, and how to name it to the user.

    `labels` covers every column: the file's own header for those it has, and
    for absent ones the name in the language most of the file's headers use.
    """

    index: dict[str, int]
    labels: dict[str, str]

    def has_required(self, columns: Sequence[Column]) -> bool:
        return all(c.name in self.index for c in columns if c.required)


def column_letter(position: int) -> str:
    """Spreadsheet letters for a 0-based position: 0 -> A, 26 -> AA."""
    letters = ""
    n = position + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def map_headers(
    headers: Sequence[str], columns: Sequence[Column]
) -> tuple[HeaderMap, list[RowError]]:
    """Match the header row to the columns; unknown, duplicated and missing columns are errors."""
    # NFKC: Chinese input methods type full-width brackets, "期限（月）" for "期限(月)".
    lookup: dict[str, tuple[Column, bool]] = {}
    for column in columns:
        lookup[column.name.lower()] = (column, False)
        lookup[unicodedata.normalize("NFKC", column.header_zh).lower()] = (column, True)
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    errors: list[RowError] = []
    chinese = english = 0
    for position, header in enumerate(headers):
        label = header.strip()
        if not label:
            errors.append(RowError(1, column_letter(position), _("表头为空，但该列有数据")))
            continue
        found = lookup.get(unicodedata.normalize("NFKC", label).lower())
        if found is None:
            errors.append(RowError(1, label, _("未知的列，请删除或改为规定的表头")))
            continue
        column, is_chinese = found
        if column.name in index:
            errors.append(
                RowError(1, label, _("与“%(other)s”列重复") % {"other": labels[column.name]})
            )
            continue
        index[column.name] = position
        labels[column.name] = label
        chinese += is_chinese
        english += not is_chinese
    for column in columns:
        if column.name not in index:
            labels[column.name] = column.header_zh if chinese >= english else column.name
            if column.required:
                errors.append(RowError(1, labels[column.name], _("缺少必填列")))
    return HeaderMap(index=index, labels=labels), errors


# --- one cell -------------------------------------------------------------------------------
# Cells come as str (CSV, XLSX text), Decimal (XLSX numbers) or date (XLSX dates); str cells
# reach a parser stripped and non-empty.

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
# Money copied from a formatted spreadsheet keeps its thousands separators: "1,066,289.17".
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?", re.ASCII)
_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})", re.ASCII)
CENT = Decimal("0.01")
# Portfolio money fields are DecimalField(max_digits=18, decimal_places=2).
MAX_MONEY = Decimal("9999999999999999.99")


def ascii_form(text: str) -> str:
    """Full-width digits and signs (１２３, ％, －) as ASCII; ASCII text untouched, cheaply."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def cell_text(value: object) -> str:
    """A cell as text: numbers as the digits they show, dates as YYYY-MM-DD."""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cell_decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        text = ascii_form(value)
        # A pattern first: Decimal() alone would accept "NaN", "Infinity" and "1e5".
        if _NUMBER.fullmatch(text):
            return Decimal(text)
        if _GROUPED_NUMBER.fullmatch(text):
            return Decimal(text.replace(",", ""))
    raise CellError(_("应为数字"))


def cell_money(value: object) -> Decimal:
    """Yuan: > 0, at most 2 decimals; returned with exactly 2."""
    amount = cell_decimal(value)
    if amount <= 0:
        raise CellError(_("金额必须大于 0"))
    if amount > MAX_MONEY:
        raise CellError(_("金额过大"))
    cents = amount.quantize(CENT)
    if cents != amount:
        raise CellError(_("金额最多两位小数"))
    return cents


def cell_date(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _DATE.fullmatch(ascii_form(value))
        if match:
            try:
                return date(int(match[1]), int(match[3]), int(match[4]))
            except ValueError:
                raise CellError(_("日期不存在")) from None
    raise CellError(_("日期格式应为 YYYY-MM-DD 或 YYYY/MM/DD"))


def text_parser(max_length: int) -> Callable[[object], str]:
    def parse(value: object) -> str:
        text = value if type(value) is str else cell_text(value)
        if len(text) > max_length:
            raise CellError(_("不能超过 %(max)d 个字符") % {"max": max_length})
        return text

    return parse


def choice_parser(choices: Sequence[tuple[str, str]]) -> Callable[[object], str]:
    """Accept each choice's English code (any case) or its Chinese word; return the code."""
    lookup = {}
    for code, word in choices:
        lookup[code.lower()] = code
        lookup[word] = code
    shown = "、".join(f"{code}/{word}" for code, word in choices)

    def parse(value: object) -> str:
        code = lookup.get(value) if type(value) is str else None
        if code is None:
            code = lookup.get(cell_text(value).lower())
        if code is None:
            raise CellError(_("应为以下之一：%(choices)s") % {"choices": shown})
        return code

    return parse


class CellSpec(NamedTuple):
    name: str
    position: int
    label: str
    required: bool
    parse: Callable[[object], object]


def cell_specs(
    header_map: HeaderMap,
    columns: Sequence[Column],
    parsers: Mapping[str, Callable[[object], object]],
) -> list[CellSpec]:
    """The columns present in the file, each with its position, label and parser."""
    return [
        CellSpec(
            c.name, header_map.index[c.name], header_map.labels[c.name], c.required, parsers[c.name]
        )
        for c in columns
        if c.name in header_map.index
    ]


def parse_cells(
    row: int,
    cells: Sequence[object],
    specs: Sequence[CellSpec],
    defaults: Mapping[str, object],
    errors: list[RowError],
) -> dict[str, Any]:
    """Parse one row's cells: blank optional cells get `defaults`, each bad cell adds a RowError
    and is left out of the result.

    The hot loop of an import: one dict per row and no other allocation on good cells.
    """
    values: dict[str, Any] = dict(defaults)
    for name, position, label, required, parse in specs:
        value = cells[position]
        if type(value) is str:
            value = value.strip()
            if not value:
                if required:
                    errors.append(RowError(row, label, _("必填")))
                continue
        try:
            values[name] = parse(value)
        except CellError as exc:
            errors.append(RowError(row, label, exc.message))
            # Absent rather than defaulted, so that row rules can tell a bad cell from a blank one.
            values.pop(name, None)
    return values
