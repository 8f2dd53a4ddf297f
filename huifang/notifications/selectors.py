"""Reads of the group-robot page (admins; the view applies the gate)."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from huifang.notifications.models import Delivery, DeliveryStatus, WebhookChannel


def channels_overview() -> QuerySet[WebhookChannel]:
    return (
        WebhookChannel.objects.select_related("department")
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        )
        .order_by("-active", "name", "id")
    )


def deliveries_in_trouble(limit: int = 100) -> list[Delivery]:
    """Failed deliveries, then those waiting to be retried after a failed attempt; newest first."""
    return list(
        Delivery.objects.select_related("channel")
        .filter(Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING, attempts__gt=0))
        .order_by("status", "-created_at", "-id")[:limit]
    )


def active_channel_counts() -> dict[int | None, int]:
    """Active robots per department id (None: institution-wide)."""
    return dict(
        WebhookChannel.objects.filter(active=True)
        .order_by()
        .values("department_id")
        .annotate(n=Count("id"))
        .values_list("department_id", "n")
    )


def channels_of(department: Any) -> QuerySet[WebhookChannel]:
    return WebhookChannel.objects.filter(department=department).order_by("name", "id")
