"""Pages of the classification app.

A loan's page lives under classification/loans/ rather than loans/<path:loan_no>/…:
contract numbers may hold slashes, and the site's loan_detail route
(loans/<path:loan_no>/) is included first and would take the longer path.
"""

from django.urls import path

from huifang.classification import views

urlpatterns = [
    path("classification/", views.classification_list, name="classification_list"),
    path("classification/runs/", views.classification_runs, name="classification_runs"),
    path("classification/runs/new/", views.classification_run, name="classification_run"),
    path("classification/rules/", views.classification_rules, name="classification_rules"),
    # Contract numbers may hold slashes: the longer route comes first.
    path(
        "classification/loans/<path:loan_no>/act/",
        views.classification_loan_act,
        name="classification_loan_act",
    ),
    path(
        "classification/loans/<path:loan_no>/",
        views.classification_loan,
        name="classification_loan",
    ),
]
