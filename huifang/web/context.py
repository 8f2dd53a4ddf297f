from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from huifang.accounts.gate import has_perm
from huifang.followups.selectors import visits_due_for
from huifang.notifications.services import unread_count
from huifang.restructuring.selectors import waiting_count as restructuring_waiting
from huifang.reviews.selectors import review_queue

# URL name prefix -> the navigation section it belongs to.
SECTIONS = (
    ("visit_", "visits"),
    ("review_", "reviews"),
    ("recheck_", "reviews"),
    ("archive", "archive"),
    ("questionnaire_", "settings"),
    ("department_", "departments"),
    ("webhook_", "settings"),
    ("delivery_", "settings"),
    ("risk_", "risk"),
    ("classification_", "classification"),
    ("restructuring_", "restructuring"),
    ("loan_", "loans"),
    ("repayment_", "loans"),
    ("import_", "imports"),
    ("audit_", "audit"),
    ("calendar_", "settings"),
    ("policy_", "settings"),
    ("inbox", "inbox"),
    ("settings_", "settings"),
    ("token_", "settings"),
    ("user_", "settings"),
    ("branch_", "settings"),
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
            # The red badge at 我的回访: one COUNT over the (assignee, status, due_date) index.
            "overdue_visits": (
                visits_due_for(user=user, on=timezone.localdate())["overdue"].count()
                if signed_in and has_perm(user, "loan.read")
                else 0
            ),
            "assign": signed_in and has_perm(user, "visits.assign"),
            "review": signed_in and has_perm(user, "visits.review"),
            # The count beside 审核: submitted visits this reviewer may decide.
            "review_waiting": (
                review_queue(user=user).count()
                if signed_in and has_perm(user, "visits.review")
                else 0
            ),
            "archive": signed_in and has_perm(user, "loan.read"),
            "questionnaires": signed_in and has_perm(user, "questionnaire.manage"),
            "risk": signed_in and has_perm(user, "risk.read"),
            "classification": signed_in
            and (
                has_perm(user, "classification.propose") or has_perm(user, "classification.approve")
            ),
            "restructuring": signed_in
            and (
                has_perm(user, "restructuring.propose") or has_perm(user, "restructuring.approve")
            ),
            # The count beside 还款调整: proposals waiting for this risk manager's decision.
            "restructuring_waiting": (
                restructuring_waiting(user)
                if signed_in and has_perm(user, "restructuring.approve")
                else 0
            ),
            "departments": signed_in
            and (has_perm(user, "departments.work") or has_perm(user, "departments.manage")),
            "import": signed_in and has_perm(user, "portfolio.import"),
            "audit": signed_in and has_perm(user, "audit.read"),
            "calendar": signed_in and has_perm(user, "calendar.manage"),
            "tokens": signed_in and has_perm(user, "api.token"),
            "policies": signed_in and has_perm(user, "policy.manage"),
            "users": signed_in and has_perm(user, "users.manage"),
            "unread": unread_count(user) if signed_in and user is not None else 0,
        },
    }
