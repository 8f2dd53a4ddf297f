"""Follow-up pages: the policies (admins), the visit page (officers), the borrower's online page."""

from django.urls import path

from huifang.followups import online_views, views, work_views

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
    path("visits/<int:visit_id>/", work_views.visit_detail, name="visit_detail"),
    path("visits/<int:visit_id>/record/", work_views.visit_record, name="visit_record"),
    path("visits/<int:visit_id>/attempts/", work_views.visit_attempt, name="visit_attempt"),
    path(
        "visits/<int:visit_id>/online-link/",
        work_views.visit_online_link,
        name="visit_online_link",
    ),
    path("q/<str:token>/", online_views.online_questionnaire, name="online_questionnaire"),
]
