"""A small portfolio for the web tests: two branches, a user of each role, a few loans."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from stdnum.cn import ric

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor
from huifang.followups.services.planning import plan_followups
from huifang.portfolio.models import Loan
from huifang.portfolio.services.imports import import_file

PASSWORD = "correct-horse-battery-9"
SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")

HEADERS = [
    "loan_no", "borrower_name", "borrower_type", "borrower_id_no", "borrower_phone", "product",
    "principal", "annual_rate", "term_months", "disbursement_date", "repayment_method", "purpose",
    "risk_level", "branch", "officer", "guarantor_name", "guarantor_id_no", "guarantor_phone",
]  # fmt: skip


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


ID_ZHANG = resident_id("11010119850101123")
ID_LI = resident_id("31010419900215234")
ID_WANG = resident_id("44030519781130345")
ID_GUARANTOR = resident_id("11010519700606456")
PHONE_ZHANG = "13912345678"
CREDIT_CODE = "91110108MA01ABCD97"


def loan_row(**overrides: str) -> dict[str, str]:
    row = {
        "loan_no": "HT-A-001",
        "borrower_name": "张建国",
        "borrower_type": "individual",
        "borrower_id_no": ID_ZHANG,
        "borrower_phone": PHONE_ZHANG,
        "product": "个人经营贷",
        "principal": "120000.00",
        "annual_rate": "0.0435",
        "term_months": "12",
        "disbursement_date": "2024-01-15",
        "repayment_method": "equal_installment",
        "purpose": "采购原材料",
        "risk_level": "medium",
        "branch": "北京分行",
        "officer": "officer_a",
        "guarantor_name": "",
        "guarantor_id_no": "",
        "guarantor_phone": "",
    }
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, str]], headers: list[str] = HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def import_loans(rows: list[dict[str, str]]) -> None:
    report = import_file(
        kind="loans", data=csv_bytes(rows), filename="loans.csv", user=SYSTEM, actor=SYSTEM_ACTOR
    )
    assert report.applied and not report.errors, [str(e) for e in report.errors]


@dataclass
class Portfolio:
    branch_a: Branch
    branch_b: Branch
    officer_a: User
    officer_a2: User
    officer_b: User
    reviewer: User
    risk_manager: User
    admin: User
    auditor: User

    def loan(self, loan_no: str) -> Loan:
        return Loan.objects.select_related("borrower").get(loan_no=loan_no)


@pytest.fixture
def portfolio(db) -> Portfolio:
    branch_a = Branch.objects.create(name="北京分行", code="BJ")
    branch_b = Branch.objects.create(name="上海分行", code="SH")

    def user(username: str, role: str, branch: Branch | None, name: str) -> User:
        return User.objects.create_user(
            username=username, password=PASSWORD, role=role, branch=branch, display_name=name
        )

    p = Portfolio(
        branch_a=branch_a,
        branch_b=branch_b,
        officer_a=user("officer_a", Role.OFFICER, branch_a, "王经理"),
        officer_a2=user("officer_a2", Role.OFFICER, branch_a, "赵经理"),
        officer_b=user("officer_b", Role.OFFICER, branch_b, "钱经理"),
        reviewer=user("reviewer", Role.REVIEWER, branch_a, "孙审核"),
        risk_manager=user("risk", Role.RISK_MANAGER, None, "周风险"),
        admin=user("admin", Role.ADMIN, None, "吴管理"),
        auditor=user("auditor", Role.AUDITOR, None, "郑审计"),
    )
    import_loans(
        [
            loan_row(
                guarantor_name="李担保",
                guarantor_id_no=ID_GUARANTOR,
                guarantor_phone="13800001111",
            ),
            loan_row(
                loan_no="HT-A-002",
                borrower_name="北京宏达贸易有限公司",
                borrower_type="enterprise",
                borrower_id_no=CREDIT_CODE,
                borrower_phone="010-62345678",
                product="小微企业流动资金贷",
                principal="500000.00",
                annual_rate="0.06",
                term_months="24",
                # Recent, so that its first installment is not yet due: never overdue.
                disbursement_date=(timezone.localdate() - timedelta(days=10)).isoformat(),
                repayment_method="interest_first",
                risk_level="low",
                officer="officer_a2",
            ),
            loan_row(
                loan_no="HT-B-001",
                borrower_name="李秀英",
                borrower_id_no=ID_LI,
                borrower_phone="13700002222",
                product="汽车消费贷",
                principal="80000.00",
                annual_rate="0.08",
                term_months="36",
                disbursement_date="2024-06-01",
                repayment_method="equal_principal",
                risk_level="high",
                branch="上海分行",
                officer="officer_b",
            ),
        ]
    )
    return p


@pytest.fixture
def login(client):
    """Sign a user in on the test client and return the client."""

    def sign_in(user: User):
        client.force_login(user)
        return client

    return sign_in


# --- follow-up visits ----------------------------------------------------------------------------

VISITS_TODAY = date(2025, 6, 16)  # a Monday; 2025-05-31..06-02 is the Dragon Boat holiday
PLANNED_AS_OF = date(2025, 5, 1)


def borrower_id(n: int) -> str:
    return resident_id(f"110101198502{n:02}321")


def visit_loans() -> list[dict[str, str]]:
    """Loans whose first visits fall around VISITS_TODAY (followup-policy.md: first = D + 30 days)."""
    return [
        # first: 06-01 (Sunday, in the holiday) -> 06-03: overdue
        loan_row(loan_no="V-A-01", borrower_name="陈一", borrower_id_no=borrower_id(1),
                 disbursement_date="2025-05-02"),
        # first: 06-08 (Sunday) -> 06-09: overdue
        loan_row(loan_no="V-A-02", borrower_name="陈二", borrower_id_no=borrower_id(2),
                 disbursement_date="2025-05-09"),
        # first: 06-16: today
        loan_row(loan_no="V-A-03", borrower_name="陈三", borrower_id_no=borrower_id(3),
                 disbursement_date="2025-05-17"),
        # first: 06-19, on site (an enterprise): in the coming week
        loan_row(loan_no="V-A-04", borrower_name="北京宏达贸易有限公司",
                 borrower_type="enterprise", borrower_id_no=CREDIT_CODE,
                 borrower_phone="010-62345678", disbursement_date="2025-05-20"),
        # d90: 06-16 for the borrower and for the guarantor: today
        loan_row(loan_no="V-A-05", borrower_name="陈五", borrower_id_no=borrower_id(5),
                 disbursement_date="2025-03-18", guarantor_name="周保",
                 guarantor_id_no=ID_GUARANTOR, guarantor_phone="13800003333"),
        # another officer of branch A, and an officer of branch B: 06-03, overdue
        loan_row(loan_no="V-A-06", borrower_name="陈六", borrower_id_no=borrower_id(6),
                 disbursement_date="2025-05-02", officer="officer_a2"),
        loan_row(loan_no="V-B-01", borrower_name="林七", borrower_id_no=borrower_id(7),
                 disbursement_date="2025-05-02", branch="上海分行", officer="officer_b"),
    ]  # fmt: skip


@pytest.fixture
def frozen_today(time_machine):
    # The clock ticks on from 10:00, so that a change made after planning is seen as later.
    time_machine.move_to(
        datetime.combine(VISITS_TODAY, time(10, 0), tzinfo=ZoneInfo("Asia/Shanghai")), tick=True
    )
    return VISITS_TODAY


@pytest.fixture
def planned(frozen_today, portfolio) -> Portfolio:
    """The portfolio with the loans above, its visits planned from 2025-05-01, on 2025-06-16."""
    import_loans(visit_loans())
    plan_followups(as_of=PLANNED_AS_OF, actor=SYSTEM_ACTOR)
    return portfolio
