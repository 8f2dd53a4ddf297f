"""Pages of the reports app: the visit pack and the visit report."""

from django.urls import path

from huifang.reports import views

urlpatterns = [
    path("visits/<int:visit_id>/pack/", views.visit_pack_page, name="visit_pack"),
    path("visits/<int:visit_id>/pack.pdf", views.visit_pack_pdf, name="visit_pack_pdf"),
    path("visits/<int:visit_id>/report.pdf", views.visit_report_pdf, name="visit_report_pdf"),
]
