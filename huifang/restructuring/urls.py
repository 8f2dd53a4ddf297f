"""Pages of restructuring (还款计划调整).

Included before the site's loan routes: loans/<path:loan_no>/ would otherwise take
loans/<loan_no>/restructuring/new/ and loans/<loan_no>/schedule.csv (contract
numbers may hold slashes, so the longer routes must be tried first).
"""

from django.urls import path

from huifang.restructuring import simulator_views, views

urlpatterns = [
    path("restructuring/", views.restructuring_list, name="restructuring_list"),
    path("restructuring/<int:pk>/", views.restructuring_detail, name="restructuring_detail"),
    path("restructuring/<int:pk>/decide/", views.restructuring_decide, name="restructuring_decide"),
    path(
        "restructuring/<int:pk>/withdraw/",
        views.restructuring_withdraw,
        name="restructuring_withdraw",
    ),
    path(
        "restructuring/<int:pk>/resubmit/",
        views.restructuring_resubmit,
        name="restructuring_resubmit",
    ),
    path(
        "loans/<path:loan_no>/restructuring/new/",
        simulator_views.restructuring_new,
        name="restructuring_new",
    ),
    path("loans/<path:loan_no>/schedule.csv", views.loan_schedule_csv, name="loan_schedule_csv"),
]
