"""Submitting visits for review and the four-eyes decision on them.

A submission freezes the officer's working record as review round n. A reviewer
who had no hand in the record approves it, or returns it with a comment; the
officer corrects the working record and submits round n+1. Nothing is deleted:
every round, decision and re-check stays. Only approved visits count as done
(and are filed in the archive, and feed risk analysis).
"""

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import deny, require
from huifang.accounts.models import Role, User
from huifang.audit.services import Actor
from huifang.followups.models import ContactResult, Visit, VisitChannel, VisitRecord, VisitStatus
from huifang.followups.services.recording import submission_problems, visit_audit, visit_lock
from huifang.notifications.services import notify
from huifang.questionnaires import schema
from huifang.reviews.models import Decision, Recheck, RecheckOutcome, Review, Submission
from huifang.reviews.selectors import has_had_a_hand


def _new_round(visit: Visit, rec: VisitRecord, *, answers: dict, findings: list, by: Any):
    last = Submission.objects.filter(visit=visit).order_by("-round").first()
    return Submission.objects.create(
        visit=visit,
        round=(last.round + 1) if last else 1,
        questionnaire=rec.questionnaire,
        channel=rec.channel,
        contact_result=rec.contact_result or ContactResult.REACHED,
        answers=answers,
        notes=rec.notes,
        occurred_at=rec.occurred_at,
        latitude=rec.latitude,
        longitude=rec.longitude,
        location_accuracy_m=rec.location_accuracy_m,
        received_online=rec.received_online,
        findings=findings,
        submitted_by=by,
    )


def visit_submit(*, visit: Visit, user: Any, actor: Actor, revision: int) -> Submission:
    """Freeze the working record as the next review round; the visit waits for a reviewer.

    The caller obtained `visit` through visit_for(user, id, work=True).
    """
    from huifang.evidence.services import evidence_check_onsite

    with transaction.atomic():
        visit_lock(visit)
        if visit.status not in (VisitStatus.IN_PROGRESS, VisitStatus.RETURNED):
            raise ValidationError(_("只有进行中或被退回的回访可以提交"))
        rec = VisitRecord.objects.select_for_update().get(visit=visit)
        if revision != rec.revision:
            raise ValidationError(_("这份记录已在别处更新，请刷新后再提交。"))
        state, problems = submission_problems(visit, rec)
        if problems:
            raise ValidationError(problems)
        answers = rec.answers if state.needs_answers else {}
        definition = rec.questionnaire.definition
        answers, _errors = schema.clean_answers(definition, answers, complete=False)
        found = state.findings + schema.findings(definition, answers)
        submission = _new_round(visit, rec, answers=answers, findings=found, by=user)
        if rec.channel == VisitChannel.ONSITE:
            evidence_check_onsite(
                visit=visit,
                occurred_at=rec.occurred_at,
                latitude=rec.latitude,
                longitude=rec.longitude,
            )
        before = visit.status
        visit.status = VisitStatus.SUBMITTED
        visit.updated_at = timezone.now()
        visit.save(update_fields=["status", "updated_at"])
        visit_audit(
            actor,
            visit,
            "visit_submit",
            before={"status": before},
            after={
                "status": visit.status,
                "round": submission.round,
                "findings": [f["signal"] for f in found],
            },
        )
    return submission


def online_submit(*, visit: Visit, rec: VisitRecord, answers: dict, actor: Actor) -> Submission:
    """A borrower's online answers as a review round (called by the online-link service)."""
    definition = rec.questionnaire.definition
    submission = _new_round(
        visit, rec, answers=answers, findings=schema.findings(definition, answers), by=None
    )
    before = visit.status
    visit.status = VisitStatus.SUBMITTED
    visit.updated_at = timezone.now()
    visit.save(update_fields=["status", "updated_at"])
    visit_audit(
        actor,
        visit,
        "visit_submit",
        before={"status": before},
        after={"status": visit.status, "round": submission.round, "online": True},
    )
    return submission


