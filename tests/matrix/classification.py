"""Permission-matrix rows for the classification app: see tests/test_permission_matrix.py."""

import json

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR
EVERYONE = {OF, RV, RM, AD, AU}
LOAN_B = "B-0001"
PROPOSAL = {"action": "propose", "category": "special_mention", "reason": "矩阵测试"}
# A new rule-set version: the default floors plus "legal_risk -> at least substandard".
NEW_RULES = {"signals": {"fund_misuse": "special_mention", "legal_risk": "substandard"}}

API_CASES = [
    ("GET", "/api/v1/classification/runs", None, EVERYONE),
    ("POST", "/api/v1/classification/runs", {"as_of": "2025-06-01"}, {RM, AD}),
    ("GET", "/api/v1/classification/suggestions", None, EVERYONE),
    ("GET", f"/api/v1/loans/{LOAN_B}/classification", None, {RM, AD, AU}),
    # 初分 needs classification.propose (officers, risk managers) and the loan's branch.
    ("POST", f"/api/v1/loans/{LOAN_B}/classification", PROPOSAL, {RM}),
    # The rule set (risk.rules): admins and risk managers only.
    ("GET", "/api/v1/classification/rules", None, {RM, AD}),
    ("POST", "/api/v1/classification/rules", {"rules": NEW_RULES, "note": "矩阵测试"}, {RM, AD}),
]
WEB_CASES = [
    ("GET", "/classification/", None, EVERYONE),
    ("GET", "/classification/?category=substandard&q=B-", None, EVERYONE),
    ("GET", "/classification/runs/", None, EVERYONE),
    ("POST", "/classification/runs/new/", {"as_of": "2025-06-01"}, {RM, AD}),
    ("GET", f"/classification/loans/{LOAN_B}/", None, {RM, AD, AU}),
    ("POST", f"/classification/loans/{LOAN_B}/act/", PROPOSAL, {RM}),
    ("GET", "/classification/rules/", None, {RM, AD}),
    (
        "POST",
        "/classification/rules/",
        {"rules": json.dumps(NEW_RULES), "note": "矩阵测试"},
        {RM, AD},
    ),
]
