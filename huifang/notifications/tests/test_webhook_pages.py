"""The admins' group-robot page: channels, failed deliveries with 'retry now', masked keys."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from huifang.accounts.models import Role
from huifang.audit.models import AuditEvent
from huifang.audit.services import Actor
from huifang.notifications.deliveries import (
    channel_create,
    channel_update,
    deliveries_queue,
    deliveries_send_due,
)
from huifang.notifications.models import Delivery, DeliveryStatus, WebhookChannel
from huifang.notifications.tests.receiver import dead_url, robot_server

SYSTEM = Actor(user_id=None, name="system", via="command")


@pytest.fixture
def admin_client(two_branches, client):
    client.force_login(two_branches[Role.ADMIN])
    return client


def _fail_six_times(delivery: Delivery) -> None:
    at = timezone.now()
    for _ in range(6):
        deliveries_send_due(now=at)
        at += timedelta(minutes=20)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_a_failed_delivery_shows_with_its_error_and_retry_now_sends_it(admin_client):
    # given a WeCom robot that was down for all six attempts
    channel = channel_create(kind="wecom", name="风险群", url=dead_url(), actor=SYSTEM)
    with transaction.atomic():
        (delivery,) = deliveries_queue(channels=[channel], title="风险管理部：红色预警")
    _fail_six_times(delivery)

    # then the admins' page lists it as failed, with the last error and a retry button
    page = admin_client.get("/notifications/webhooks/").content.decode()
    assert "风险管理部：红色预警" in page and "发送失败" in page and "connection failed" in page
    assert f"/notifications/deliveries/{delivery.pk}/retry/" in page

    # when the robot is back and the admin presses "retry now"
    with robot_server() as robot:
        channel_update(channel=channel, name=channel.name, url=robot.url(), actor=SYSTEM)
        response = admin_client.post(f"/notifications/deliveries/{delivery.pk}/retry/", follow=True)

    # then it is sent at once, the page says so, and the retry is in the audit trail
    assert len(robot.requests) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert "已发送" in response.content.decode()
    assert AuditEvent.objects.filter(action="retry", object_type="notifications.delivery").exists()


def test_admin_adds_a_dingtalk_robot_and_never_sees_its_key_again(admin_client):
    response = admin_client.post(
        "/notifications/webhooks/",
        {
            "kind": "dingtalk",
            "name": "催收群",
            "department": "collections",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789",
            "secret": "SECfedcba9876543210",
            "active": "on",
        },
    )
    assert response.status_code == 302
    channel = WebhookChannel.objects.get(name="催收群")
    assert channel.department.code == "collections" and channel.secret == "SECfedcba9876543210"

    for path in ("/notifications/webhooks/", f"/notifications/webhooks/{channel.pk}/"):
        page = admin_client.get(path).content.decode()
        assert "abcdef0123456789" not in page and "SECfedcba9876543210" not in page
        assert "…6789" in page
    event = AuditEvent.objects.get(action="create", object_type="notifications.webhook_channel")
    assert "SECfedcba9876543210" not in str(event.after) and "abcdef0123" not in str(event.after)


def test_a_bad_robot_address_is_named_and_nothing_is_saved(admin_client):
    response = admin_client.post(
        "/notifications/webhooks/",
        {"kind": "wecom", "name": "群", "url": "qyapi.weixin.qq.com/send", "active": "on"},
    )
    assert response.status_code == 422
    assert "机器人地址须是以 http:// 或 https:// 开头的完整网址" in response.content.decode()
    assert not WebhookChannel.objects.exists()


def test_a_wecom_robot_takes_no_signing_secret(admin_client):
    response = admin_client.post(
        "/notifications/webhooks/",
        {"kind": "wecom", "name": "群", "url": "https://q/x?key=1", "secret": "SECx"},
    )
    assert (
        response.status_code == 422
        and "企业微信群机器人不使用签名密钥" in response.content.decode()
    )


def test_editing_keeps_the_key_when_left_empty_and_the_test_message_reaches_the_robot(admin_client):
    with robot_server() as robot:
        channel = channel_create(kind="wecom", name="风险群", url=robot.url(), actor=SYSTEM)
        response = admin_client.post(
            f"/notifications/webhooks/{channel.pk}/", {"name": "风险预警群", "active": "on"}
        )
        assert response.status_code == 302
        channel.refresh_from_db()
        assert channel.name == "风险预警群" and channel.url == robot.url()

        response = admin_client.post(f"/notifications/webhooks/{channel.pk}/test/", follow=True)

    assert "已发送" in response.content.decode()
    assert robot.requests[0].body["markdown"]["content"].startswith("### 回访系统测试消息")


def test_only_admins_reach_the_robot_pages(two_branches, client):
    client.force_login(two_branches[Role.RISK_MANAGER])
    assert client.get("/notifications/webhooks/").status_code == 403
