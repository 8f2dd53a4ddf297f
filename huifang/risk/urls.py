"""Pages of the risk app (风险预警)."""

from django.urls import path

from huifang.risk import config_views, views

urlpatterns = [
    path("risk/", views.dashboard, name="risk_dashboard"),
    path("risk/warnings/", views.warning_list, name="risk_warning_list"),
    path("risk/warnings/<int:warning_id>/", views.warning_detail, name="risk_warning_detail"),
    path(
        "risk/warnings/<int:warning_id>/acknowledge/",
        views.warning_acknowledge_view,
        name="risk_warning_acknowledge",
    ),
    path(
        "risk/warnings/<int:warning_id>/respond/",
        views.warning_respond_view,
        name="risk_warning_respond",
    ),
    path("risk/warnings/<int:warning_id>/lift/", views.warning_lift_view, name="risk_warning_lift"),
    path(
        "risk/warnings/<int:warning_id>/escalate/",
        views.warning_escalate_view,
        name="risk_warning_escalate",
    ),
    path("risk/signals/", views.signal_list, name="risk_signal_list"),
    path("risk/signals/new/", views.signal_new, name="risk_signal_new"),
    path("risk/lexicon/", config_views.lexicon_page, name="risk_lexicon"),
    path("risk/rules/", config_views.rules_page, name="risk_rules"),
]
