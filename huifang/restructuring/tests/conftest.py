"""The seed's loan: five years, an enterprise, branch A (甲分行), ten instalments paid on time."""

from datetime import date
from decimal import Decimal

import pytest

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Role
from huifang.audit.services import Actor
from huifang.lib.dates import add_months
from huifang.portfolio.models import Loan
from huifang.portfolio.selectors import installments_in_force
from huifang.portfolio.services.imports import import_file
from huifang.portfolio.services.repayments import record_repayments

COMMAND = Actor(user_id=None, name="system", via="command")
SEED_CSV = """借款合同编号,借款人,借款人类型,证件号码,联系电话,贷款产品,贷款金额,年利率,期限(月),放款日期,还款方式,贷款用途,所属机构
R-0001,武汉宏达服装有限公司,企业,91420106MACHE64F59,18330723731,小微企业经营贷,500000,0.06,60,2025-01-10,等额本息,购买生产设备,甲分行
"""
SEED_D = date(2025, 1, 10)
PAID = 10  # periods 1..10 paid on their due dates; 11 (2025-12-10) and 12 (2026-01-10) not


@pytest.fixture
def seed_loan(two_branches) -> Loan:
    report = import_file(
        kind="loans",
        data=SEED_CSV.encode(),
        filename="seed.csv",
        user=SYSTEM,
        actor=COMMAND,
    )
    assert report.applied, [str(e) for e in report.errors]
    loan = Loan.objects.get(loan_no="R-0001")
    loan.officer = two_branches[Role.OFFICER]
    loan.save(update_fields=["officer"])
    schedule = installments_in_force(loan)
    record_repayments(
        [(loan, i.due_date, i.payment) for i in schedule[:PAID]],
        actor=COMMAND,
        by=None,
        source="manual",
    )
    loan.refresh_from_db()
    return loan


def seed_effective() -> date:
    """The restructuring's effective date: after the last repayment, a month after period 12."""
    return add_months(SEED_D, 12) + (date(2026, 2, 1) - date(2026, 1, 10))


SEED_PRINCIPAL = Decimal("500000")
