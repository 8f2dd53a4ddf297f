"""Reading and validating loan and repayment files (interfaces.md, "Loan import", "Repayment import").

Pure functions: no database. Runs without pytest-django (`-p no:django`); the
messages go through Django's gettext, which needs settings, so the module
configures minimal ones when nobody else has.
"""

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from stdnum.cn import ric

from huifang.portfolio.importing import (
    ImportFileError,
    LoanRecord,
    RepaymentRecord,
    RowError,
    read_table,
    validate_loans,
    validate_repayments,
)
from huifang.portfolio.importing.columns import LOAN_COLUMNS, map_headers
from huifang.portfolio.importing.errors import CellError
from huifang.portfolio.importing.loans import annual_rate, phone_number, term_months

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
ZH_HEADERS = [c.header_zh for c in LOAN_COLUMNS]
EN_HEADERS = [c.name for c in LOAN_COLUMNS]


@pytest.fixture(autouse=True, scope="module")
def _django_settings() -> Iterator[None]:
    if not settings.configured:
        settings.configure(USE_I18N=False)
    yield


@pytest.fixture(autouse=True)
def _fixed_data_key() -> None:
    """Overrides the suite's fixture of that name, which needs pytest-django's `settings`.

    Nothing here encrypts, and these tests must also run without pytest-django.
    """


def loans_from(data: bytes, filename: str) -> tuple[list[LoanRecord], list[RowError]]:
    return validate_loans(read_table(data, filename))


