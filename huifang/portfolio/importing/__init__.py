"""Reading and validating loan and repayment import files (interfaces.md).

Pure Python, no ORM: `read_table` turns the bytes of a CSV or XLSX file into a
`Table`; `validate_loans` and `validate_repayments` turn a table into records
and row errors. The services that save records live elsewhere.
"""

from huifang.portfolio.importing.errors import ImportFileError, RowError
from huifang.portfolio.importing.loans import LoanRecord, validate_loans
from huifang.portfolio.importing.reader import Table, read_table
from huifang.portfolio.importing.repayments import RepaymentRecord, validate_repayments

__all__ = [
    "ImportFileError",
    "LoanRecord",
    "RepaymentRecord",
    "RowError",
    "Table",
    "read_table",
    "validate_loans",
    "validate_repayments",
]
