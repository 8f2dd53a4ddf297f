"""Raising signals: from an approved review round, from repayment behaviour, and by hand.

Raising from the same source twice changes nothing (each signal carries the key
of what it came from), so a re-run or a second call is harmless. After new
signals the loan's warnings are evaluated at once.
"""

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import require, require_branch
from huifang.audit.services import Actor, Change, record, record_many
from huifang.risk import lexicon
from huifang.risk.codes import SEVERITY_RANK, Severity, SignalCode, SignalSource
from huifang.risk.models import Signal, SignalStatus
from huifang.risk.selectors import active_terms, loan_behaviour
from huifang.risk.services.warnings import warnings_evaluate

MAX_EVIDENCE = 2000
# The nightly scan looks again at loans paid this many days back (a missed night or two).
RECENT_PAYMENT_DAYS = 7


def _create(
    *,
    loan: Any,
    source: str,
    code: str,
    severity: str,
    evidence: str,
    actor: Actor,
    by: Any = None,
    key: str = "",
    **links: Any,
) -> Signal | None:
    if key and Signal.objects.filter(loan=loan, source_key=key).exists():
        return None
    signal = Signal.objects.create(
        loan=loan,
        source=source,
        code=code,
        severity=severity,
        evidence=evidence[:MAX_EVIDENCE],
        raised_by=by if getattr(by, "pk", None) else None,
        source_key=key,
        **links,
    )
    record(
        actor,
        Change(
            action="signal_raise",
            object_type="risk.signal",
            object_id=str(signal.pk),
            summary=f"{loan.loan_no} {signal.get_code_display()} {signal.get_severity_display()}",
            after={
                "loan": loan.loan_no,
                "source": source,
                "code": code,
                "severity": severity,
                "evidence": signal.evidence,
                **{k: getattr(v, "pk", v) for k, v in links.items()},
            },
        ),
    )
    return signal


def _question_labels(submission: Any) -> dict[str, dict]:
    from huifang.questionnaires.schema import iter_questions

    definition = submission.questionnaire.definition or {}
    return {str(q.get("key")): q for q in iter_questions(definition)}


def _finding_source(finding: dict, visit: Any) -> str:
    if not finding.get("question"):
        return SignalSource.CONTACT  # the contact result (could not reach, refused, wrong number)
    if visit.subject_role == "guarantor":
        return SignalSource.GUARANTOR
    if finding.get("signal") == "collateral_risk":
        return SignalSource.COLLATERAL
    return SignalSource.ANSWER


def _finding_evidence(finding: dict, questions: dict[str, dict]) -> str:
    from huifang.questionnaires.schema import display_answer

    label = str(finding.get("label") or "")
    question = questions.get(finding.get("question") or "")
    if not question:
        return label
    answer = display_answer(question, finding.get("answer"))
    return _("%(label)s（%(question)s：%(answer)s）") % {
        "label": label,
        "question": question.get("label", ""),
        "answer": answer,
    }


def risk_from_submission(
    *, submission: Any, actor: Actor, as_of: date | None = None
) -> list[Signal]:
    """Signals of an approved review round: its findings, and the lexicon over its notes.

    Called inside review_decide on approval; then the loan's warnings are evaluated.
    """
    visit = submission.visit
    loan = visit.loan
    made: list[Signal] = []
    with transaction.atomic():
        questions = _question_labels(submission)
        for finding in submission.findings or []:
            code = finding.get("signal")
            code = code if code in SignalCode.values else SignalCode.OTHER_RISK
            severity = finding.get("severity")
            severity = severity if severity in Severity.values else Severity.MEDIUM
            signal = _create(
                loan=loan,
                source=_finding_source(finding, visit),
                code=code,
                severity=severity,
                evidence=_finding_evidence(finding, questions),
                actor=actor,
                key=f"sub:{submission.pk}:{finding.get('question') or 'contact'}:{code}",
                submission=submission,
                visit=visit,
            )
            if signal:
                made.append(signal)
        for hit in lexicon.match(submission.notes or "", active_terms()):
            signal = _create(
                loan=loan,
                source=SignalSource.NOTE,
                code=hit.code,
                severity=hit.severity,
                evidence=_("回访记录提到“%(term)s”：%(excerpt)s")
                % {"term": hit.term, "excerpt": hit.excerpt},
                actor=actor,
                key=f"sub:{submission.pk}:note:{hit.term}",
                submission=submission,
                visit=visit,
            )
            if signal:
                made.append(signal)
        if made:
            warnings_evaluate(loan=loan, actor=actor, as_of=as_of)
    return made


