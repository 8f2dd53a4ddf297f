from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("huifang.api.urls")),
    # Before the site's loans/<path:loan_no>/ route, which would take its longer loan routes.
    path("", include("huifang.restructuring.urls")),
    path("", include("huifang.web.urls")),
    path("", include("huifang.followups.urls")),
    path("", include("huifang.notifications.urls")),
    path("", include("huifang.accounts.urls")),
    path("", include("huifang.questionnaires.urls")),
    path("", include("huifang.reviews.urls")),
    path("", include("huifang.evidence.urls")),
    path("", include("huifang.archive.urls")),
    path("", include("huifang.reports.urls")),
    path("", include("huifang.classification.urls")),
    path("", include("huifang.risk.urls")),
    path("", include("huifang.departments.urls")),
]
