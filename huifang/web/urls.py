from django.urls import path

from huifang.web.views import accounts, audit, imports, loans

urlpatterns = [
    path("", accounts.home, name="home"),
    path("login/", accounts.login, name="login"),
    path("logout/", accounts.logout, name="logout"),
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
    path("account/tokens/", accounts.token_list, name="token_list"),
    path("account/tokens/<int:token_id>/revoke/", accounts.token_revoke_view, name="token_revoke"),
]