def signal_raise(
    *,
    loan: Any,
    code: str,
    severity: str,
    evidence: str,
    user: Any,
    actor: Actor,
    source: str = SignalSource.MANUAL,
    visit: Any = None,
    as_of: date | None = None,
) -> Signal:
    """A signal raised by hand, with its evidence; the loan's warnings are evaluated at once."""
    require(user, "signal.raise", ip=actor.ip)
    require_branch(
        user, loan.branch_id, object_type="portfolio.loan", object_id=loan.loan_no, ip=actor.ip
    )
    evidence = (evidence or "").strip()
    errors = {}
    if code not in SignalCode.values:
        errors["code"] = _("请选择预警信号")
    if severity not in Severity.values:
        errors["severity"] = _("请选择严重程度（低、中、高）")
    if not evidence:
        errors["evidence"] = _("请写明依据：看到了什么、在哪里、何时")
    elif len(evidence) > MAX_EVIDENCE:
        errors["evidence"] = _("依据最多 %(n)d 个字") % {"n": MAX_EVIDENCE}
    if source not in SignalSource.values:
        errors["source"] = _("无效的来源")
    if visit is not None and visit.loan_id != loan.pk:
        errors["visit"] = _("这次回访不属于该贷款")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        signal = _create(
            loan=loan,
            source=source,
            code=code,
            severity=severity,
            evidence=evidence,
            actor=actor,
            by=user,
            visit=visit,
        )
        assert signal is not None  # no key: always created
        warnings_evaluate(loan=loan, actor=actor, as_of=as_of, by=user)
    return signal


def _overdue_severity(dpd: int) -> str:
    return "low" if dpd <= 30 else "medium" if dpd <= 90 else "high"


def _close(signals: Any, reason: str, actor: Actor) -> int:
    """Close open signals the facts no longer bear out (the system closes them, audited)."""
    closing = list(signals.select_related("loan"))
    if not closing:
        return 0
    Signal.objects.filter(pk__in=[s.pk for s in closing]).update(
        status=SignalStatus.CLOSED, closed_at=timezone.now(), close_reason=reason[:300]
    )
    record_many(
        actor,
        [
            Change(
                action="signal_close",
                object_type="risk.signal",
                object_id=str(s.pk),
                summary=f"{s.loan.loan_no} {s.get_code_display()}",
                before={"status": "open"},
                after={"status": "closed", "reason": reason},
            )
            for s in closing
        ],
    )
    return len(closing)


def _repayment_signals(loan: Any, as_of: date, actor: Actor) -> list[Signal]:
    """Signals of one loan's repayment behaviour as of a date (overdue, partial, worsening)."""
    from huifang.portfolio.models import Repayment

    seen = loan_behaviour(loan, as_of)
    mine = Signal.objects.filter(loan=loan, source=SignalSource.REPAYMENT, status=SignalStatus.OPEN)
    last = Repayment.objects.filter(loan=loan, paid_date__lte=as_of).order_by("-paid_date").first()
    made: list[Signal | None] = []
    if seen.dpd == 0:
        _close(
            mine.filter(code__in=[SignalCode.OVERDUE, SignalCode.PARTIAL_PAYMENT]),
            _("逾期已还清（%(day)s）") % {"day": as_of.isoformat()},
            actor,
        )
    else:
        severity = _overdue_severity(seen.dpd)
        overdue = list(mine.filter(code=SignalCode.OVERDUE))
        if not any(SEVERITY_RANK[s.severity] >= SEVERITY_RANK[severity] for s in overdue):
            _close(mine.filter(code=SignalCode.OVERDUE), _("逾期加重"), actor)
            made.append(
                _create(
                    loan=loan,
                    source=SignalSource.REPAYMENT,
                    code=SignalCode.OVERDUE,
                    severity=severity,
                    evidence=_("截至 %(day)s 逾期 %(dpd)d 天")
                    % {"day": as_of.isoformat(), "dpd": seen.dpd},
                    actor=actor,
                    repayment=last,
                )
            )
        if seen.partial_payment and not mine.filter(code=SignalCode.PARTIAL_PAYMENT).exists():
            made.append(
                _create(
                    loan=loan,
                    source=SignalSource.REPAYMENT,
                    code=SignalCode.PARTIAL_PAYMENT,
                    severity=Severity.LOW,
                    evidence=_("最早一期未还清的应还款只还了一部分（截至 %(day)s）")
                    % {"day": as_of.isoformat()},
                    actor=actor,
                    repayment=last,
                )
            )
    if seen.worsening and not mine.filter(code=SignalCode.REPAYMENT_TREND).exists():
        made.append(
            _create(
                loan=loan,
                source=SignalSource.REPAYMENT,
                code=SignalCode.REPAYMENT_TREND,
                severity=Severity.MEDIUM,
                evidence=_("最近 %(n)d 期还款逐期推迟：迟还天数 %(days)s")
                % {"n": len(seen.lateness), "days": "、".join(str(d) for d in seen.lateness)},
                actor=actor,
                repayment=last,
            )
        )
    return [s for s in made if s is not None]


