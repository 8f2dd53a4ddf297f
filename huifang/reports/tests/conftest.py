"""A loan with a history for the visit pack and report: parties, collateral, repayments, an
earlier approved visit with findings, and a visit of today that went through two review rounds."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from huifang.accounts.gate import SYSTEM
from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor
from huifang.followups.models import SubjectRole, Visit, VisitChannel, VisitKind, VisitStatus
from huifang.portfolio.models import Collateral, CollateralKind, Loan, PartyRole
from huifang.portfolio.services.imports import import_file
from huifang.portfolio.services.repayments import record_repayments
from huifang.questionnaires.services import questionnaire_for
from huifang.reviews.models import Decision, Recheck, RecheckOutcome, Review, Submission

TODAY = date(2025, 6, 16)
TZ = ZoneInfo("Asia/Shanghai")
SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")
PASSWORD = "Reports-test-2026"
BORROWER_ID, BORROWER_PHONE = "110105199003074472", "13812345678"
BORROWER_ID_MASKED, BORROWER_PHONE_MASKED = "110105********4472", "138****5678"

LOANS_CSV = """借款合同编号,借款人,借款人类型,证件号码,联系电话,贷款产品,贷款金额,年利率,期限(月),放款日期,还款方式,贷款用途,所属机构,客户经理,担保人,担保人证件号码,担保人电话
HT-P-001,张伟,个人,110105199003074472,13812345678,个人经营贷,100000,0.0435,12,2025-01-15,等额本息,采购原材料,甲分行,officer_a,李娜,110105198805061230,13900001111
HT-P-002,王芳,个人,310104199308273932,13912345678,个人消费贷,200000,4.35%,24,2025-02-20,等额本金,支付学费,乙分行,officer_b,,,
"""


@dataclass
class History:
    loan: Loan
    earlier: Visit
    visit: Visit
    fresh: Visit
    other_branch_visit: Visit
    users: dict[str, User]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


@pytest.fixture
def today(time_machine) -> date:
    time_machine.move_to(at(TODAY), tick=False)
    return TODAY


def _visit(loan: Loan, due: date, *, status: str, assignee: User, kind: str) -> Visit:
    return Visit.objects.create(
        loan=loan,
        branch=loan.branch,
        subject_role=SubjectRole.BORROWER,
        kind=kind,
        due_date=due,
        channel=VisitChannel.PHONE,
        status=status,
        assignee=assignee,
        planned_by_policy=False,
    )


def _round(visit, number, *, by, on, answers, findings, notes="") -> Submission:
    version = questionnaire_for(subject_role=visit.subject_role, channel=visit.channel)
    return Submission.objects.create(
        visit=visit,
        round=number,
        questionnaire=version,
        channel=visit.channel,
        contact_result="reached",
        answers=answers,
        notes=notes,
        occurred_at=at(on, 9),
        findings=findings,
        submitted_by=by,
        submitted_at=at(on, 11),
    )


DECLINE = {
    "signal": "business_decline",
    "severity": "medium",
    "question": "revenue_trend",
    "answer": "down",
    "label": "经营收入较放款时下降",
}
MISUSE = {
    "signal": "fund_misuse",
    "severity": "high",
    "question": "funds_as_contract",
    "answer": False,
    "label": "资金未按合同约定用途使用",
}


@pytest.fixture
def history(db, today) -> History:
    branch_a = Branch.objects.create(name="甲分行", code="A")
    branch_b = Branch.objects.create(name="乙分行", code="B")
    users = {
        "officer": User.objects.create_user(
            "officer_a",
            password=PASSWORD,
            role=Role.OFFICER,
            branch=branch_a,
            display_name="王经理",
        ),
        "officer_b": User.objects.create_user(
            "officer_b", password=PASSWORD, role=Role.OFFICER, branch=branch_b
        ),
        "reviewer": User.objects.create_user(
            "reviewer_a",
            password=PASSWORD,
            role=Role.REVIEWER,
            branch=branch_a,
            display_name="孙审核",
        ),
        "reviewer2": User.objects.create_user(
            "reviewer_a2",
            password=PASSWORD,
            role=Role.REVIEWER,
            branch=branch_a,
            display_name="钱复核",
        ),
        "risk_manager": User.objects.create_user("risk", password=PASSWORD, role=Role.RISK_MANAGER),
        "admin": User.objects.create_user("admin", password=PASSWORD, role=Role.ADMIN),
        "auditor": User.objects.create_user("auditor", password=PASSWORD, role=Role.AUDITOR),
    }
    report = import_file(
        kind="loans", data=LOANS_CSV.encode(), filename="r.csv", user=SYSTEM, actor=SYSTEM_ACTOR
    )
    assert report.applied, [str(e) for e in report.errors]
    loan = Loan.objects.select_related("branch").get(loan_no="HT-P-001")
    guarantor = loan.parties.get(role=PartyRole.GUARANTOR)
    Collateral.objects.create(
        loan=loan,
        kind=CollateralKind.VEHICLE,
        description="大众帕萨特 2023款 京A·12345",
        appraised_value=Decimal("150000.00"),
        location="北京市朝阳区",
        registration_no="DY-2025-0001",
        custodian=guarantor,
    )
    # Two installments and part of the third paid: the third (due 2025-04-15) is overdue.
    record_repayments(
        [
            (loan, date(2025, 2, 15), Decimal("8600.00")),
            (loan, date(2025, 3, 14), Decimal("8600.00")),
        ],
        actor=SYSTEM_ACTOR,
        by=None,
        source="manual",
    )
    officer, reviewer = users["officer"], users["reviewer"]

    # An earlier visit, approved, that found the business declining.
    earlier = _visit(
        loan, date(2025, 2, 14), status=VisitStatus.APPROVED, assignee=officer, kind=VisitKind.FIRST
    )
    first = _round(
        earlier,
        1,
        by=officer,
        on=date(2025, 2, 17),
        answers={"funds_as_contract": True, "revenue_trend": "down"},
        findings=[DECLINE],
    )
    Review.objects.create(
        submission=first,
        reviewer=reviewer,
        decision=Decision.APPROVED,
        decided_at=at(date(2025, 2, 18)),
    )

    # Today's visit: returned once, then approved and drawn for a re-check.
    visit = _visit(
        loan, date(2025, 6, 13), status=VisitStatus.APPROVED, assignee=officer, kind=VisitKind.D90
    )
    r1 = _round(
        visit,
        1,
        by=officer,
        on=date(2025, 6, 13),
        answers={"funds_as_contract": True},
        findings=[],
        notes="客户在店内，接听顺利。",
    )
    Review.objects.create(
        submission=r1,
        reviewer=reviewer,
        decision=Decision.RETURNED,
        comment="请补充资金用途凭证。",
        decided_at=at(date(2025, 6, 13), 15),
    )
    r2 = _round(
        visit,
        2,
        by=officer,
        on=date(2025, 6, 14),
        answers={"funds_as_contract": False, "actual_use": "偿还其他借款", "revenue_trend": "down"},
        findings=[MISUSE, DECLINE],
        notes="客户承认部分资金用于偿还民间借贷。",
    )
    Review.objects.create(
        submission=r2,
        reviewer=reviewer,
        decision=Decision.APPROVED,
        comment="情况属实，转风险管理部。",
        decided_at=at(date(2025, 6, 15)),
    )
    Recheck.objects.create(
        submission=r2,
        outcome=RecheckOutcome.CONFIRMED,
        comment="电话复核一致。",
        decided_by=users["reviewer2"],
        decided_at=at(date(2025, 6, 16), 9),
    )

    # A planned visit of the same loan, never submitted, and one in branch B.
    fresh = _visit(
        loan,
        date(2025, 7, 15),
        status=VisitStatus.PLANNED,
        assignee=officer,
        kind=VisitKind.PERIODIC,
    )
    loan_b = Loan.objects.get(loan_no="HT-P-002")
    other = _visit(
        loan_b,
        date(2025, 6, 20),
        status=VisitStatus.PLANNED,
        assignee=users["officer_b"],
        kind=VisitKind.FIRST,
    )
    return History(
        loan=loan, earlier=earlier, visit=visit, fresh=fresh, other_branch_visit=other, users=users
    )


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF (pypdfium2)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def pdf_fonts(data: bytes) -> set[tuple[str, bool]]:
    """(base font name, embedded) of every font the PDF's text uses (pypdfium2)."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    fonts = set()
    document = pdfium.PdfDocument(data)
    try:
        for page in document:
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
                font = raw.FPDFTextObj_GetFont(obj.raw)
                size = raw.FPDFFont_GetBaseFontName(font, None, 0)
                buffer = ctypes.create_string_buffer(size)
                raw.FPDFFont_GetBaseFontName(font, buffer, size)
                embedded = bool(raw.FPDFFont_GetIsEmbedded(font))
                fonts.add((buffer.value.decode(errors="replace"), embedded))
    finally:
        document.close()
    return fonts


def first_page_png(data: bytes, path: str) -> Any:
    """Rasterise page 1 at 100 dpi, save it as a PNG (to look at), and return the image."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        image = document[0].render(scale=100 / 72).to_pil()
    finally:
        document.close()
    image.save(path)
    return image


def ink_share(image) -> float:
    """The share of pixels that are not (nearly) white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:230]) / (grey.width * grey.height)
