"""What the visit pack (回访材料包) shows, shared by the page, the PDF and the API; and the
pieces the visit report (reports/visit_report.py) shows too.

The pack takes a visit already reached through the gate (`followups.selectors.visit_for`)
and load everything else in a fixed number of queries, whatever the loan's history.
Personal data is masked unless the user holds `pii.read`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.accounts.gate import has_perm
from huifang.evidence.models import EvidenceFlag
from huifang.followups.models import Visit, VisitStatus
from huifang.portfolio import loanmath
from huifang.portfolio.models import Collateral, Loan, Repayment
from huifang.portfolio.selectors import installments_in_force
from huifang.questionnaires.models import QuestionnaireVersion
from huifang.questionnaires.schema import SIGNALS
from huifang.questionnaires.services import questionnaire_for
from huifang.reviews.models import Decision, Submission
from huifang.web.views.loans import OVERDUE, InstallmentRow, installment_rows

SEVERITY_LABELS = {"low": _("低"), "medium": _("中"), "high": _("高")}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


# --- the pieces -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """The borrower or a related party as the pack prints it (ID and phone masked per pii.read)."""

    role: str
    name: str
    kind: str
    id_no: str
    phone: str
    relation: str = ""
    address: str = ""
    industry: str = ""
    role_code: str = ""
    kind_code: str = ""


@dataclass(frozen=True)
class ScheduleRow:
    """An installment of the schedule in force, what was paid on it, and its state today."""

    principal: Decimal
    interest: Decimal
    row: InstallmentRow

    def __getattr__(self, name: str) -> Any:
        # period, due_date, payment, left, overdue_days, state, label, badge: from the row.
        return getattr(self.row, name)

    @property
    def paid(self) -> Decimal:
        return self.row.interest_paid + self.row.principal_paid


@dataclass(frozen=True)
class Finding:
    """A risk meaning of an answer, as Submission.findings holds it (questionnaire schema)."""

    signal: str
    signal_label: str
    severity: str
    severity_label: str
    label: str
    question: str = ""


@dataclass(frozen=True)
class EarlierVisit:
    """An approved visit of the same loan, with what its approved round found."""

    visit_id: int
    on: date
    kind: str
    channel: str
    subject: str
    officer: str
    findings: list[Finding]


@dataclass(frozen=True)
class RiskNote:
    """One line of 风险提示: a finding of an earlier visit, or an evidence flag."""

    source: str
    on: date | None
    label: str
    severity: str
    severity_label: str


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    script: str
    help: str
    type: str
    required: bool
    options: list[str]
    condition: str = ""


@dataclass(frozen=True)
class QuestionSection:
    title: str
    questions: list[Question]


@dataclass(frozen=True)
class VisitPack:
    """Everything an officer takes to a visit (domain.md, "回访材料")."""

    visit: Visit
    loan: Loan
    today: date
    show_pii: bool
    subject: Person
    borrower: Person
    parties: list[Person]
    collateral: list[Collateral]
    schedule: list[ScheduleRow]
    repayments: list[Repayment]
    dpd: int
    overdue_count: int
    overdue_amount: Decimal
    credit: Decimal
    earlier_visits: list[EarlierVisit]
    risk_notes: list[RiskNote]
    questionnaire: QuestionnaireVersion | None
    sections: list[QuestionSection]
    has_submission: bool


# --- helpers ---------------------------------------------------------------------------------


def pii_pair(show: bool, obj: Any) -> tuple[str, str]:
    if show:
        return obj.id_no, obj.phone
    return obj.id_no_masked, obj.phone_masked


def signal_labels() -> dict[str, str]:
    """Chinese labels of the risk signal codes (questionnaire schema)."""
    return {code: str(label) for code, label in SIGNALS.items()}


def _finding(f: dict, labels: dict[str, str]) -> Finding:
    signal, severity = str(f.get("signal", "")), str(f.get("severity", ""))
    return Finding(
        signal=signal,
        signal_label=labels.get(signal, signal),
        severity=severity,
        severity_label=str(SEVERITY_LABELS.get(severity, severity)),
        label=str(f.get("label", "")),
        question=str(f.get("question", "")),
    )


def findings_of(raw: Any, labels: dict[str, str]) -> list[Finding]:
    """Submission.findings as Finding rows, the most severe first."""
    rows = [_finding(f, labels) for f in (raw or []) if isinstance(f, dict)]
    return sorted(rows, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))


def _approved_submission(visit: Visit) -> Submission | None:
    """The round a reviewer approved (prefetched as `approved_rounds`)."""
    rounds = getattr(visit, "approved_rounds", [])
    return rounds[-1] if rounds else None


def flag_note(flag: EvidenceFlag, source: str) -> RiskNote:
    """An evidence flag as a line of 风险提示; a check that could not be made is only low."""
    severity = "low" if flag.is_informational else "medium"
    return RiskNote(
        source=source,
        on=timezone.localdate(flag.created_at),
        label=flag.text,
        severity=severity,
        severity_label=str(SEVERITY_LABELS[severity]),
    )


def evidence_flags(visit_ids: list[int]) -> list[EvidenceFlag]:
    """Evidence flags of these visits, in one query."""
    return list(EvidenceFlag.objects.filter(visit_id__in=visit_ids).order_by("visit_id", "pk"))


def questionnaire_for_visit(visit: Visit) -> QuestionnaireVersion | None:
    """The questionnaire version the visit's subject and channel call for, or None."""
    try:
        return questionnaire_for(subject_role=visit.subject_role, channel=visit.channel)
    except ValidationError:  # no active questionnaire fits: the pack says so
        return None