def _contact_signals(loan: Any, as_of: date, actor: Actor) -> list[Signal]:
    """Unanswered contact attempts on enough days (the retry rule's count): one open signal."""
    from django.conf import settings

    from huifang.followups.models import ContactAttempt
    from huifang.risk.selectors import FAILED_CONTACT_DAYS, FAILED_RESULTS

    since = as_of - timedelta(days=FAILED_CONTACT_DAYS)
    attempts = list(
        ContactAttempt.objects.filter(
            visit__loan=loan, result__in=FAILED_RESULTS, attempted_at__date__lte=as_of
        )
        .order_by("attempted_at")
        .values_list("attempted_at", "visit_id")
    )
    days = sorted(d for d in {timezone.localdate(at) for at, _v in attempts} if d >= since)
    if len(days) < settings.HUIFANG_CONTACT_MAX_ATTEMPTS:
        return []
    if Signal.objects.filter(loan=loan, code=SignalCode.CONTACT_FAILURE, status="open").exists():
        return []
    signal = _create(
        loan=loan,
        source=SignalSource.CONTACT,
        code=SignalCode.CONTACT_FAILURE,
        severity=Severity.HIGH,
        evidence=_("%(n)d 天联系不上：%(days)s")
        % {"n": len(days), "days": "、".join(d.isoformat() for d in days)},
        actor=actor,
        key=f"contact:{days[-1].isoformat()}",
        visit_id=attempts[-1][1],
    )
    return [signal] if signal else []


def risk_from_repayments(*, as_of: date, actor: Actor, loans: Any = None) -> dict[str, int]:
    """The nightly look at repayment behaviour and failed contacts: signals, then warnings.

    Concerned: active loans overdue as of the date, with unanswered contact attempts
    lately, or with open signals or an open warning.
    """
    from huifang.followups.models import ContactAttempt
    from huifang.portfolio.models import Loan, LoanStatus, Repayment
    from huifang.risk.models import OPEN_WARNING, Warning
    from huifang.risk.selectors import FAILED_CONTACT_DAYS, FAILED_RESULTS

    qs = loans if loans is not None else Loan.objects.filter(status=LoanStatus.ACTIVE)
    with_signals = Signal.objects.filter(status=SignalStatus.OPEN).values("loan_id")
    with_warning = Warning.objects.filter(status__in=OPEN_WARNING).values("loan_id")
    unanswered = ContactAttempt.objects.filter(
        result__in=FAILED_RESULTS,
        attempted_at__date__gte=as_of - timedelta(days=FAILED_CONTACT_DAYS),
    ).values("visit__loan_id")
    # A trend changes only when a payment settles an instalment (or one falls overdue).
    paid_lately = Repayment.objects.filter(
        paid_date__gt=as_of - timedelta(days=RECENT_PAYMENT_DAYS), paid_date__lte=as_of
    ).values("loan_id")
    qs = qs.filter(
        Q(first_unpaid_due__lt=as_of)
        | Q(pk__in=with_signals)
        | Q(pk__in=with_warning)
        | Q(pk__in=unanswered)
        | Q(pk__in=paid_lately)
    )
    counts = {"loans": 0, "signals": 0, "warnings": 0}
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for loan in (Loan.objects.select_related("borrower").get(pk=pk) for pk in ids):
        with transaction.atomic():
            made = _repayment_signals(loan, as_of, actor) + _contact_signals(loan, as_of, actor)
            before = Warning.objects.filter(loan=loan).count()
            warnings_evaluate(loan=loan, actor=actor, as_of=as_of)
            counts["warnings"] += Warning.objects.filter(loan=loan).count() - before
        counts["loans"] += 1
        counts["signals"] += len(made)
    with transaction.atomic():
        record(
            actor,
            Change(
                action="risk_scan",
                object_type="risk.scan",
                object_id=as_of.isoformat(),
                summary=f"风险扫描 {as_of}: {counts['loans']} 笔贷款",
                after=counts,
            ),
        )
    return counts
