from django.conf import settings
from django.http import HttpRequest

from huifang.accounts.gate import has_perm

# URL name prefix -> the navigation section it belongs to.
SECTIONS = (
    ("loan_", "loans"),
    ("repayment_", "loans"),
    ("import_", "imports"),
    ("audit_", "audit"),
    ("token_", "tokens"),
)


def huifang(request: HttpRequest) -> dict:
    """The institution's name, and which parts of the navigation the user may use (from the gate)."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    url_name = (match.url_name or "") if match else ""
    return {
        "institution_name": settings.HUIFANG_INSTITUTION_NAME,
        "nav": {
            "section": next((s for prefix, s in SECTIONS if url_name.startswith(prefix)), ""),
            "import": signed_in and has_perm(user, "portfolio.import"),
            "audit": signed_in and has_perm(user, "audit.read"),
            "tokens": signed_in and has_perm(user, "api.token"),
        },
    }
