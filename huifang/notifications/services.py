"""Telling people: the in-app inbox, and email through Django's email backend.

A failed email never fails the action that caused it: the notification stays
in the inbox and records the delivery error.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.utils import timezone

from huifang.accounts.models import User
from huifang.notifications.models import Notification

log = logging.getLogger(__name__)


def notify(
    *, user: User, kind: str, title: str, body: str = "", link: str = "", email: bool = True
) -> Notification:
    note = Notification.objects.create(
        user=user, kind=kind, title=title[:200], body=body, link=link[:300]
    )
    if email and user.email:
        deliver_email(note)
    return note


def deliver_email(note: Notification) -> bool:
    try:
        send_mail(note.title, f"{note.body}\n\n{note.link}".strip(), None, [note.user.email])
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded, never raised
        log.warning("email to %s failed: %s", note.user.email, exc)
        Notification.objects.filter(pk=note.pk).update(email_error=str(exc)[:300])
        return False
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return True


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
