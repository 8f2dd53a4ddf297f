"""Reading an import file (CSV or XLSX) into a table of cells (interfaces.md, "Loan import")."""

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import cast

from django.utils.translation import gettext as _

from huifang.portfolio.importing.columns import cell_text
from huifang.portfolio.importing.errors import ImportFileError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Excel format (.xls)
TEXT_SUFFIXES = frozenset({"", ".csv", ".txt"})
# Excel never shows more than 15 significant digits; a longer shortest-repr is binary noise
# from a formula (=0.1+0.2 shows 0.3 but is stored as 0.30000000000000004).
EXCEL_DIGITS = 15


@dataclass(slots=True)
class Table:
    """The header row and the data rows of a file's first sheet.

    Each row is (spreadsheet row number, cells): the header is row 1, the first
    data row row 2; completely empty rows are left out but keep their numbers.
    Headers are stripped text; every row has exactly len(headers) cells, each a
    str (unstripped), a Decimal (an XLSX number) or a date (an XLSX date).
    """

    headers: list[str]
    rows: list[tuple[int, list[object]]]


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV (UTF-8 with or without BOM, or GB18030) or an XLSX file; raise ImportFileError."""
    if not data:
        raise ImportFileError(_("文件为空"))
    suffix = PurePath(filename).suffix.lower()
    records: Iterator[tuple[int, list[object]]]
    if suffix == ".xlsx" or data.startswith(ZIP_MAGIC):
        records = _xlsx_records(data)
    elif suffix == ".xls" or data.startswith(OLE_MAGIC):
        raise ImportFileError(_("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV"))
    elif suffix in TEXT_SUFFIXES:
        records = _csv_records(data)
    else:
        raise ImportFileError(
            _("不支持的文件类型“%(suffix)s”，请使用 CSV 或 XLSX 文件") % {"suffix": suffix}
        )
    return _table(records)


# --- CSV ------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8 (a GB18030 file practically never is), else GB18030."""
    if b"\x00" in data:
        # What Excel's "Unicode text" writes (UTF-16), or not a text file at all.
        raise ImportFileError(_("文件不是 UTF-8 或 GB18030 编码的文本，请另存为 CSV"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data.startswith(b"\xef\xbb\xbf"):
            raise ImportFileError(_("文件标明为 UTF-8 编码，但内容不是有效的 UTF-8")) from None
    try:
        return data.decode("gb18030").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise ImportFileError(_("无法识别文件编码，请以 UTF-8 或 GB18030 保存")) from None


def _csv_records(data: bytes) -> Iterator[tuple[int, list[object]]]:
    text = _decode(data)
    header_line = text[: text.find("\n")] if "\n" in text else text
    # Excel's "Text (Tab delimited)" is the other way Chinese users save a sheet as text.
    delimiter = "\t" if "\t" in header_line and "," not in header_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        # A quoted cell may span lines; a spreadsheet shows it as one row, so count records.
        for number, cells in enumerate(reader, start=1):
            if "".join(cells).strip():
                yield number, cast(list[object], cells)
    except csv.Error as exc:
        raise ImportFileError(
            _("第 %(row)d 行无法解析：%(reason)s") % {"row": number + 1, "reason": exc}
        ) from exc


# --- XLSX -----------------------------------------------------------------------------------


def _excel_decimal(value: float) -> Decimal | str:
    """The decimal a number cell shows: 0.0435, not the nearest binary float."""
    if not math.isfinite(value):
        return str(value)
    number = Decimal(repr(value))
    if len(number.as_tuple().digits) > EXCEL_DIGITS:
        number = Decimal(format(value, f".{EXCEL_DIGITS}g"))
    return number


def _excel_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return _excel_decimal(value)
    if isinstance(value, bool):  # before int, of which it is a subclass
        return str(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, datetime):  # before date, of which it is a subclass
        return value.date()
    if isinstance(value, date):
        return value
    # Times of day, durations: text, which the column rules then reject.
    return str(value)


def _blank_excel_row(values: tuple[object, ...]) -> bool:
    return all(v is None or (type(v) is str and not v.strip()) for v in values)


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[object]]]:
    import openpyxl  # only XLSX imports pay for loading it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged file raises anything from BadZipFile to KeyError
        raise ImportFileError(_("无法读取 Excel 文件，请确认它是有效的 .xlsx 文件")) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("文件为空"))
        sheet = workbook.worksheets[0]
        # Some writers record a wrong sheet size; read every row the sheet really has.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        # values_only: a percent cell's value is already the fraction (4.35% is 0.0435), and
        # date cells come as datetimes, so the number format is not needed.
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not _blank_excel_row(values):
                yield number, [_excel_value(v) for v in values]
    except ImportFileError:
        raise
    except Exception as exc:  # damaged sheet XML surfaces only while reading rows
        raise ImportFileError(_("无法读取 Excel 文件，请确认它是有效的 .xlsx 文件")) from exc
    finally:
        workbook.close()


# --- the table ------------------------------------------------------------------------------


def _filled(cell: object) -> bool:
    return type(cell) is not str or bool(cell.strip())


def _table(records: Iterator[tuple[int, list[object]]]) -> Table:
    """Header and rows, cut or padded to the header's width.

    Columns past the last header, or with an empty header, are kept only when
    some row has data in them (map_headers then reports the missing header);
    otherwise they are an artefact of the editor and dropped.
    """
    first = next(records, None)
    if first is None:
        raise ImportFileError(_("文件为空"))
    number, header_cells = first
    if number != 1:
        raise ImportFileError(_("第 1 行应为表头，但该行为空"))
    headers = [cell_text(cell).strip() for cell in header_cells]
    width = max(i for i, header in enumerate(headers) if header) + 1
    del headers[width:]
    unnamed = [i for i, header in enumerate(headers) if not header]
    unnamed_with_data: set[int] = set()
    rows: list[tuple[int, list[object]]] = []
    for number, cells in records:
        if len(cells) > width:
            last = max(i for i, cell in enumerate(cells) if _filled(cell))
            if last >= width:
                unnamed.extend(range(width, last + 1))
                headers.extend([""] * (last + 1 - width))
                width = last + 1
        for i in unnamed:
            if i < len(cells) and _filled(cells[i]):
                unnamed_with_data.add(i)
        rows.append((number, cells))

    dropped = set(unnamed) - unnamed_with_data
    if dropped:
        keep = [i for i in range(width) if i not in dropped]
        headers = [headers[i] for i in keep]
        rows = [(n, [cells[i] if i < len(cells) else "" for i in keep]) for n, cells in rows]
    else:
        for _n, cells in rows:
            if len(cells) > width:
                del cells[width:]
            elif len(cells) < width:
                cells.extend([""] * (width - len(cells)))
    return Table(headers=headers, rows=rows)
