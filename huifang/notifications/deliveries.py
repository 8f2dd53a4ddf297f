"""Group-robot channels and their deliveries: configure, queue, send with retries.

A message is queued as a Delivery per channel inside the caller's transaction;
`deliveries_send_due` posts what is due (a task runs it every minute, and
`huifang send_notifications` by hand). A failure is recorded on the delivery
and retried after 1, 2, 4, 8 and 16 minutes; after the sixth failed attempt the
delivery is failed and shown to admins, who may retry it. Sending never raises.
"""

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.audit.services import Actor, Change, diff, record
from huifang.lib.crypto import encrypt
from huifang.notifications import webhooks
from huifang.notifications.models import ChannelKind, Delivery, DeliveryStatus, WebhookChannel

log = logging.getLogger(__name__)

# A claimed delivery is left alone by other workers this long (longer than one POST can take).
LEASE = timedelta(minutes=2)
BATCH = 200


# --- channels (admins) ------------------------------------------------------------------------


def _channel_state(channel: WebhookChannel) -> dict[str, Any]:
    return {
        "kind": channel.kind,
        "name": channel.name,
        "url": channel.url_masked,
        "secret": channel.secret_masked,
        "department": channel.department.code if channel.department else None,
        "active": channel.active,
    }


def _check_channel(*, kind: str, name: str, url: str, secret: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in ChannelKind.values:
        errors["kind"] = [_("请选择机器人类型：企业微信或钉钉。")]
    if not name:
        errors["name"] = [_("请填写名称。")]
    elif len(name) > 100:
        errors["name"] = [_("名称不能超过 100 个字符。")]
    if url and (len(url) > 1000 or webhooks.check_url(url)):
        errors["url"] = [_("机器人地址须是以 http:// 或 https:// 开头的完整网址。")]
    if secret and kind == ChannelKind.WECOM:
        errors["secret"] = [_("企业微信群机器人不使用签名密钥，请留空。")]
    if len(secret) > 200:
        errors["secret"] = [_("签名密钥不能超过 200 个字符。")]
    return errors


def _set_url(channel: WebhookChannel, url: str) -> None:
    channel.url_encrypted, channel.url_masked = encrypt(url), webhooks.mask_url(url)[:300]


def _set_secret(channel: WebhookChannel, secret: str) -> None:
    channel.secret_encrypted, channel.secret_masked = encrypt(secret), webhooks.mask_secret(secret)


def channel_create(
    *,
    kind: str,
    name: str,
    url: str,
    secret: str = "",
    department: Any = None,
    active: bool = True,
    actor: Actor,
) -> WebhookChannel:
    name, url, secret = name.strip(), url.strip(), secret.strip()
    errors = _check_channel(kind=kind, name=name, url=url, secret=secret)
    if not url:
        errors["url"] = [_("请填写机器人地址（Webhook）。")]
    if errors:
        raise ValidationError(errors)
    channel = WebhookChannel(kind=kind, name=name, department=department, active=active)
    _set_url(channel, url)
    _set_secret(channel, secret)
    with transaction.atomic():
        channel.save()
        record(
            actor,
            Change(
                action="create",
                object_type="notifications.webhook_channel",
                object_id=str(channel.pk),
                summary=name,
                after=_channel_state(channel),
            ),
        )
    return channel


def channel_update(
    *,
    channel: WebhookChannel,
    name: str,
    url: str = "",
    secret: str = "",
    clear_secret: bool = False,
    department: Any = None,
    active: bool = True,
    actor: Actor,
) -> WebhookChannel:
    """Change a channel; an empty url or secret keeps the stored one (they are never shown)."""
    name, url, secret = name.strip(), url.strip(), secret.strip()
    errors = _check_channel(kind=channel.kind, name=name, url=url, secret=secret)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = WebhookChannel.objects.select_for_update().get(pk=channel.pk)
        before = _channel_state(locked)
        locked.name, locked.department, locked.active = name, department, active
        if url:
            _set_url(locked, url)
        if secret or clear_secret:
            _set_secret(locked, secret)
        old, new = diff(before, _channel_state(locked))
        # A new key shows as the same mask only by chance: say that it changed.
        if url and "url" not in new:
            old["url"], new["url"] = before["url"], locked.url_masked + " (new)"
        if new:
            locked.updated_at = timezone.now()
            locked.save()
            record(
                actor,
                Change(
                    action="update",
                    object_type="notifications.webhook_channel",
                    object_id=str(locked.pk),
                    summary=locked.name,
                    before=old,
                    after=new,
                ),
            )
    return locked


# --- queueing ---------------------------------------------------------------------------------


def absolute_link(link: str) -> str:
    """A page link as a full URL for the chat (HUIFANG_BASE_URL); "" when it cannot be one."""
    if link.startswith(("http://", "https://")):
        return link
    base = getattr(settings, "HUIFANG_BASE_URL", "")
    return f"{base.rstrip('/')}/{link.lstrip('/')}" if base and link else ""


def channels_for(department: Any) -> Any:
    """Active channels a department's notifications go to: its own and the institution-wide."""
    return WebhookChannel.objects.filter(active=True).filter(
        Q(department=department) | Q(department__isnull=True)
    )


def deliveries_queue(
    *, channels: Iterable[WebhookChannel], title: str, body: str = "", link: str = ""
) -> list[Delivery]:
    """One pending delivery per channel, due now (in the caller's transaction)."""
    text = webhooks.markdown_text(title, body, absolute_link(link))
    now = timezone.now()
    return Delivery.objects.bulk_create(
        [
            Delivery(
                channel=channel,
                title=title[:200],
                payload=webhooks.build_payload(channel.kind, title, text),
                next_attempt_at=now,
            )
            for channel in channels
        ]
    )


# --- sending ----------------------------------------------------------------------------------


def _claim(now: datetime, ids: Iterable[int] | None = None) -> list[Delivery]:
    """Due deliveries, leased to this worker so that another running at once skips them."""
    with transaction.atomic():
        qs = Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, channel__active=True
        )
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        claimed = list(
            qs.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel")
            .order_by("next_attempt_at", "id")[:BATCH]
        )
        Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(next_attempt_at=now + LEASE)
    return claimed