def csv_bytes(headers: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(
    headers: list[str], rows: list[list[object]], formats: dict[tuple[int, int], str] | None = None
) -> bytes:
    """An XLSX file as Excel would hold it; `formats` maps (row, column), 1-based, to a number format."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for (row_no, column_no), number_format in (formats or {}).items():
        sheet.cell(row=row_no, column=column_no).number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sample_rows(name: str) -> tuple[list[str], list[list[str]]]:
    with (SAMPLES / name).open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def as_excel_cells(row: list[str]) -> list[object]:
    """A sample CSV row as typed into Excel: numbers as numbers, dates as dates."""
    cells: list[object] = [value if value else None for value in row]
    by_name = dict(zip(EN_HEADERS, range(len(row)), strict=True))
    cells[by_name["principal"]] = float(row[by_name["principal"]])
    cells[by_name["annual_rate"]] = float(row[by_name["annual_rate"]])
    cells[by_name["term_months"]] = int(row[by_name["term_months"]])
    for name in ("disbursement_date", "maturity_date"):
        if row[by_name[name]]:
            cells[by_name[name]] = date.fromisoformat(row[by_name[name]])
    return cells


# --- the sample portfolio in every format ---------------------------------------------------


def test_sample_loans_are_the_same_records_from_every_format() -> None:
    # Given the sample loans as UTF-8 CSV with Chinese and English headers, UTF-8 with a BOM,
    # GB18030 (what Chinese Excel writes), and an XLSX with typed cells
    zh_text = (SAMPLES / "loans_zh.csv").read_text(encoding="utf-8")
    en_bytes = (SAMPLES / "loans_en.csv").read_bytes()
    gb_bytes = zh_text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        gb_bytes.decode("utf-8")  # so that the reader really has to fall back

    headers, rows = sample_rows("loans_zh.csv")
    rate_column = ZH_HEADERS.index("年利率") + 1
    phone_column = ZH_HEADERS.index("联系电话") + 1
    excel_rows = [as_excel_cells(row) for row in rows]
    formats = {}
    for i, row in enumerate(rows):
        if row[rate_column - 1] == "0.0435":  # shown as 4.35% in the sheet, stored as 0.0435
            formats[(i + 2, rate_column)] = "0.00%"
    excel_rows[0][phone_column - 1] = 18330723731  # a phone typed as a number
    xlsx = xlsx_bytes(headers, excel_rows, formats)

    # When each is read and validated
    results = {
        "utf-8 zh": loans_from(zh_text.encode("utf-8"), "loans_zh.csv"),
        "utf-8 en": loans_from(en_bytes, "loans_en.csv"),
        "utf-8 bom": loans_from(b"\xef\xbb\xbf" + zh_text.encode("utf-8"), "loans_zh.csv"),
        "gb18030": loans_from(gb_bytes, "loans_zh.csv"),
        "xlsx": loans_from(xlsx, "loans.xlsx"),
    }

    # Then all 40 rows are valid, and every format gives identical records
    reference, _ = results["utf-8 zh"]
    assert len(reference) == 40
    assert [r.row for r in reference] == list(range(2, 42))
    for name, (records, errors) in results.items():
        assert errors == [], name
        assert records == reference, name


def test_xlsx_numbers_are_the_decimals_they_show() -> None:
    # Given number cells that are not exact in binary, a percent cell and a formula's noise
    xlsx = xlsx_bytes(
        ["a", "b", "c", "d", "e"],
        [[0.0435, 0.0435, 0.1 + 0.2, 12, 1066289.17]],
        {(2, 2): "0.00%"},
    )
    # When read
    table = read_table(xlsx, "t.xlsx")
    # Then each is the decimal a person sees in Excel
    assert table.rows == [
        (
            2,
            [
                Decimal("0.0435"),
                Decimal("0.0435"),
                Decimal("0.3"),
                Decimal(12),
                Decimal("1066289.17"),
            ],
        )
    ]
    assert str(table.rows[0][1][0]) == "0.0435"


def test_sample_record_values() -> None:
    records, _ = loans_from((SAMPLES / "loans_zh.csv").read_bytes(), "loans_zh.csv")
    by_no = {r.loan_no: r for r in records}
    first = by_no["SAMPLE-002"]
    assert first.annual_rate == Decimal("0.0435")
    assert first.principal == Decimal("4361248.15")
    assert first.term_months == 60
    assert first.maturity_date is None  # the caller applies the default
    assert first.risk_level == "medium"  # blank: the default
    assert first.officer == ""
    assert by_no["SAMPLE-008"].maturity_date == date(2025, 2, 10)
    assert by_no["SAMPLE-008"].guarantor_id_no == "330106199712108089"
    assert by_no["SAMPLE-016"].borrower_phone == "010-58808726"
    assert by_no["SAMPLE-007"].borrower_id_no == "32010219980601035X"
    assert by_no["SAMPLE-003"].principal == Decimal("506266.90")


def test_sample_repayments() -> None:
    records, errors = validate_repayments(
        read_table((SAMPLES / "repayments.csv").read_bytes(), "r.csv")
    )
    assert errors == []
    assert len(records) == 171
    assert records[0] == RepaymentRecord(
        row=2, loan_no="SAMPLE-001", paid_date=date(2026, 5, 31), amount=Decimal("767728.20")
    )


# --- a file full of mistakes ----------------------------------------------------------------

GOOD = {
    "借款合同编号": "G-1",
    "借款人": "胡强",
    "借款人类型": "individual",
    "证件号码": "310104199308273932",
    "联系电话": "18777599219",
    "贷款产品": "个人消费贷",
    "贷款金额": "100000.00",
    "年利率": "0.0435",
    "期限(月)": "12",
    "放款日期": "2024-04-12",
    "到期日期": "",
    "还款方式": "equal_principal",
    "贷款用途": "支付学费",
    "风险等级": "",
    "所属机构": "北京总部",
    "客户经理": "",
    "担保人": "",
    "担保人证件号码": "",
    "担保人电话": "",
}
BAD_BIRTH_DATE_ID = "11010519901301123" + ric.calc_check_digit("11010519901301123" + "0")


def loan_row(**changes: str) -> list[str]:
    row = {**GOOD, **changes}
    return [row[h] for h in ZH_HEADERS] + ["备注"]


def test_every_bad_row_is_reported_and_good_rows_still_come_out() -> None:
    # Given a file with an unknown column and many kinds of mistakes, one or more per row
    rows = [
        loan_row(借款合同编号="G-1"),  # 2
        loan_row(借款合同编号="B-3", 证件号码="310104199308273933"),  # 3: check digit
        loan_row(借款合同编号="B-4", 放款日期="2024-02-30"),  # 4: no such day
        loan_row(借款合同编号="B-5", 年利率="1.2"),  # 5
        loan_row(借款合同编号="B-6", **{"期限(月)": "0"}),  # 6
        loan_row(借款合同编号="B-7", **{"期限(月)": "361"}),  # 7
        loan_row(借款合同编号="B-8", 贷款金额="100.001"),  # 8
        loan_row(借款合同编号="B-9", 还款方式="monthly"),  # 9
        loan_row(借款合同编号="DUP-1"),  # 10: repeated on row 12
        loan_row(借款合同编号="G-2", 担保人="张磊", 担保人证件号码="330106199712108089"),  # 11
        loan_row(借款合同编号="DUP-1"),  # 12
        loan_row(借款合同编号="B-13", 联系电话="12345"),  # 13
        loan_row(借款合同编号="B-14", 担保人="张磊"),  # 14: guarantor without ID
        loan_row(借款合同编号="B-15", 放款日期="2024-04-12", 到期日期="2024-04-01"),  # 15
        loan_row(借款合同编号="B-16", 借款人=" "),  # 16: empty required cell
        loan_row(  # 17: three mistakes in one row
            借款合同编号="B-17",
            借款人类型="enterprise",
            证件号码="91420106MACHE64F58",
            年利率="abc",
            放款日期="2024/13/01",
        ),
        [""] * (len(ZH_HEADERS) + 1),  # 18: empty, skipped, but counted
        loan_row(  # 19: Chinese words, a percent, short dates, a landline without hyphen
            借款合同编号="G-3",
            借款人类型="个人",
            还款方式="等额本息",
            风险等级="高",
            年利率="4.35%",
            放款日期="2024/4/1",
            到期日期="2025/04/01",
            联系电话="057132631976",
        ),
        loan_row(借款合同编号="B-20", 担保人="张磊", 担保人证件号码="330106199712108088"),  # 20
        loan_row(借款合同编号="B-21", 证件号码="91420106MACHE64F59"),  # 21: type mismatch
        loan_row(借款合同编号="B-22", 证件号码=BAD_BIRTH_DATE_ID),  # 22
        loan_row(借款合同编号="B-23", 担保人证件号码="330106199712108089"),  # 23: ID without name
    ]
    data = csv_bytes([*ZH_HEADERS, "备注"], rows)

    # When validated
    records, errors = loans_from(data, "bad.csv")

    # Then every mistake is reported at its row and column, in row order
    assert [(e.row, e.column) for e in errors] == [
        (1, "备注"),
        (3, "证件号码"),
        (4, "放款日期"),
        (5, "年利率"),
        (6, "期限(月)"),
        (7, "期限(月)"),
        (8, "贷款金额"),
        (9, "还款方式"),
        (10, "借款合同编号"),
        (12, "借款合同编号"),
        (13, "联系电话"),
        (14, "担保人证件号码"),
        (15, "到期日期"),
        (16, "借款人"),
        (17, "年利率"),
        (17, "放款日期"),
        (17, "证件号码"),
        (20, "担保人证件号码"),
        (21, "证件号码"),
        (22, "证件号码"),
        (23, "担保人"),
    ]
    # and only the good rows give records
    assert [(r.row, r.loan_no) for r in records] == [(2, "G-1"), (11, "G-2"), (19, "G-3")]
    g3 = records[2]
    assert (g3.borrower_type, g3.repayment_method, g3.risk_level) == (
        "individual",
        "equal_installment",
        "high",
    )
    assert g3.annual_rate == Decimal("0.0435")
    assert (g3.disbursement_date, g3.maturity_date) == (date(2024, 4, 1), date(2025, 4, 1))
    assert g3.borrower_phone == "0571-32631976"
    # and the messages say what is wrong
    messages = {(e.row, e.column): e.message for e in errors}
    assert "校验位" in messages[(3, "证件号码")]
    assert "出生日期" in messages[(22, "证件号码")]
    assert "统一社会信用代码" in messages[(21, "证件号码")]
    assert "12" in messages[(12, "借款合同编号")] and "10" in messages[(12, "借款合同编号")]


def test_a_missing_required_column_gives_no_records_but_rows_are_still_checked() -> None:
    # Given English headers, in another order and case, without `purpose`
    headers = [h for h in EN_HEADERS if h != "purpose"]
    headers[headers.index("annual_rate")] = " Annual_Rate "
    good = [GOOD[c.header_zh] for c in LOAN_COLUMNS if c.name != "purpose"]
    bad = list(good)
    bad[headers.index(" Annual_Rate ")] = "-0.01"
    bad[0] = "B-3"
    # When validated
    records, errors = loans_from(csv_bytes(headers, [good, bad]), "loans.csv")
    # Then the missing column is named in the file's language, the bad cell under its own header
    assert [(e.row, e.column) for e in errors] == [(1, "purpose"), (3, "Annual_Rate")]
    assert records == []


def test_records_name_columns_as_the_file_did() -> None:
    records, _ = loans_from((SAMPLES / "loans_en.csv").read_bytes(), "loans_en.csv")
    assert records[0].column_name("officer") == "officer"
    records, _ = loans_from((SAMPLES / "loans_zh.csv").read_bytes(), "loans_zh.csv")
    assert records[0].column_name("officer") == "客户经理"


# --- headers ---------------------------------------------------------------------------------


def test_headers_in_either_language_any_case_full_width_brackets() -> None:
    headers = [" LOAN_NO", "借款人", "期限（月）", "Principal"]
    header_map, errors = map_headers(headers, LOAN_COLUMNS)
    assert header_map.index == {"loan_no": 0, "borrower_name": 1, "term_months": 2, "principal": 3}
    assert header_map.labels["loan_no"] == "LOAN_NO"
    assert header_map.labels["term_months"] == "期限（月）"
    missing = {e.column for e in errors}
    assert "借款人类型" in missing  # absent columns named in the language most headers use
    assert all(e.row == 1 for e in errors)


def test_duplicated_and_unknown_headers() -> None:
    _, errors = map_headers(["loan_no", "借款合同编号", "colour", *ZH_HEADERS[1:]], LOAN_COLUMNS)
    assert [(e.row, e.column) for e in errors] == [(1, "借款合同编号"), (1, "colour")]
    assert "loan_no" in errors[0].message


# --- reading files ---------------------------------------------------------------------------


def test_empty_rows_are_skipped_but_counted() -> None:
    data = b"a,b\r\n1,2\r\n,\r\n\r\n  , \r\n3,4\r\n"
    assert read_table(data, "t.csv").rows == [(2, ["1", "2"]), (6, ["3", "4"])]
    xlsx = xlsx_bytes(["a", "b"], [["1", "2"], [None, None], ["3", "4"]])
    assert read_table(xlsx, "t.xlsx").rows == [(2, ["1", "2"]), (4, ["3", "4"])]


def test_a_quoted_cell_spanning_lines_is_one_row() -> None:
    data = b'a,b\r\n"two\r\nlines",x\r\n5,6\r\n'
    assert read_table(data, "t.csv").rows == [(2, ["two\r\nlines", "x"]), (3, ["5", "6"])]


def test_rows_are_padded_and_editor_leftover_columns_dropped() -> None:
    data = b"a,b,,\r\n1\r\n2,3,,\r\n"
    table = read_table(data, "t.csv")
    assert table.headers == ["a", "b"]
    assert table.rows == [(2, ["1", ""]), (3, ["2", "3"])]


def test_data_without_a_header_is_reported() -> None:
    table = read_table("loan_no,借款人\r\nA,B,stray\r\n".encode(), "t.csv")
    _, errors = validate_loans(table)
    assert (1, "C") in [(e.row, e.column) for e in errors]


def test_xlsx_by_magic_bytes_and_date_cells() -> None:
    xlsx = xlsx_bytes(["d"], [[date(2024, 4, 12)]])
    assert read_table(xlsx, "upload").rows == [(2, [date(2024, 4, 12)])]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "loans.csv"),
        (b"\r\n\r\n", "loans.csv"),
        (b"\xef\xbb\xbf", "loans.csv"),
        (b",,\r\nA,B,C\r\n", "loans.csv"),  # no header row
        (b"%PDF-1.4", "loans.pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "loans.xls"),
        (b"PK\x03\x04 not really a zip", "loans.xlsx"),
        ("借款合同编号".encode("utf-16"), "loans.csv"),
        (b"\xef\xbb\xbf\xff\xfe", "loans.csv"),  # says UTF-8, is not
        (b"\x81\x30", "loans.csv"),  # neither UTF-8 nor GB18030
    ],
)
def test_unreadable_files(data: bytes, filename: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_table(data, filename)
    assert caught.value.message


def test_an_xlsx_with_an_empty_first_sheet() -> None:
    with pytest.raises(ImportFileError):
        read_table(xlsx_bytes([], []), "t.xlsx")


# --- single cells ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("0571-3263197", "0571-3263197"),
        ("057132631976", "0571-32631976"),
        ("02824836604", "028-24836604"),
        ("0571123456", "057-1123456"),  # 10 digits: only 3 + 7 fits the pattern
        ("057112345678", "0571-12345678"),
        ("０１０－６２３４５６７８", "010-62345678"),
        (Decimal(13812345678), "13812345678"),
    ],
)
def test_phone_numbers(text: object, expected: str) -> None:
    assert phone_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "12812345678",
        "1381234567",
        "138123456789",
        "10-62345678",
        "010-123456",
        "010-123456789",
        "0101234567890",
        "010123456",
        "62345678",
        "abc",
    ],
)
def test_bad_phone_numbers(text: str) -> None:
    with pytest.raises(CellError):
        phone_number(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.0435", Decimal("0.0435")),
        ("4.35%", Decimal("0.0435")),
        ("4.35 %", Decimal("0.0435")),
        ("4.35％", Decimal("0.0435")),
        ("0", Decimal("0")),
        ("0.99999999", Decimal("0.99999999")),
        (Decimal("0.0435"), Decimal("0.0435")),
    ],
)
def test_annual_rates(value: object, expected: Decimal) -> None:
    assert annual_rate(value) == expected


@pytest.mark.parametrize(
    "value", ["1", "1.2", "4.35", "100%", "-0.01", "abc", "%", "0.123456789", "NaN", "1e-2"]
)
def test_bad_annual_rates(value: str) -> None:
    with pytest.raises(CellError):
        annual_rate(value)


@pytest.mark.parametrize(
    ("value", "expected"), [("12", 12), ("1", 1), ("360", 360), (Decimal("12"), 12), ("12.0", 12)]
)
def test_terms(value: object, expected: int) -> None:
    assert term_months(value) == expected


@pytest.mark.parametrize("value", ["0", "361", "12.5", Decimal("12.5"), "-1", "twelve", ""])
def test_bad_terms(value: object) -> None:
    with pytest.raises(CellError):
        term_months(value)


# --- repayments ------------------------------------------------------------------------------


def test_bad_repayment_rows() -> None:
    data = csv_bytes(
        ["借款合同编号", "还款日期", "还款金额"],
        [
            ["SAMPLE-001", "2024/5/12", "1,000.50"],  # 2: good
            ["SAMPLE-001", "2024-05-12", "0"],  # 3
            ["SAMPLE-001", "2024-05-12", "1.234"],  # 4
            ["SAMPLE-001", "12/05/2024", "10"],  # 5
            ["", "2024-05-12", "-5"],  # 6: two mistakes
            ["SAMPLE-001", "2024/5/12", "1000.5"],  # 7: a second payment the same day is fine
        ],
    )
    records, errors = validate_repayments(read_table(data, "r.csv"))
    assert [(e.row, e.column) for e in errors] == [
        (3, "还款金额"),
        (4, "还款金额"),
        (5, "还款日期"),
        (6, "借款合同编号"),
        (6, "还款金额"),
    ]
    assert records == [
        RepaymentRecord(
            row=2, loan_no="SAMPLE-001", paid_date=date(2024, 5, 12), amount=Decimal("1000.50")
        ),
        RepaymentRecord(
            row=7, loan_no="SAMPLE-001", paid_date=date(2024, 5, 12), amount=Decimal("1000.50")
        ),
    ]


def test_a_repayment_file_missing_a_column() -> None:
    records, errors = validate_repayments(read_table(b"loan_no,amount\r\nA,1\r\n", "r.csv"))
    assert [(e.row, e.column) for e in errors] == [(1, "paid_date")]
    assert records == []


# --- messages --------------------------------------------------------------------------------


def test_row_error_reads_as_a_sentence() -> None:
    error = RowError(5, "年利率", "年利率应不小于 0 且小于 1")
    assert str(error) == "第 5 行，列“年利率”：年利率应不小于 0 且小于 1"
    assert error.as_dict() == {"row": 5, "column": "年利率", "message": "年利率应不小于 0 且小于 1"}
