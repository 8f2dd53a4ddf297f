"""Pages of the archive app."""

from django.urls import URLPattern, path

from huifang.archive import views

urlpatterns: list[URLPattern] = [
    path("archive/", views.archive, name="archive"),
]
