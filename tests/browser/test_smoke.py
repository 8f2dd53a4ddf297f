"""Smoke test in a real browser: an officer signs in on a phone and sees the due list."""

from datetime import timedelta

from django.utils import timezone

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor
from huifang.followups.models import SubjectRole, Visit, VisitChannel, VisitKind
from huifang.portfolio.models import Loan
from huifang.portfolio.services.imports import import_file
from tests.browser.conftest import login, screenshot

PASSWORD = "Huifang-browser-2026"
LOANS_CSV = """借款合同编号,借款人,借款人类型,证件号码,联系电话,贷款产品,贷款金额,年利率,期限(月),放款日期,还款方式,贷款用途,所属机构,客户经理
BR-0001,张伟,个人,110105199003074472,13812345678,个人消费贷,100000,0.0435,12,2025-01-15,等额本息,家庭装修,甲分行,officer_a
"""


def _an_officer_with_an_overdue_visit() -> User:
    branch = Branch.objects.create(name="甲分行", code="A")
    officer = User.objects.create_user(
        username="officer_a",
        password=PASSWORD,
        role=Role.OFFICER,
        branch=branch,
        display_name="王经理",
    )
    report = import_file(
        kind="loans",
        data=LOANS_CSV.encode(),
        filename="browser.csv",
        user=SYSTEM,
        actor=Actor(user_id=None, name="system", via="command"),
    )
    assert report.applied, [str(e) for e in report.errors]
    loan = Loan.objects.get(loan_no="BR-0001")
    Visit.objects.create(
        loan=loan,
        branch=loan.branch,
        subject_role=SubjectRole.BORROWER,
        kind=VisitKind.FIRST,
        due_date=timezone.localdate() - timedelta(days=3),
        channel=VisitChannel.PHONE,
        assignee=officer,
        planned_by_policy=False,
    )
    return officer


def test_an_officer_signs_in_on_a_phone_and_sees_the_due_list(phone_page, live_server):
    # given an officer with a visit three days overdue
    officer = _an_officer_with_an_overdue_visit()

    # when they sign in on a phone and open 我的回访
    login(phone_page, live_server, officer.username, PASSWORD)
    phone_page.goto(f"{live_server.url}/visits/")

    # then the Chinese due list shows the overdue visit, and the page fits the phone's width
    assert phone_page.locator("h1").inner_text() == "我的回访"
    overdue = phone_page.locator("#overdue")
    assert "BR-0001" in overdue.inner_text()
    assert "张伟" in overdue.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot = screenshot(phone_page, "visit_list_phone")
    assert shot.stat().st_size > 10_000
