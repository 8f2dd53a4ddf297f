from django.urls import path

from huifang.notifications import views, webhook_views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("notifications/webhooks/", webhook_views.webhook_list, name="webhook_list"),
    path(
        "notifications/webhooks/<int:channel_id>/",
        webhook_views.webhook_edit,
        name="webhook_edit",
    ),
    path(
        "notifications/webhooks/<int:channel_id>/test/",
        webhook_views.webhook_test,
        name="webhook_test",
    ),
    path(
        "notifications/deliveries/<int:delivery_id>/retry/",
        webhook_views.delivery_retry_now,
        name="delivery_retry",
    ),
]