def _value_text(question: dict, value: Any) -> str:
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    options = {o.get("value"): o.get("label", o.get("value")) for o in question.get("options", [])}
    return str(options.get(value, value))


def _condition(show_if: Any, asked: dict[str, dict]) -> str:
    """When a conditional question is asked, in words: 当“…”为“否”时询问."""
    if not isinstance(show_if, dict) or show_if.get("question") not in asked:
        return ""
    earlier = asked[show_if["question"]]
    if "equals" in show_if:
        values = _value_text(earlier, show_if["equals"])
    else:
        values = "、".join(_value_text(earlier, v) for v in show_if.get("in") or [])
    return str(_("当“%(label)s”为“%(values)s”时询问")) % {
        "label": earlier.get("label", ""),
        "values": values,
    }


def question_sections(definition: Any) -> list[QuestionSection]:
    """The sections and questions of a questionnaire definition (schema.md), for reading out."""
    sections: list[QuestionSection] = []
    asked: dict[str, dict] = {}
    for section in (definition or {}).get("sections", []):
        questions = []
        for q in section.get("questions", []):
            questions.append(
                Question(
                    key=str(q.get("key", "")),
                    label=str(q.get("label", "")),
                    script=str(q.get("script", "") or ""),
                    help=str(q.get("help", "") or ""),
                    type=str(q.get("type", "")),
                    required=bool(q.get("required", False)),
                    options=[str(o.get("label", o.get("value", ""))) for o in q.get("options", [])],
                    condition=_condition(q.get("show_if"), asked),
                )
            )
            asked[str(q.get("key", ""))] = q
        sections.append(QuestionSection(title=str(section.get("title", "")), questions=questions))
    return sections


def _schedule(
    loan: Loan, repayments: list[Repayment], today: date
) -> tuple[Any, list[ScheduleRow]]:
    payments = [loanmath.Payment(paid_date=r.paid_date, amount=r.amount) for r in repayments]
    allocation = loanmath.allocate(installments_in_force(loan, payments), payments)
    rows = installment_rows(allocation, today)
    schedule = [
        ScheduleRow(principal=s.installment.principal, interest=s.installment.interest, row=row)
        for s, row in zip(allocation.states, rows, strict=True)
    ]
    return allocation, schedule


# --- the visit pack --------------------------------------------------------------------------


