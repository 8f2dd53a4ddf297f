"""The user and branch pages (admins)."""

from django.urls import path

from huifang.accounts import views

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:user_id>/", views.user_edit, name="user_edit"),
    path("branches/", views.branch_list, name="branch_list"),
]
