"""Review pages (审核)."""

from django.urls import path

from huifang.reviews import views

urlpatterns = [
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:visit_id>/", views.review_detail, name="review_detail"),
    path("reviews/<int:visit_id>/decide/", views.review_decision, name="review_decision"),
    path("rechecks/<int:recheck_id>/decide/", views.recheck_decision, name="recheck_decision"),
]
