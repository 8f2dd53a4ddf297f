"""The borrower's online questionnaire (线上问卷): single-use links with an expiry.

The token is 32 random bytes (secrets.token_urlsafe), shown once to the officer
who sends it; only its SHA-256 is stored, so the database alone cannot be used to
answer anyone's questionnaire. A link is spent by the first valid answer; a new
link for the same visit revokes the earlier ones.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.audit.services import Actor
from huifang.followups.models import OnlineLink, Visit, VisitChannel, VisitRecord, VisitStatus
from huifang.followups.services.recording import visit_audit, visit_start
from huifang.questionnaires import schema
from huifang.questionnaires.services import questionnaire_for

OPEN_FOR_ANSWERS = (VisitStatus.PLANNED, VisitStatus.IN_PROGRESS, VisitStatus.RETURNED)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    link: OnlineLink
    token: str  # shown once; never stored


def online_link_issue(*, visit: Visit, user: Any, actor: Actor) -> IssuedLink:
    """A new link for the borrower (the caller got `visit` with visit_for(..., work=True))."""
    with transaction.atomic():
        fresh = Visit.objects.select_for_update().get(pk=visit.pk)
        if fresh.status not in OPEN_FOR_ANSWERS:
            raise ValidationError(_("这条回访已提交或已完成，不能再发送线上问卷"))
        version = questionnaire_for(subject_role=visit.subject_role, channel=VisitChannel.ONLINE)
        if fresh.status == VisitStatus.PLANNED:
            # A link sent makes the visit started: planning then never replaces it.
            visit_start(visit=visit, user=user, actor=actor)
        now = timezone.now()
        revoked = OnlineLink.objects.filter(
            visit=visit, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        link = OnlineLink.objects.create(
            visit=visit,
            questionnaire=version,
            token_hash=token_hash(token),
            created_by=user if getattr(user, "pk", None) else None,
            created_at=now,
            expires_at=now + timedelta(days=settings.HUIFANG_ONLINE_LINK_DAYS),
        )
        visit_audit(
            actor,
            visit,
            "online_link_issue",
            after={
                "link": link.pk,
                "expires_at": link.expires_at.isoformat(),
                "revoked": revoked,
            },
        )
    return IssuedLink(link=link, token=token)


class LinkUnusable(Exception):
    """The link is unknown, expired, used or revoked: `reason` says which."""

    def __init__(self, reason: str, link: OnlineLink | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.link = link


def online_link_lookup(token: str) -> OnlineLink:
    link = (
        OnlineLink.objects.select_related(
            "visit", "visit__loan", "visit__loan__borrower", "questionnaire"
        )
        .filter(token_hash=token_hash(token))
        .first()
    )
    _check_usable(link)
    assert link is not None
    return link


def _check_usable(link: OnlineLink | None) -> None:
    if link is None:
        raise LinkUnusable("unknown")
    if link.used_at is not None:
        raise LinkUnusable("used", link)
    if link.revoked_at is not None:
        raise LinkUnusable("revoked", link)
    if timezone.now() >= link.expires_at:
        raise LinkUnusable("expired", link)
    if link.visit.status not in OPEN_FOR_ANSWERS:
        raise LinkUnusable("closed", link)


def online_answer(*, token: str, raw_answers: dict, ip: str | None):
    """Record a borrower's answers: validated in full, then a review round; the link is spent.

    Invalid answers raise ValidationError({question_key: message}) and spend nothing.
    """
    from huifang.reviews.services import online_submit

    with transaction.atomic():
        link = (
            OnlineLink.objects.select_for_update()
            .select_related("visit", "visit__loan", "questionnaire")
            .filter(token_hash=token_hash(token))
            .first()
        )
        _check_usable(link)
        assert link is not None
        definition = link.questionnaire.definition
        answers, errors = schema.clean_answers(definition, raw_answers, complete=True)
        if errors:
            raise ValidationError(errors)
        visit = link.visit
        now = timezone.now()
        rec = VisitRecord.objects.select_for_update().filter(visit=visit).first()
        if rec is None:
            rec = VisitRecord(visit=visit, started_at=now)
        rec.questionnaire = link.questionnaire
        rec.channel = VisitChannel.ONLINE
        rec.contact_result = "reached"
        rec.answers = answers
        rec.occurred_at = now
        rec.received_online = True
        rec.updated_at = now
        rec.revision = (rec.revision or 0) + 1 if rec.pk else 1
        rec.save()
        link.used_at = now
        link.save(update_fields=["used_at"])
        actor = Actor(user_id=None, name="borrower (online)", via="online", ip=ip)
        submission = online_submit(visit=visit, rec=rec, answers=answers, actor=actor)
    if visit.assignee_id:
        from huifang.accounts.models import User
        from huifang.notifications.services import notify

        notify(
            user=User.objects.get(pk=visit.assignee_id),
            kind="online_answered",
            title=_("受访人已在线提交问卷：%(loan)s") % {"loan": visit.loan.loan_no},
            link=f"/visits/{visit.pk}/",
            email=False,
        )
    return submission
