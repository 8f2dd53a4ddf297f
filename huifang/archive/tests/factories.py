"""Approved (and not approved) visits made directly in the database, as review leaves them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from huifang.accounts.models import Role, User
from huifang.archive.services import archive_index_visit
from huifang.followups.models import Visit, VisitStatus
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion
from huifang.reviews.models import Decision, Review, Submission

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A tiny questionnaire in the shared definition format (questionnaires/schema.py).
DEFINITION = {
    "sections": [
        {
            "key": "business",
            "title": "经营情况",
            "questions": [
                {
                    "key": "revenue_trend",
                    "type": "single",
                    "label": "近期经营收入变化",
                    "required": True,
                    "options": [
                        {"value": "up", "label": "明显上升"},
                        {"value": "down", "label": "明显下滑"},
                    ],
                },
                {"key": "remarks", "type": "text", "label": "其他情况", "required": False},
            ],
        }
    ]
}


def questionnaire_version() -> QuestionnaireVersion:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        code="archive-test", defaults={"name": "归档测试问卷"}
    )
    version, _ = QuestionnaireVersion.objects.get_or_create(
        questionnaire=questionnaire, number=1, defaults={"definition": DEFINITION}
    )
    return version


def _reviewer() -> User:
    reviewer, _ = User.objects.get_or_create(
        username="archive_reviewer", defaults={"role": Role.REVIEWER}
    )
    return reviewer


def file_visit(
    visit: Visit,
    *,
    notes: str = "",
    answers: dict | None = None,
    findings: list | None = None,
    on: date = date(2025, 3, 10),
    channel: str = "onsite",
    outcome: str = VisitStatus.APPROVED,
    officer: User | None = None,
) -> Visit:
    """Give a visit a submission round with these notes and answers, then decide it.

    outcome: approved (reviewed and approved), returned (reviewed and returned) or
    submitted (waiting for review). The archive is then updated as approval does it.
    """
    round_no = visit.submissions.count() + 1
    submission = Submission.objects.create(
        visit=visit,
        round=round_no,
        questionnaire=questionnaire_version(),
        channel=channel,
        answers=answers or {"revenue_trend": "up"},
        notes=notes,
        findings=findings or [],
        occurred_at=datetime(on.year, on.month, on.day, 10, 30, tzinfo=SHANGHAI),
        submitted_by=officer,
    )
    if outcome in (VisitStatus.APPROVED, VisitStatus.RETURNED):
        Review.objects.create(
            submission=submission,
            reviewer=_reviewer(),
            decision=Decision.APPROVED if outcome == VisitStatus.APPROVED else Decision.RETURNED,
            comment="" if outcome == VisitStatus.APPROVED else "请补充照片",
        )
    visit.status = outcome
    if officer is not None:
        visit.assignee = officer
    visit.save(update_fields=["status", "assignee"])
    archive_index_visit(visit=visit)
    return visit
