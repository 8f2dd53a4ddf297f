"""Admins' page of group robots (群机器人): channels, and deliveries that failed or are retrying."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import require
from huifang.accounts.services import client_ip, request_actor
from huifang.lib.forms import add_errors
from huifang.notifications.deliveries import (
    channel_create,
    channel_test,
    channel_update,
    deliveries_send_now,
    delivery_retry,
)
from huifang.notifications.forms import ChannelCreateForm, ChannelEditForm
from huifang.notifications.models import Delivery, DeliveryStatus, WebhookChannel
from huifang.notifications.selectors import channels_overview, deliveries_in_trouble


def _gate(request: HttpRequest) -> None:
    require(request.user, "departments.manage", ip=client_ip(request))


def webhook_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    initial: dict[str, object] = {"active": True}
    if code := request.GET.get("department"):
        initial["department"] = code
    form = ChannelCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = channel_create(
                kind=data["kind"],
                name=data["name"],
                url=data["url"],
                secret=data["secret"],
                department=data["department"],
                active=data["active"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("群机器人“%(name)s”已添加。") % {"name": channel.name})
            return redirect("webhook_list")
    return render(
        request,
        "notifications/webhook_list.html",
        {
            "form": form,
            "channels": channels_overview(),
            "troubles": deliveries_in_trouble(),
        },
        status=422 if form.errors else 200,
    )


def webhook_edit(request: HttpRequest, channel_id: int) -> HttpResponse:
    _gate(request)
    channel = get_object_or_404(WebhookChannel.objects.select_related("department"), pk=channel_id)
    initial = {
        "name": channel.name,
        "department": channel.department.code if channel.department else None,
        "active": channel.active,
    }
    form = ChannelEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel_update(
                channel=channel,
                name=data["name"],
                url=data["url"],
                secret=data["secret"],
                clear_secret=data["clear_secret"],
                department=data["department"],
                active=data["active"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("群机器人“%(name)s”已保存。") % {"name": data["name"]})
            return redirect("webhook_list")
    recent = Delivery.objects.filter(channel=channel).order_by("-created_at", "-id")[:20]
    return render(
        request,
        "notifications/webhook_edit.html",
        {"channel": channel, "form": form, "recent": recent},
        status=422 if form.errors else 200,
    )


def _report(request: HttpRequest, delivery_id: int) -> None:
    delivery = Delivery.objects.get(pk=delivery_id)
    if delivery.status == DeliveryStatus.SENT:
        messages.success(request, _("已发送：%(title)s") % {"title": delivery.title})
    else:
        messages.warning(
            request,
            _("发送失败：%(error)s。系统将按计划自动重试。") % {"error": delivery.last_error or "—"}
            if delivery.status == DeliveryStatus.PENDING
            else _("发送失败：%(error)s。") % {"error": delivery.last_error or "—"},
        )


@require_POST
def webhook_test(request: HttpRequest, channel_id: int) -> HttpResponse:
    _gate(request)
    channel = get_object_or_404(WebhookChannel, pk=channel_id)
    if not channel.active:
        messages.error(
            request, _("群机器人“%(name)s”已停用，无法发送测试消息。") % {"name": channel.name}
        )
        return redirect("webhook_edit", channel.pk)
    delivery = channel_test(channel=channel, actor=request_actor(request))
    deliveries_send_now([delivery.pk])
    _report(request, delivery.pk)
    return redirect("webhook_edit", channel.pk)


@require_POST
def delivery_retry_now(request: HttpRequest, delivery_id: int) -> HttpResponse:
    _gate(request)
    delivery = get_object_or_404(Delivery, pk=delivery_id)
    try:
        delivery_retry(delivery=delivery, actor=request_actor(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("webhook_list")
    deliveries_send_now([delivery.pk])
    _report(request, delivery.pk)
    return redirect("webhook_list")
