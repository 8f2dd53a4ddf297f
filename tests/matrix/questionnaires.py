"""Permission-matrix rows for the questionnaires app: see tests/test_permission_matrix.py.

Questionnaires belong to no branch: every signed-in user reads them through the API
(officers need the scripts), only admins change them, and the pages are the admins'.
"""

import json

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR
EVERYONE = {OF, RV, RM, AD, AU}

DEFINITION = {
    "sections": [
        {
            "key": "main",
            "title": "基本情况",
            "questions": [{"key": "ok", "type": "yes_no", "label": "经营是否正常？"}],
        }
    ]
}


def _standard(two_branches: dict) -> int:
    from huifang.questionnaires.models import Questionnaire

    return Questionnaire.objects.get(code="borrower-standard").pk


PLACEHOLDERS = {"questionnaire_std": _standard}

Q = "/api/v1/questionnaires"
API_CASES = [
    ("GET", Q, None, EVERYONE),
    ("GET", Q + "/{questionnaire_std}", None, EVERYONE),
    ("GET", Q + "/{questionnaire_std}/versions/1", None, EVERYONE),
    (
        "POST",
        Q,
        {"code": "matrix", "name": "矩阵问卷", "definition": DEFINITION, "note": "矩阵"},
        {AD},
    ),
    ("POST", Q + "/{questionnaire_std}/versions", {"definition": DEFINITION, "note": "矩阵"}, {AD}),
]
API_ROUTES = {"questionnaires/{questionnaire_std}": "questionnaires/<questionnaire_id>"}

FORM = {
    "name": "矩阵问卷",
    "code": "matrix",
    "subject_roles": ["borrower"],
    "is_active": "on",
    "definition": json.dumps(DEFINITION, ensure_ascii=False),
    "note": "矩阵",
}
W = "/questionnaires/"
WEB_CASES = [
    ("GET", W, None, {AD}),
    ("GET", W + "new/", None, {AD}),
    ("POST", W + "new/", FORM, {AD}),
    ("GET", W + "{questionnaire_std}/", None, {AD}),
    ("GET", W + "{questionnaire_std}/edit/", None, {AD}),
    ("POST", W + "{questionnaire_std}/edit/", {**FORM, "preview": "1"}, {AD}),
    ("GET", W + "{questionnaire_std}/versions/1/", None, {AD}),
]
WEB_ROUTES = {
    "questionnaires/{questionnaire_std}/versions/1/": (
        "questionnaires/<int:questionnaire_id>/versions/<int:number>/"
    ),
    "questionnaires/{questionnaire_std}/": "questionnaires/<int:questionnaire_id>/",
}
