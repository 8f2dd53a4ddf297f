"""The questionnaire pages (admins)."""

from django.urls import path

from huifang.questionnaires import views

urlpatterns = [
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_new, name="questionnaire_new"),
    path(
        "questionnaires/<int:questionnaire_id>/",
        views.questionnaire_detail,
        name="questionnaire_detail",
    ),
    path(
        "questionnaires/<int:questionnaire_id>/edit/",
        views.questionnaire_edit,
        name="questionnaire_edit",
    ),
    path(
        "questionnaires/<int:questionnaire_id>/versions/<int:number>/",
        views.questionnaire_version,
        name="questionnaire_version",
    ),
]
