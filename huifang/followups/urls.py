"""The follow-up policy pages (admins)."""

from django.urls import path

from huifang.followups import views

urlpatterns = [
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/<int:policy_id>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:policy_id>/edit/", views.policy_edit, name="policy_edit"),
    path(
        "policies/<int:policy_id>/versions/<int:number>/",
        views.policy_version,
        name="policy_version",
    ),
]
