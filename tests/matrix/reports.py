"""Permission-matrix rows for the reports app: see tests/test_permission_matrix.py.

The visit pack and the visit report are reads of branch B's visit: the roles that see every
branch may have them, nobody in branch A else. The report needs a submitted visit, which the
placeholder makes (a tiny questionnaire and round 1 of branch B's first visit).
"""

from huifang.accounts.models import Role

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR


def _submitted_visit_b(two_branches: dict) -> int:
    from huifang.followups.models import Visit, VisitStatus
    from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion
    from huifang.reviews.models import Submission

    visit = Visit.objects.filter(loan__loan_no="B-0001").order_by("pk").first()
    assert visit is not None
    if not Submission.objects.filter(visit=visit).exists():
        questionnaire, _ = Questionnaire.objects.get_or_create(
            code="matrix-reports", defaults={"name": "矩阵测试问卷", "is_active": False}
        )
        version, _ = QuestionnaireVersion.objects.get_or_create(
            questionnaire=questionnaire,
            number=1,
            defaults={
                "definition": {
                    "sections": [
                        {
                            "key": "basic",
                            "title": "基本情况",
                            "questions": [
                                {"key": "reached", "type": "yes_no", "label": "是否联系上？"}
                            ],
                        }
                    ]
                }
            },
        )
        Submission.objects.create(
            visit=visit,
            round=1,
            questionnaire=version,
            channel=visit.channel,
            contact_result="reached",
            answers={"reached": True},
        )
        Visit.objects.filter(pk=visit.pk).update(status=VisitStatus.SUBMITTED)
    return visit.pk


PLACEHOLDERS = {"report_visit_b": _submitted_visit_b}

API_CASES: list = [
    ("GET", "/api/v1/visits/{visit_b}/pack", None, {RM, AD, AU}),
    ("GET", "/api/v1/visits/{visit_b}/pack.pdf", None, {RM, AD, AU}),
    ("GET", "/api/v1/visits/{report_visit_b}/report.pdf?to=credit", None, {RM, AD, AU}),
]
API_ROUTES = {"{report_visit_b}/report.pdf?to=credit": "<visit_id>/report.pdf"}
WEB_CASES: list = [
    ("GET", "/visits/{visit_b}/pack/", None, {RM, AD, AU}),
    ("GET", "/visits/{visit_b}/pack.pdf", None, {RM, AD, AU}),
    ("GET", "/visits/{report_visit_b}/report.pdf?to=collections", None, {RM, AD, AU}),
]
WEB_ROUTES = {"{report_visit_b}/report.pdf": "<int:visit_id>/report.pdf"}
