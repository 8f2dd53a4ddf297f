"""What the visit report (回访报告) shows, one read shared by the page, the PDF and the API.

It takes a visit already reached through the gate (`followups.selectors.visit_for`),
loads everything else in a fixed number of queries, and masks personal data unless
the user holds `pii.read`.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huifang.accounts.gate import has_perm
from huifang.evidence.models import Attachment
from huifang.followups.models import Visit
from huifang.portfolio.models import Loan
from huifang.reports.selectors import (
    Finding,
    Person,
    RiskNote,
    evidence_flags,
    findings_of,
    flag_note,
    pii_pair,
    signal_labels,
)
from huifang.reviews.models import Recheck, Review, Submission

# The departments a visit report goes to (domain.md, "Analyse and report"): ?to=<code>.
DEPARTMENTS: dict[str, Any] = {
    "risk": _("风险管理部"),
    "credit": _("授信审批部"),
    "collections": _("催收部"),
    "service": _("客户服务部"),
}
DEFAULT_DEPARTMENT = "risk"


@dataclass(frozen=True)
class Round:
    """One submission round with its review and re-check."""

    submission: Submission
    findings: list[Finding]
    review: Review | None
    recheck: Recheck | None


@dataclass(frozen=True)
class AttachmentRow:
    name: str
    kind: str
    sha256_16: str
    size: int | None
    uploaded_at: Any


@dataclass(frozen=True)
class VisitReport:
    """A visit as a reviewed record: every round, its review, re-check, evidence (for 分析反馈)."""

    visit: Visit
    loan: Loan
    subject: Person
    department_code: str
    department: str
    rounds: list[Round]
    flags: list[RiskNote]
    show_attachments: bool
    attachments: list[AttachmentRow] = field(default_factory=list)
    generated_at: Any = None


def _attachments(visit: Visit) -> list[AttachmentRow]:
    """The visit's attachments still on the record (withdrawn ones are not evidence)."""
    return [
        AttachmentRow(
            name=a.original_name,
            kind=str(a.get_kind_display()),
            sha256_16=a.sha256[:16],
            size=a.size,
            uploaded_at=a.uploaded_at,
        )
        for a in Attachment.objects.filter(visit_id=visit.pk, removed_at__isnull=True).order_by(
            "uploaded_at", "pk"
        )
    ]


def visit_report(*, visit: Visit, user: Any, department: str = DEFAULT_DEPARTMENT) -> VisitReport:
    """The report of a visit the user may read; Http404 when it was never submitted."""
    if department not in DEPARTMENTS:
        raise ValueError(department)
    rounds_qs = list(
        Submission.objects.filter(visit_id=visit.pk)
        .select_related("questionnaire", "submitted_by", "review__reviewer", "recheck__decided_by")
        .order_by("round")
    )
    if not rounds_qs:
        raise Http404(visit.pk)
    loan = Loan.objects.select_related("borrower", "branch", "officer").get(pk=visit.loan_id)
    show_pii = has_perm(user, "pii.read")
    b: Any = visit.party if visit.party_id else loan.borrower
    subject = Person(
        str(visit.get_subject_role_display()),
        b.name,
        str(b.get_kind_display()),
        *pii_pair(show_pii, b),
        role_code=visit.subject_role,
        kind_code=b.kind,
    )
    labels = signal_labels()
    rounds = [
        Round(
            submission=s,
            findings=findings_of(s.findings, labels),
            review=_related_or_none(s, "review"),
            recheck=_related_or_none(s, "recheck"),
        )
        for s in rounds_qs
    ]
    flags = [flag_note(flag, str(_("证据核查"))) for flag in evidence_flags([visit.pk])]
    show_attachments = has_perm(user, "attachments.read")
    return VisitReport(
        visit=visit,
        loan=loan,
        subject=subject,
        department_code=department,
        department=str(DEPARTMENTS[department]),
        rounds=rounds,
        flags=flags,
        show_attachments=show_attachments,
        attachments=_attachments(visit) if show_attachments else [],
        generated_at=timezone.localtime(),
    )


def _related_or_none(obj: Any, name: str) -> Any:
    """A reverse one-to-one (review, recheck) or None when there is none."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None
