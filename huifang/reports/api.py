"""Reports endpoints: the visit pack (JSON and PDF) and the visit report (PDF)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from huifang.api.common import ip
from huifang.followups.selectors import visit_for
from huifang.lib import pdf
from huifang.reports.selectors import Person, VisitPack, visit_pack
from huifang.reports.views import FONT_MISSING_EN, department_error, pack_pdf, report_pdf
from huifang.reports.visit_report import DEFAULT_DEPARTMENT, DEPARTMENTS, visit_report

router = Router(tags=["reports"])


class PersonOut(Schema):
    role: str
    role_label: str
    name: str
    kind: str
    kind_label: str
    id_no: str
    phone: str
    relation: str
    address: str
    industry: str


class PackVisitOut(Schema):
    id: int
    subject_role: str
    subject: PersonOut
    kind: str
    due_date: date
    channel: str
    status: str
    assignee: str | None


class ContractOut(Schema):
    loan_no: str
    product: str
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    disbursement_date: date
    maturity_date: date
    repayment_method: str
    purpose: str
    risk_level: str
    branch: str
    officer: str | None
    status: str
    outstanding_principal: Decimal
    dpd: int
    overdue_installments: int
    overdue_amount: Decimal


class CollateralOut(Schema):
    kind: str
    description: str
    appraised_value: Decimal
    location: str
    registration_no: str
    custodian: str | None


class ScheduleRowOut(Schema):
    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    payment: Decimal
    paid: Decimal
    left: Decimal
    state: str
    overdue_days: int


class RepaymentOut(Schema):
    paid_date: date
    amount: Decimal
    source: str
    note: str


class FindingOut(Schema):
    signal: str
    severity: str
    label: str


class EarlierVisitOut(Schema):
    visit_id: int
    on: date
    kind: str
    channel: str
    subject: str
    officer: str
    findings: list[FindingOut]


class RiskNoteOut(Schema):
    source: str
    on: date | None
    label: str
    severity: str


class QuestionOut(Schema):
    key: str
    label: str
    script: str
    help: str
    type: str
    required: bool
    options: list[str]
    condition: str


class SectionOut(Schema):
    title: str
    questions: list[QuestionOut]


class QuestionnaireOut(Schema):
    code: str
    name: str
    version: int
    sections: list[SectionOut]


class PackOut(Schema):
    as_of: date
    pii_masked: bool
    visit: PackVisitOut
    contract: ContractOut
    borrower: PersonOut
    parties: list[PersonOut]
    collateral: list[CollateralOut]
    schedule: list[ScheduleRowOut]
    repayments: list[RepaymentOut]
    earlier_visits: list[EarlierVisitOut]
    risk_notes: list[RiskNoteOut]
    questionnaire: QuestionnaireOut | None


def _person(p: Person) -> dict[str, Any]:
    return {
        "role": p.role_code,
        "role_label": p.role,
        "name": p.name,
        "kind": p.kind_code,
        "kind_label": p.kind,
        "id_no": p.id_no,
        "phone": p.phone,
        "relation": p.relation,
        "address": p.address,
        "industry": p.industry,
    }


def pack_data(pack: VisitPack) -> dict[str, Any]:
    """The visit pack as the API answers it (codes, not labels, where a code exists)."""
    visit, loan, q = pack.visit, pack.loan, pack.questionnaire
    return {
        "as_of": pack.today,
        "pii_masked": not pack.show_pii,
        "visit": {
            "id": visit.pk,
            "subject_role": visit.subject_role,
            "subject": _person(pack.subject),
            "kind": visit.kind,
            "due_date": visit.due_date,
            "channel": visit.channel,
            "status": visit.status,
            "assignee": visit.assignee.username if visit.assignee else None,
        },
        "contract": {
            "loan_no": loan.loan_no,
            "product": loan.product,
            "principal": loan.principal,
            "annual_rate": loan.annual_rate,
            "term_months": loan.term_months,
            "disbursement_date": loan.disbursement_date,
            "maturity_date": loan.maturity_date,
            "repayment_method": loan.repayment_method,
            "purpose": loan.purpose,
            "risk_level": loan.risk_level,
            "branch": loan.branch.name,
            "officer": loan.officer.username if loan.officer else None,
            "status": loan.status,
            "outstanding_principal": loan.outstanding_principal,
            "dpd": pack.dpd,
            "overdue_installments": pack.overdue_count,
            "overdue_amount": pack.overdue_amount,
        },
        "borrower": _person(pack.borrower),
        "parties": [_person(p) for p in pack.parties],
        "collateral": [
            {
                "kind": c.kind,
                "description": c.description,
                "appraised_value": c.appraised_value,
                "location": c.location,
                "registration_no": c.registration_no,
                "custodian": c.custodian.name if c.custodian else None,
            }
            for c in pack.collateral
        ],
        "schedule": [
            {
                "period": r.period,
                "due_date": r.due_date,
                "principal": r.principal,
                "interest": r.interest,
                "payment": r.payment,
                "paid": r.paid,
                "left": r.left,
                "state": r.state,
                "overdue_days": r.overdue_days,
            }
            for r in pack.schedule
        ],
        "repayments": [
            {"paid_date": r.paid_date, "amount": r.amount, "source": r.source, "note": r.note}
            for r in pack.repayments
        ],
        "earlier_visits": [
            {
                "visit_id": e.visit_id,
                "on": e.on,
                "kind": e.kind,
                "channel": e.channel,
                "subject": e.subject,
                "officer": e.officer,
                "findings": [
                    {"signal": f.signal, "severity": f.severity, "label": f.label}
                    for f in e.findings
                ],
            }
            for e in pack.earlier_visits
        ],
        "risk_notes": [
            {"source": n.source, "on": n.on, "label": n.label, "severity": n.severity}
            for n in pack.risk_notes
        ],
        "questionnaire": (
            {
                "code": q.questionnaire.code,
                "name": q.questionnaire.name,
                "version": q.number,
                "sections": [
                    {"title": s.title, "questions": [vars(question) for question in s.questions]}
                    for s in pack.sections
                ],
            }
            if q is not None
            else None
        ),
    }


def _font_check() -> None:
    if not pdf.cjk_font_available():
        raise HttpError(
            503,
            f"PDF 中的中文需要 CJK 字体：apt-get install {pdf.CJK_FONT_PACKAGE}（{FONT_MISSING_EN}）",
        )


@router.get("/visits/{visit_id}/pack", response=PackOut, summary="回访材料包")
def get_pack(request: HttpRequest, visit_id: int) -> Any:
    visit = visit_for(request.user, visit_id, via="api", ip=ip(request))
    return pack_data(visit_pack(visit=visit, user=request.user))


@router.get("/visits/{visit_id}/pack.pdf", summary="回访材料包 PDF")
def get_pack_pdf(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request.user, visit_id, via="api", ip=ip(request))
    _font_check()
    return pack_pdf(visit_pack(visit=visit, user=request.user))


@router.get("/visits/{visit_id}/report.pdf", summary="回访报告 PDF")
def get_report_pdf(
    request: HttpRequest, visit_id: int, to: str = DEFAULT_DEPARTMENT
) -> HttpResponse:
    visit = visit_for(request.user, visit_id, via="api", ip=ip(request))
    if to not in DEPARTMENTS:
        raise HttpError(422, department_error(to))
    report = visit_report(visit=visit, user=request.user, department=to)
    _font_check()
    return report_pdf(report)
