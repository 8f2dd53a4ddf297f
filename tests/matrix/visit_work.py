"""Permission-matrix rows for carrying out visits (the visit page, its forms, the API).

Only the visit's assignee may work on it, so nobody in branch A may write to branch B's visit.
"""

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR

API_CASES = [
    ("GET", "/api/v1/visits/{visit_b}/record", None, {RM, AD, AU}),
    ("PUT", "/api/v1/visits/{visit_b}/record", {"revision": 0, "notes": "x"}, set()),
    ("POST", "/api/v1/visits/{visit_b}/attempts", {"result": "reached"}, set()),
    ("POST", "/api/v1/visits/{visit_b}/online-link", None, set()),
]
WEB_CASES = [
    ("GET", "/visits/{visit_b}/", None, {RM, AD, AU}),
    ("POST", "/visits/{visit_b}/record/", {"revision": "0", "action": "save"}, set()),
    ("POST", "/visits/{visit_b}/attempts/", {"result": "reached"}, set()),
    ("POST", "/visits/{visit_b}/online-link/", {}, set()),
]
