"""Pages of the evidence app."""

from django.urls import path

from huifang.evidence import views

urlpatterns = [
    path(
        "visits/<int:visit_id>/attachments/",
        views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "attachments/<int:attachment_id>/thumb/",
        views.attachment_thumb,
        name="attachment_thumb",
    ),
    path(
        "attachments/<int:attachment_id>/remove/",
        views.attachment_remove_view,
        name="attachment_remove",
    ),
]
