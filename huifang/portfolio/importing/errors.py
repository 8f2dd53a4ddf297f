"""What goes wrong in an import file, as the user is told it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read: empty, not CSV or XLSX, undecodable, no header."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CellError(Exception):
    """Raised by a cell parser; the validator adds the row and the column."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad cell (or one bad header, on row 1), numbered as a spreadsheet shows it.

    `column` is the header as the user's file spells it, so that the user finds it.
    Row 0 with no column stands for the file as a whole.
    """

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row <= 0:
            return self.message
        if not self.column:
            return _("第 %(row)d 行：%(message)s") % {"row": self.row, "message": self.message}
        return _("第 %(row)d 行，列“%(column)s”：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def as_dict(self) -> dict[str, int | str]:
        """For storing with an import batch (JSON)."""
        return {"row": self.row, "column": self.column, "message": self.message}
