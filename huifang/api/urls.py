from django.urls import path

from huifang.api.api import api


def _api_urls():
    patterns, app_name, namespace = api.urls
    # The API answers 401 itself; the site's login redirect must not intercept it.
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace


urlpatterns = [path("api/v1/", _api_urls())]
