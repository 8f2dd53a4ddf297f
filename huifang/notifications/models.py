"""The in-app inbox, and the group robots (WeCom, DingTalk) with their deliveries."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(_("类型"), max_length=32)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")
        ]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.title


class ChannelKind(models.TextChoices):
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")


class WebhookChannel(models.Model):
    """A group robot (群机器人) that department notifications are posted to.

    The robot URL carries the key that lets anyone post to the group, and DingTalk's
    signing secret is a key too: both are stored encrypted (huifang.lib.crypto) and
    shown back masked.
    """

    kind = models.CharField(_("类型"), max_length=10, choices=ChannelKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    url_encrypted = models.TextField(_("机器人地址（加密）"))
    url_masked = models.CharField(_("机器人地址"), max_length=300)
    secret_encrypted = models.TextField(_("签名密钥（加密）"), blank=True)
    secret_masked = models.CharField(_("签名密钥"), max_length=20, blank=True)
    # None: institution-wide, every department's notifications go there.
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="webhook_channels",
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        from huifang.lib.crypto import decrypt

        return decrypt(self.url_encrypted)

    @property
    def secret(self) -> str:
        from huifang.lib.crypto import decrypt

        return decrypt(self.secret_encrypted)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One message to one group robot, retried with backoff until sent or given up."""

    channel = models.ForeignKey(
        WebhookChannel,
        verbose_name=_("群机器人"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    title = models.CharField(_("标题"), max_length=200)
    # The JSON body as the platform documents it; DingTalk's signature is added when sending.
    payload = models.JSONField(_("消息"))
    status = models.CharField(
        _("状态"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        verbose_name = _("机器人消息")
        verbose_name_plural = _("机器人消息")

    def __str__(self) -> str:
        return f"{self.title} → {self.channel_id}"