def visit_pack(*, visit: Visit, user: Any) -> VisitPack:
    """The visit pack of a visit the user may read (gate it with followups.selectors.visit_for)."""
    today = timezone.localdate()
    show_pii = has_perm(user, "pii.read")
    loan = Loan.objects.select_related("borrower", "branch", "officer").get(pk=visit.loan_id)
    b = loan.borrower

    party_rows = list(loan.parties.all())
    parties = [
        Person(
            str(p.get_role_display()),
            p.name,
            str(p.get_kind_display()),
            *pii_pair(show_pii, p),
            relation=p.relation,
            role_code=p.role,
            kind_code=p.kind,
        )
        for p in party_rows
    ]
    borrower = Person(
        str(_("借款人")),
        b.name,
        str(b.get_kind_display()),
        *pii_pair(show_pii, b),
        address=b.address,
        industry=b.industry,
        role_code="borrower",
        kind_code=b.kind,
    )
    party = next(
        (p for p, row in zip(parties, party_rows, strict=True) if row.pk == visit.party_id), None
    )
    subject = party if party is not None else borrower

    repayments = list(loan.repayments.select_related("recorded_by").order_by("paid_date", "id"))
    allocation, schedule = _schedule(loan, repayments, today)
    overdue = [r for r in schedule if r.state == OVERDUE]

    earlier = list(
        Visit.objects.filter(loan_id=loan.pk, status=VisitStatus.APPROVED)
        .exclude(pk=visit.pk)
        .select_related("assignee", "party")
        .prefetch_related(
            Prefetch(
                "submissions",
                queryset=Submission.objects.filter(review__decision=Decision.APPROVED)
                .select_related("submitted_by")
                .order_by("round"),
                to_attr="approved_rounds",
            )
        )
        .order_by("due_date", "pk")
    )
    labels = signal_labels()
    earlier_visits = []
    for v in earlier:
        approved = _approved_submission(v)
        officer = approved.submitted_by if approved and approved.submitted_by else v.assignee
        occurred = approved.occurred_at if approved else None
        earlier_visits.append(
            EarlierVisit(
                visit_id=v.pk,
                on=timezone.localdate(occurred) if occurred else v.due_date,
                kind=str(v.get_kind_display()),
                channel=str(
                    approved.get_channel_display() if approved else v.get_channel_display()
                ),
                subject=v.party.name if v.party else b.name,
                officer=str(officer) if officer else "—",
                findings=findings_of(approved.findings if approved else [], labels),
            )
        )

    risk_notes = [
        RiskNote(
            source=f"{e.kind}（{e.on:%Y-%m-%d}）",
            on=e.on,
            label=f"{f.signal_label}：{f.label}" if f.signal_label else f.label,
            severity=f.severity,
            severity_label=f.severity_label,
        )
        for e in earlier_visits
        for f in e.findings
    ]
    by_visit = {v.pk: v for v in earlier}
    for flag in evidence_flags([visit.pk, *by_visit]):
        of = by_visit.get(flag.visit_id)
        source = f"{of.get_kind_display()}（{of.due_date:%Y-%m-%d}）" if of else str(_("本次回访"))
        risk_notes.append(flag_note(flag, f"{source} · {_('证据核查')}"))
    risk_notes.sort(key=lambda n: (SEVERITY_ORDER.get(n.severity, 3), n.on or date.min))

    version = questionnaire_for_visit(visit)
    return VisitPack(
        visit=visit,
        loan=loan,
        today=today,
        show_pii=show_pii,
        subject=subject,
        borrower=borrower,
        parties=parties,
        collateral=list(loan.collateral.select_related("custodian")),
        schedule=schedule,
        repayments=repayments,
        dpd=loanmath.days_past_due(allocation, today),
        overdue_count=len(overdue),
        overdue_amount=sum((r.left for r in overdue), Decimal(0)),
        credit=allocation.credit,
        earlier_visits=earlier_visits,
        risk_notes=risk_notes,
        questionnaire=version,
        sections=question_sections(version.definition if version else None),
        has_submission=Submission.objects.filter(visit_id=visit.pk).exists(),
    )