def review_decide(
    *, submission: Submission, reviewer: User, actor: Actor, decision: str, comment: str = ""
) -> Review:
    """Approve or return the latest round of a submitted visit. Never one's own record."""
    from huifang.archive.services import archive_index_visit

    visit = submission.visit
    require(reviewer, "visits.review", ip=actor.ip)
    if has_had_a_hand(reviewer, visit):
        raise deny(
            reviewer,
            what="review of a record the reviewer had a hand in",
            object_type="followups.visit",
            object_id=str(visit.pk),
            ip=actor.ip,
        )
    comment = comment.strip()
    if decision not in Decision.values:
        raise ValidationError({"decision": _("请选择通过或退回")})
    if decision == Decision.RETURNED and not comment:
        raise ValidationError({"comment": _("退回时请写明需要更正的地方")})
    with transaction.atomic():
        visit_lock(visit)
        latest = Submission.objects.filter(visit=visit).order_by("-round").first()
        if (
            visit.status != VisitStatus.SUBMITTED
            or latest is None
            or latest.pk != submission.pk
            or Review.objects.filter(submission=submission).exists()
        ):
            raise ValidationError(_("这条记录已被审核，或已有更新的提交"))
        review = Review.objects.create(
            submission=submission, reviewer=reviewer, decision=decision, comment=comment
        )
        before = visit.status
        visit.status = (
            VisitStatus.APPROVED if decision == Decision.APPROVED else VisitStatus.RETURNED
        )
        visit.updated_at = timezone.now()
        visit.save(update_fields=["status", "updated_at"])
        drawn = False
        if decision == Decision.APPROVED:
            from huifang.risk.services import risk_from_submission

            archive_index_visit(visit=visit)
            # Only approved visits feed risk analysis: findings and notes become signals.
            risk_from_submission(submission=submission, actor=actor)
            findings_to_departments(submission=submission, actor=actor)
            drawn = _draw_recheck(submission)
        visit_audit(
            actor,
            visit,
            "review_" + decision,
            before={"status": before},
            after={
                "status": visit.status,
                "round": submission.round,
                "comment": comment,
                "recheck": drawn,
            },
        )
        if decision == Decision.RETURNED and visit.assignee_id:
            assignee = User.objects.get(pk=visit.assignee_id)
            link = reverse("visit_detail", args=[visit.pk])
            transaction.on_commit(
                lambda: notify(
                    user=assignee,
                    kind="visit_returned",
                    title=_("回访记录被退回：%(loan)s") % {"loan": visit.loan.loan_no},
                    body=comment,
                    link=link,
                )
            )
    return review


def findings_to_departments(*, submission: Submission, actor: Actor) -> list:
    """Each finding of an approved round goes to the department it concerns: one task per
    department, listing its findings (customer dissatisfaction to customer service, a
    guarantor's or collateral's trouble to credit approval, unwillingness to collections…)."""
    from huifang.departments.selectors import department_for_signal
    from huifang.departments.services import department_task_create

    visit = submission.visit
    by_department: dict[str, list[str]] = {}
    for finding in submission.findings:
        code = department_for_signal(finding.get("signal", ""))
        by_department.setdefault(code, []).append(finding.get("label") or finding.get("signal", ""))
    tasks = []
    for code, labels in sorted(by_department.items()):
        tasks.append(
            department_task_create(
                department=code,
                title=_("回访发现：%(loan)s %(borrower)s")
                % {"loan": visit.loan.loan_no, "borrower": visit.loan.borrower.name},
                body="\n".join(f"- {label}" for label in labels),
                loan=visit.loan,
                source_type="reviews.submission",
                source_id=str(submission.pk),
                actor=actor,
            )
        )
    return tasks


def _draw_recheck(submission: Submission) -> bool:
    """Draw a configurable share of approved visits for a re-check by another reviewer."""
    share = settings.HUIFANG_RECHECK_SHARE
    if share <= 0 or secrets.randbelow(1_000_000) >= share * 1_000_000:
        return False
    Recheck.objects.create(submission=submission)
    return True


def recheck_decide(
    *, recheck: Recheck, user: User, actor: Actor, outcome: str, comment: str = ""
) -> Recheck:
    """Confirm or dispute a drawn visit. Neither its officer nor its approver may re-check it."""
    submission = recheck.submission
    visit = submission.visit
    require(user, "visits.review", ip=actor.ip)
    approver = Review.objects.filter(submission=submission).values_list("reviewer_id", flat=True)
    if has_had_a_hand(user, visit) or user.pk in set(approver):
        raise deny(
            user,
            what="re-check of a record the reviewer had a hand in",
            object_type="followups.visit",
            object_id=str(visit.pk),
            ip=actor.ip,
        )
    comment = comment.strip()
    if outcome not in RecheckOutcome.values:
        raise ValidationError({"outcome": _("请选择复核结果")})
    if outcome == RecheckOutcome.DISPUTED and not comment:
        raise ValidationError({"comment": _("有异议时请写明理由")})
    with transaction.atomic():
        locked = Recheck.objects.select_for_update().get(pk=recheck.pk)
        if locked.outcome:
            raise ValidationError(_("这条抽查已复核"))
        recheck.outcome, recheck.comment = outcome, comment
        recheck.decided_by, recheck.decided_at = user, timezone.now()
        recheck.save(update_fields=["outcome", "comment", "decided_by", "decided_at"])
        visit_audit(actor, visit, "recheck_" + outcome, after={"comment": comment})
        if outcome == RecheckOutcome.DISPUTED:
            # The approver and the risk managers hear of it; the approved record stays as it was.
            people = list(
                User.objects.filter(pk__in=list(approver))
                | User.objects.filter(role=Role.RISK_MANAGER, is_active=True)
            )
            link = reverse("review_detail", args=[visit.pk])
            title = _("抽查复核有异议：%(loan)s") % {"loan": visit.loan.loan_no}
            transaction.on_commit(
                lambda: [
                    notify(user=p, kind="recheck_disputed", title=title, body=comment, link=link)
                    for p in people
                ]
            )
    return recheck
