from huifang.portfolio.models.imports import ImportBatch
from huifang.portfolio.models.loans import Loan, LoanStatus, RepaymentMethod, RiskLevel
from huifang.portfolio.models.parties import (
    Borrower,
    BorrowerType,
    Collateral,
    CollateralKind,
    LoanParty,
    PartyRole,
)
from huifang.portfolio.models.schedules import Installment, Repayment, ScheduleVersion

__all__ = [
    "Borrower",
    "BorrowerType",
    "Collateral",
    "CollateralKind",
    "ImportBatch",
    "Installment",
    "Loan",
    "LoanParty",
    "LoanStatus",
    "PartyRole",
    "Repayment",
    "RepaymentMethod",
    "RiskLevel",
    "ScheduleVersion",
]
