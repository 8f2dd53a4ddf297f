from datetime import date

from django.urls import path, register_converter

from huifang.web.views import (
    absences,
    accounts,
    audit,
    calendar_entries,
    imports,
    loans,
    settings_hub,
    visits,
)


class IsoDateConverter:
    """A day in a URL as YYYY-MM-DD (calendar/2026-10-01/delete/)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        return date.fromisoformat(value)  # a ValueError (2026-02-30) makes the URL not match

    def to_url(self, value: date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("", accounts.home, name="home"),
    path("login/", accounts.login, name="login"),
    path("logout/", accounts.logout, name="logout"),
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/branch/", visits.visit_branch, name="visit_branch"),
    path("visits/absences/", absences.absence_list, name="visit_absences"),
    path(
        "visits/absences/<int:absence_id>/delete/",
        absences.absence_remove,
        name="visit_absence_remove",
    ),
    path("visits/calendar/", visits.visit_calendar, name="visit_calendar"),
    path("visits/<int:visit_id>/assign/", visits.visit_assign_view, name="visit_assign"),
    path("loans/", loans.loan_list, name="loan_list"),
    # Contract numbers may hold slashes ("2025/001"): the longer routes come first.
    path("loans/<path:loan_no>/edit/", loans.loan_edit, name="loan_edit"),
    path("loans/<path:loan_no>/repayments/new/", loans.repayment_new, name="repayment_new"),
    path("loans/<path:loan_no>/", loans.loan_detail, name="loan_detail"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/template/<str:kind>.xlsx", imports.import_template, name="import_template"),
    path("imports/<int:batch_id>/", imports.import_detail, name="import_detail"),
    path("imports/<int:batch_id>/apply/", imports.import_apply, name="import_apply"),
    path("imports/<int:batch_id>/discard/", imports.import_discard, name="import_discard"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/verify/", audit.audit_verify, name="audit_verify"),
    path("calendar/", calendar_entries.calendar_entries, name="calendar_entries"),
    path(
        "calendar/<isodate:day>/delete/",
        calendar_entries.calendar_entry_delete_view,
        name="calendar_entry_delete",
    ),
    path("settings/", settings_hub.settings_hub, name="settings_hub"),
    path("account/tokens/", accounts.token_list, name="token_list"),
    path("account/tokens/<int:token_id>/revoke/", accounts.token_revoke_view, name="token_revoke"),
]
