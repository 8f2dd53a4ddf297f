"""Permission-matrix rows for submitting and reviewing visits."""

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR

API_CASES = [
    ("POST", "/api/v1/visits/{visit_b}/submit", {"revision": 1}, set()),
    ("GET", "/api/v1/visits/{visit_b}/submissions", None, {RM, AD, AU}),
    ("GET", "/api/v1/reviews/queue", None, {RV}),
    ("POST", "/api/v1/visits/{visit_b}/review", {"decision": "approved"}, set()),
    ("GET", "/api/v1/rechecks", None, {RV}),
    ("POST", "/api/v1/rechecks/999999", {"outcome": "confirmed"}, set()),
]
API_ROUTES = {"rechecks/999999": "rechecks/<recheck_id>"}
WEB_CASES = [
    ("GET", "/reviews/", None, {RV}),
    ("GET", "/reviews/{visit_b}/", None, set()),
    ("POST", "/reviews/{visit_b}/decide/", {"decision": "approved"}, set()),
    ("POST", "/rechecks/999999/decide/", {"outcome": "confirmed"}, set()),
]
WEB_ROUTES = {"rechecks/999999/": "rechecks/<int:recheck_id>/"}
