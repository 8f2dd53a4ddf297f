"""Posting to group robots: a real HTTP receiver on this machine, never a real host."""

import base64
import hashlib
import hmac
import urllib.parse
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from huifang.audit.services import Actor
from huifang.notifications.deliveries import channel_create, deliveries_queue, deliveries_send_due
from huifang.notifications.models import Delivery, DeliveryStatus, WebhookChannel
from huifang.notifications.tasks import SEND_PATH, schedule_webhooks, send_webhooks
from huifang.notifications.tests.receiver import dead_url, robot_server

ADMIN = Actor(user_id=None, name="system", via="command")
pytestmark = pytest.mark.django_db


def _channel(kind: str, url: str, secret: str = "", **extra) -> WebhookChannel:
    return channel_create(
        kind=kind, name=f"{kind} 群", url=url, secret=secret, actor=ADMIN, **extra
    )


def _queue(channel: WebhookChannel, title="风险管理部：红色预警", body="贷款 A-0001", link=""):
    with transaction.atomic():
        (delivery,) = deliveries_queue(channels=[channel], title=title, body=body, link=link)
    return delivery


def test_wecom_robot_receives_the_documented_markdown_body(settings):
    settings.HUIFANG_BASE_URL = "https://huifang.bank.example"
    with robot_server() as robot:
        channel = _channel("wecom", robot.url())
        _queue(channel, link="/departments/risk/")

        sent, failed = deliveries_send_due(now=timezone.now())

    assert (sent, failed) == (1, 0)
    (request,) = robot.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "test-robot-key-0001"}
    assert request.content_type.startswith("application/json")
    assert request.body == {
        "msgtype": "markdown",
        "markdown": {
            "content": "### 风险管理部：红色预警\n\n贷款 A-0001\n\n"
            "[查看详情](https://huifang.bank.example/departments/risk/)"
        },
    }
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1 and delivery.sent_at


def test_dingtalk_robot_receives_a_signed_request_it_can_verify():
    secret = "SEC9c3a1f0e2b7d4c8a9e6f5d4c3b2a1908f7e6d5c4b3a291807f6e5d4c3b2a19"
    with robot_server() as robot:
        channel = _channel("dingtalk", robot.url("/robot/send?access_token=ding-token-42"), secret)
        _queue(channel, title="催收部：新待办", body="客户 A-0001 还款意愿差")

        assert deliveries_send_due(now=timezone.now()) == (1, 0)

    (request,) = robot.requests
    assert request.path == "/robot/send"
    assert request.query["access_token"] == "ding-token-42"
    # DingTalk's check: HMAC-SHA256(secret, timestamp + "\n" + secret), base64, URL-encoded.
    timestamp = request.query["timestamp"]
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert request.query["sign"] == urllib.parse.quote_plus(base64.b64encode(digest))
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000
    assert request.body == {
        "msgtype": "markdown",
        "markdown": {
            "title": "催收部：新待办",
            "text": "### 催收部：新待办\n\n客户 A-0001 还款意愿差",
        },
    }


def test_a_robot_failing_twice_gets_the_message_on_the_third_attempt_after_the_backoff():
    # given a robot that answers HTTP 500, then errcode 310000 (bad signature), then succeeds
    script = [(500, {"errcode": -1}), (200, {"errcode": 310000, "errmsg": "sign not match"})]
    with robot_server(script) as robot:
        delivery = _queue(_channel("wecom", robot.url()))
        t0 = timezone.now()

        # when the sender runs every 30 seconds for four minutes
        results = {
            seconds: deliveries_send_due(now=t0 + timedelta(seconds=seconds))
            for seconds in range(0, 241, 30)
        }

    # then it tried at 0 s, after 1 minute, then 2 minutes later: sent on the third attempt
    tried = {s: r for s, r in results.items() if r != (0, 0)}
    assert tried == {0: (0, 1), 60: (0, 1), 180: (1, 0)}
    assert len(robot.requests) == 3
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert delivery.last_error == "errcode 310000: sign not match"


def test_a_dead_robot_is_given_up_after_six_attempts_1_2_4_8_16_minutes_apart():
    delivery = _queue(_channel("wecom", dead_url()))
    t0 = timezone.now()
    at = t0
    for minutes in (1, 2, 4, 8, 16):
        assert deliveries_send_due(now=at) == (0, 1)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.next_attempt_at == at + timedelta(minutes=minutes)
        # not a moment before it is due
        assert deliveries_send_due(now=at + timedelta(minutes=minutes, seconds=-1)) == (0, 0)
        at += timedelta(minutes=minutes)

    assert deliveries_send_due(now=at) == (0, 1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 6
    assert delivery.next_attempt_at is None and "connection failed" in delivery.last_error
    assert deliveries_send_due(now=at + timedelta(days=1)) == (0, 0)


def test_an_inactive_channel_keeps_its_messages_until_it_is_active_again():
    with robot_server() as robot:
        channel = _channel("wecom", robot.url(), active=False)
        _queue(channel)
        assert deliveries_send_due(now=timezone.now()) == (0, 0)
        WebhookChannel.objects.filter(pk=channel.pk).update(active=True)
        assert deliveries_send_due(now=timezone.now()) == (1, 0)


def test_the_robot_url_and_secret_are_stored_encrypted():
    channel = _channel(
        "dingtalk",
        "https://oapi.dingtalk.com/robot/send?access_token=tok-SECRET-1",
        "SECsecret-42x",
    )
    stored = WebhookChannel.objects.values().get(pk=channel.pk)
    assert "tok-SECRET-1" not in str(stored) and "SECsecret-42x" not in str(stored)
    assert channel.url.endswith("tok-SECRET-1") and channel.secret == "SECsecret-42x"
    assert stored["url_masked"].endswith("access_token=…ET-1")


def test_the_command_sends_what_is_due(capsys):
    with robot_server() as robot:
        _queue(_channel("wecom", robot.url()))
        call_command("send_notifications", "--schedule")
    out = capsys.readouterr().out
    assert "1 sent, 0 failed attempts" in out and "every-minute sending queued" in out
    assert len(robot.requests) == 1


def test_the_task_sends_and_queues_itself_a_minute_on():
    with robot_server() as robot:
        _queue(_channel("wecom", robot.url()))
        before = timezone.now()
        assert send_webhooks.call() == {"sent": 1, "failed": 0}
    waiting = DBTaskResult.objects.get(task_path=SEND_PATH, status=TaskResultStatus.READY)
    assert (
        before + timedelta(seconds=59) <= waiting.run_after <= timezone.now() + timedelta(minutes=1)
    )
    assert schedule_webhooks() is False  # one waiting run is enough
