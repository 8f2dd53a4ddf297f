"""Pages of the departments app: the list, each department's queue, their configuration."""

from django.urls import URLPattern, path

from huifang.departments import views

urlpatterns: list[URLPattern] = [
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_new, name="department_new"),
    path("departments/<slug:code>/", views.department_queue, name="department_queue"),
    path("departments/<slug:code>/edit/", views.department_edit, name="department_edit"),
    path(
        "departments/<slug:code>/tasks/<int:task_id>/take/",
        views.department_task_take,
        name="department_task_take",
    ),
    path(
        "departments/<slug:code>/tasks/<int:task_id>/close/",
        views.department_task_close,
        name="department_task_close",
    ),
]
