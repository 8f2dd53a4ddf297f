"""Permission-matrix rows for the risk app: signals, warnings and their handling, lexicon, rules.

The objects are branch B's: a blue warning on loan B-0001, while the user sits in branch A.
Everyone reads the risk lists (scoped to their branches); only risk managers handle
warnings; officers, reviewers and risk managers raise signals (on loans they may read);
admins and risk managers edit the lexicon and the rules.
"""

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR
EVERYONE = {OF, RV, RM, AD, AU}


def _warning_b(two_branches: dict) -> int:
    from huifang.portfolio.models import Loan
    from huifang.risk.models import OPEN_WARNING, Warning

    loan = Loan.objects.get(loan_no="B-0001")
    open_one = Warning.objects.filter(loan=loan, status__in=OPEN_WARNING).first()
    return (open_one or Warning.objects.create(loan=loan, level="blue")).pk


def _acknowledge_form() -> dict:
    from huifang.accounts.models import User

    return {"owner": str(User.objects.get(username="risk_manager_a").pk), "deadline": "2099-01-01"}


PLACEHOLDERS = {"warning_b": _warning_b}
SIGNAL = {"loan_no": "B-0001", "code": "other_risk", "severity": "low", "evidence": "矩阵测试"}
TERM = {"term": "停业", "code": "business_decline", "severity": "medium"}
RULE = {
    "code": "matrix_rule",
    "name": "矩阵测试规则",
    "level": "blue",
    "conditions": {"dpd_min": 5},
}

API_CASES = [
    ("GET", "/api/v1/risk/signals", None, EVERYONE),
    ("POST", "/api/v1/risk/signals", SIGNAL, {RM}),
    ("GET", "/api/v1/risk/warnings", None, EVERYONE),
    ("GET", "/api/v1/risk/warnings/{warning_b}", None, {RM, AD, AU}),
    (
        "POST",
        "/api/v1/risk/warnings/{warning_b}/acknowledge",
        {"owner": "risk_manager_a", "deadline": "2099-01-01"},
        {RM},
    ),
    ("POST", "/api/v1/risk/warnings/{warning_b}/respond", {"kind": "monitor"}, {RM}),
    ("POST", "/api/v1/risk/warnings/{warning_b}/lift", {"reason": "已核实，风险消除"}, {RM}),
    (
        "POST",
        "/api/v1/risk/warnings/{warning_b}/escalate",
        {"level": "yellow", "reason": "再次联系失败"},
        {RM},
    ),
    ("GET", "/api/v1/risk/lexicon", None, EVERYONE),
    ("POST", "/api/v1/risk/lexicon", TERM, {RM, AD}),
    ("GET", "/api/v1/risk/rules", None, EVERYONE),
    ("POST", "/api/v1/risk/rules", RULE, {RM, AD}),
]
API_ROUTES = {"{warning_b}": "<warning_id>"}

WEB_CASES = [
    ("GET", "/risk/", None, EVERYONE),
    ("GET", "/risk/warnings/", None, EVERYONE),
    ("GET", "/risk/warnings/?level=blue&status=open", None, EVERYONE),
    ("GET", "/risk/warnings/{warning_b}/", None, {RM, AD, AU}),
    ("POST", "/risk/warnings/{warning_b}/acknowledge/", _acknowledge_form, {RM}),
    ("POST", "/risk/warnings/{warning_b}/respond/", {"kind": "monitor", "note": ""}, {RM}),
    ("POST", "/risk/warnings/{warning_b}/lift/", {"reason": "已核实，风险消除"}, {RM}),
    (
        "POST",
        "/risk/warnings/{warning_b}/escalate/",
        {"level": "yellow", "reason": "再次联系失败"},
        {RM},
    ),
    ("GET", "/risk/signals/", None, EVERYONE),
    ("GET", "/risk/signals/new/?loan=B-0001", None, {RM}),
    (
        "POST",
        "/risk/signals/new/",
        {"loan": "B-0001", "code": "other_risk", "severity": "low", "evidence": "矩阵测试"},
        {RM},
    ),
    ("GET", "/risk/lexicon/", None, {RM, AD}),
    ("GET", "/risk/lexicon/?text=%E5%B7%B2%E5%81%9C%E4%BA%A7", None, {RM, AD}),
    ("POST", "/risk/lexicon/", {**TERM, "active": "on"}, {RM, AD}),
    ("GET", "/risk/rules/", None, {RM, AD}),
    (
        "POST",
        "/risk/rules/",
        {
            "code": "matrix_rule",
            "name": "矩阵测试规则",
            "level": "blue",
            "conditions": '{"dpd_min": 5}',
            "active": "on",
        },
        {RM, AD},
    ),
]
WEB_ROUTES = {"{warning_b}/": "<int:warning_id>/"}
