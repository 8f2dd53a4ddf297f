"""Validating the rows of a loan import file (interfaces.md, "Loan import")."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from huifang.portfolio.importing.columns import (
    LOAN_COLUMNS,
    ZH_LABELS,
    ascii_form,
    cell_date,
    cell_decimal,
    cell_money,
    cell_specs,
    cell_text,
    choice_parser,
    map_headers,
    parse_cells,
    text_parser,
)
from huifang.portfolio.importing.errors import CellError, RowError
from huifang.portfolio.importing.reader import Table

BORROWER_TYPES = (("individual", "个人"), ("enterprise", "企业"))
REPAYMENT_METHODS = (
    ("equal_installment", "等额本息"),
    ("equal_principal", "等额本金"),
    ("interest_first", "先息后本"),
    ("bullet", "一次性还本付息"),
)
RISK_LEVELS = (("low", "低"), ("medium", "中"), ("high", "高"))
MAX_TERM_MONTHS = 360
# Loan.annual_rate is DecimalField(decimal_places=8): more would be rounded silently.
RATE_QUANTUM = Decimal("1e-8")


def _zh_labels() -> Mapping[str, str]:
    return ZH_LABELS


@dataclass(frozen=True, slots=True)
class LoanRecord:
    """One valid row of a loan file; maturity_date None when the file leaves it to the default."""

    row: int
    loan_no: str
    borrower_name: str
    borrower_type: str
    borrower_id_no: str
    borrower_phone: str
    product: str
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    disbursement_date: date
    maturity_date: date | None
    repayment_method: str
    purpose: str
    risk_level: str
    branch: str
    officer: str
    guarantor_name: str
    guarantor_id_no: str
    guarantor_phone: str
    # The headers of the file the record came from, shared by all its records: checks made
    # later (against the database) report errors under the column name the user knows.
    labels: Mapping[str, str] = field(default_factory=_zh_labels, compare=False, repr=False)

    def column_name(self, name: str) -> str:
        return self.labels.get(name, name)


# --- identity numbers and phones ------------------------------------------------------------

_RESIDENT_ID = re.compile(r"\d{17}[\dX]", re.ASCII)
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LANDLINE = re.compile(r"(0\d{2,3})-(\d{7,8})", re.ASCII)
_LANDLINE_DIGITS = re.compile(r"0\d{9,11}", re.ASCII)


def resident_id_problem(number: str) -> str | None:
    """What is wrong with an 18-character resident ID (居民身份证号), or None.

    Check digit and birth date only: stdnum's ric.validate() also looks the
    region code up in its own table, which the spec does not ask for and which
    would reject people from regions that table lacks.
    """
    if len(number) != 18:
        return _("居民身份证号应为 18 位")
    if not _RESIDENT_ID.fullmatch(number):
        return _("居民身份证号格式不正确")
    if ric.calc_check_digit(number) != number[-1]:
        return _("居民身份证号校验位不正确")
    # What ric.get_birth_date() does, without its per-character re-cleaning of the number,
    # which took a third of the validation time of a large file.
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("居民身份证号中的出生日期无效")
    return None


def credit_code_problem(number: str) -> str | None:
    """What is wrong with a unified social credit code (统一社会信用代码), or None."""
    try:
        valid = uscc.validate(number)
    except InvalidLength:
        return _("统一社会信用代码应为 18 位")
    except InvalidChecksum:
        return _("统一社会信用代码校验位不正确")
    except ValidationError:
        return _("统一社会信用代码格式不正确")
    # validate() drops hyphens before checking; we keep the number as written, so refuse them.
    return None if valid == number else _("统一社会信用代码格式不正确")


def _any_id_problem(number: str) -> str | None:
    if resident_id_problem(number) is None or credit_code_problem(number) is None:
        return None
    if _RESIDENT_ID.fullmatch(number):
        # Looks like a resident ID: its own message (usually the check digit) helps most.
        return resident_id_problem(number)
    return _("应为有效的居民身份证号或统一社会信用代码")


def _borrower_id_problem(borrower_type: str | None, number: str) -> str | None:
    if borrower_type == "individual":
        problem = resident_id_problem(number)
        if problem and credit_code_problem(number) is None:
            return _("借款人类型为个人，应填写居民身份证号，而这是统一社会信用代码")
        return problem
    if borrower_type == "enterprise":
        problem = credit_code_problem(number)
        if problem and resident_id_problem(number) is None:
            return _("借款人类型为企业，应填写统一社会信用代码，而这是居民身份证号")
        return problem
    # The type itself is bad (reported there); still tell what is wrong with the number.
    return _any_id_problem(number)


def _id_number(value: object) -> str:
    """Upper case, without spaces (including full-width ones)."""
    if type(value) is str and value.isascii() and value.isalnum():
        return value.upper()  # the common case, cheaply
    return "".join(ascii_form(cell_text(value)).split()).upper()


def _guarantor_id(value: object) -> str:
    number = _id_number(value)
    problem = _any_id_problem(number)
    if problem:
        raise CellError(problem)
    return number


def phone_number(value: object) -> str:
    """A mainland mobile as 11 digits, or a landline as "010-62345678"."""
    if type(value) is str and _MOBILE.fullmatch(value):
        return value  # the common case, cheaply
    text = "".join(ascii_form(cell_text(value)).split()).removeprefix("+86")
    landline = _LANDLINE.fullmatch(text)
    if landline:
        return f"{landline[1]}-{landline[2]}"
    if _MOBILE.fullmatch(text.replace("-", "")):
        return text.replace("-", "")
    if _LANDLINE_DIGITS.fullmatch(text):
        # Without the hyphen, 10 digits can only be 3 + 7 and 12 only 4 + 8; 11 could be
        # either, and the numbering plan decides: 010 and 02x are the three-digit area codes.
        area = {10: 3, 12: 4}.get(len(text)) or (3 if text.startswith(("010", "02")) else 4)
        return f"{text[:area]}-{text[area:]}"
    raise CellError(_("应为 11 位手机号或固定电话（如 %(example)s）") % {"example": "010-62345678"})


# --- numbers --------------------------------------------------------------------------------


def annual_rate(value: object) -> Decimal:
    """A fraction "0.0435" or a percent "4.35%" (0.0435); 0 <= rate < 1."""
    text = ascii_form(value) if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        rate = cell_decimal(text[:-1].rstrip()).scaleb(-2)
    else:
        rate = cell_decimal(value)
    if not 0 <= rate < 1:
        if 1 <= rate < 100:
            raise CellError(
                _("年利率应小于 1；百分数请带百分号，如 %(example)s") % {"example": "4.35%"}
            )
        raise CellError(_("年利率应不小于 0 且小于 1"))
    if rate.quantize(RATE_QUANTUM) != rate:
        raise CellError(_("年利率最多 8 位小数"))
    return rate


def term_months(value: object) -> int:
    number = cell_decimal(value)
    # An XLSX number cell may hold 12 or 12.0; both show 12 months. 12.5 does not.
    if number != number.to_integral_value():
        raise CellError(_("期限应为整数月"))
    if not 1 <= number <= MAX_TERM_MONTHS:
        raise CellError(_("期限应在 1 到 %(max)d 个月之间") % {"max": MAX_TERM_MONTHS})
    return int(number)


_PARSERS: Mapping[str, Callable[[object], object]] = {
    "loan_no": text_parser(64),
    "borrower_name": text_parser(100),
    "borrower_type": choice_parser(BORROWER_TYPES),
    "borrower_id_no": _id_number,  # checked against borrower_type in _check_row
    "borrower_phone": phone_number,
    "product": text_parser(100),
    "principal": cell_money,
    "annual_rate": annual_rate,
    "term_months": term_months,
    "disbursement_date": cell_date,
    "maturity_date": cell_date,
    "repayment_method": choice_parser(REPAYMENT_METHODS),
    "purpose": text_parser(500),
    "risk_level": choice_parser(RISK_LEVELS),
    "branch": text_parser(100),
    "officer": text_parser(150),
    "guarantor_name": text_parser(100),
    "guarantor_id_no": _guarantor_id,
    "guarantor_phone": phone_number,
}

_DEFAULTS: Mapping[str, object] = {
    "borrower_phone": "",
    "maturity_date": None,  # the caller applies add_months(disbursement_date, term_months)
    "risk_level": "medium",
    "officer": "",
    "guarantor_name": "",
    "guarantor_id_no": "",
    "guarantor_phone": "",
}


def _check_row(
    row: int, values: dict[str, Any], labels: Mapping[str, str], errors: list[RowError]
) -> None:
    """The rules between cells. A bad cell is absent from `values`, a blank optional one is ""."""
    id_no = values.get("borrower_id_no")
    if id_no is not None:
        problem = _borrower_id_problem(values.get("borrower_type"), id_no)
        if problem:
            errors.append(RowError(row, labels["borrower_id_no"], problem))

    guarantor = values.get("guarantor_name")
    if guarantor == "" and (values.get("guarantor_id_no") or values.get("guarantor_phone")):
        errors.append(
            RowError(row, labels["guarantor_name"], _("填写了担保人证件号码或电话时必填"))
        )
    if guarantor and values.get("guarantor_id_no") == "":
        errors.append(RowError(row, labels["guarantor_id_no"], _("填写了担保人时必填")))

    start, end = values.get("disbursement_date"), values.get("maturity_date")
    if start is not None and end is not None and end <= start:
        errors.append(RowError(row, labels["maturity_date"], _("到期日期应晚于放款日期")))


def _report_repeats(repeats: dict[str, list[int]], label: str, errors: list[RowError]) -> None:
    for loan_no, rows in repeats.items():
        shown = "、".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else "")
        message = _("借款合同编号“%(no)s”在文件中重复出现（第 %(rows)s 行）") % {
            "no": loan_no,
            "rows": shown,
        }
        errors.extend(RowError(r, label, message) for r in rows)


def validate_loans(table: Table) -> tuple[list[LoanRecord], list[RowError]]:
    """Every valid row as a LoanRecord, and every problem of every row, in row order.

    A row with any error gives no record; a repeated loan_no is an error on each
    of its rows. Header errors are on row 1; with a required column missing no
    row can be complete, so no records come out, but the rows are still checked.
    """
    header_map, errors = map_headers(table.headers, LOAN_COLUMNS)
    labels = header_map.labels
    specs = cell_specs(header_map, LOAN_COLUMNS, _PARSERS)
    complete = header_map.has_required(LOAN_COLUMNS)
    records: list[LoanRecord] = []
    first_row: dict[str, int] = {}
    repeats: dict[str, list[int]] = {}
    for row, cells in table.rows:
        before = len(errors)
        values = parse_cells(row, cells, specs, _DEFAULTS, errors)
        _check_row(row, values, labels, errors)
        loan_no = values.get("loan_no")
        if loan_no is not None:
            first = first_row.setdefault(loan_no, row)
            if first != row:
                repeats.setdefault(loan_no, [first]).append(row)
        if complete and len(errors) == before:
            records.append(LoanRecord(row=row, labels=labels, **values))
    if repeats:
        _report_repeats(repeats, labels["loan_no"], errors)
        records = [r for r in records if r.loan_no not in repeats]
        errors.sort(key=lambda e: e.row)  # stable: a row's errors keep their column order
    return records, errors
