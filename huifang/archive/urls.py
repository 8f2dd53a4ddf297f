"""Pages of the archive app."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