def _target(channel: WebhookChannel) -> str:
    url = channel.url
    if channel.kind == ChannelKind.DINGTALK and channel.secret_encrypted:
        # DingTalk checks the timestamp against its own clock (within an hour): the real time.
        url = webhooks.signed_url(url, channel.secret, int(time.time() * 1000))
    return url


def _attempt(delivery: Delivery, *, now: datetime) -> bool:
    try:
        error = webhooks.post(_target(delivery.channel), delivery.payload)
    except Exception as exc:  # noqa: BLE001 - a broken channel (bad key) is a failed attempt
        error = f"{type(exc).__name__}: {exc}"
    attempts = delivery.attempts + 1
    if error is None:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT, attempts=attempts, sent_at=now, next_attempt_at=None
        )
        return True
    delay = webhooks.retry_delay(attempts)
    log.warning(
        "webhook %s (%s) attempt %s failed: %s", delivery.pk, delivery.channel, attempts, error
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if delay is None else DeliveryStatus.PENDING,
        attempts=attempts,
        last_error=error[:500],
        next_attempt_at=None if delay is None else now + delay,
    )
    return False


def deliveries_send_due(*, now: datetime, ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Post the pending deliveries due at `now`: (sent, failed attempts). A send never raises."""
    sent = failed = 0
    for delivery in _claim(now, ids):
        if _attempt(delivery, now=now):
            sent += 1
        else:
            failed += 1
    return sent, failed


def deliveries_send_now(ids: Iterable[int]) -> None:
    """Try these deliveries at once (after the commit that queued them); failures stay queued."""
    try:
        deliveries_send_due(now=timezone.now(), ids=list(ids))
    except Exception:  # noqa: BLE001 - the action that queued them is done; the task retries
        log.exception("sending webhooks at once failed; the queue will retry")


def delivery_retry(*, delivery: Delivery, actor: Actor) -> Delivery:
    """An admin's "retry now": the delivery gets a fresh series of attempts, due at once."""
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status == DeliveryStatus.SENT:
            raise ValidationError(_("这条消息已经发送成功，无需重试。"))
        before = {"status": locked.status, "attempts": locked.attempts}
        locked.status, locked.attempts = DeliveryStatus.PENDING, 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        record(
            actor,
            Change(
                action="retry",
                object_type="notifications.delivery",
                object_id=str(locked.pk),
                summary=locked.title,
                before=before,
                after={"status": locked.status, "attempts": 0},
            ),
        )
    return locked


def channel_test(*, channel: WebhookChannel, actor: Actor) -> Delivery:
    """Queue a test message to one channel (audited); the caller sends it at once."""
    with transaction.atomic():
        (delivery,) = deliveries_queue(
            channels=[channel],
            title=_("回访系统测试消息"),
            body=_("这是一条测试消息：群机器人“%(name)s”配置正确。") % {"name": channel.name},
        )
        record(
            actor,
            Change(
                action="test",
                object_type="notifications.webhook_channel",
                object_id=str(channel.pk),
                summary=channel.name,
            ),
        )
    return delivery
