"""Objects of the risk tests, made as the other apps leave them (loan A-0001: branch A,
12 monthly instalments due on the 15th from 2025-02-15)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from huifang.audit.services import Actor
from huifang.followups.models import ContactAttempt, Visit
from huifang.reviews.models import Decision, Review, Submission

SHANGHAI = ZoneInfo("Asia/Shanghai")
SYSTEM = Actor(user_id=None, name="system", via="task")
# The first instalment of A-0001 is due 2025-02-15: with nothing paid, DPD 15 on 2025-03-02.
DPD15 = date(2025, 3, 2)


def unreachable_on(visit: Visit, *days: date, by=None) -> None:
    """Unanswered contact attempts on these days (as the officer's phone calls leave them)."""
    for day in days:
        ContactAttempt.objects.create(
            visit=visit,
            attempted_at=datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI),
            channel="phone",
            result="unreachable",
            by=by,
        )


def approved_round(work, *, findings=(), notes="", answers=None) -> Submission:
    """An approved review round of the work fixture's visit (A-0001's first borrower visit)."""
    visit = work["visit"]
    submission = Submission.objects.create(
        visit=visit,
        round=visit.submissions.count() + 1,
        questionnaire=work["questionnaires"]["test-officer"],
        channel="onsite",
        contact_result="reached",
        answers=answers or {},
        notes=notes,
        findings=list(findings),
        occurred_at=datetime(2025, 3, 1, 10, 0, tzinfo=SHANGHAI),
        submitted_by=work["officer"],
    )
    Review.objects.create(
        submission=submission, reviewer=work["reviewer"], decision=Decision.APPROVED
    )
    visit.status = "approved"
    visit.save(update_fields=["status"])
    return submission


FUND_MISUSE = {
    "signal": "fund_misuse",
    "severity": "high",
    "question": "funds_ok",
    "answer": False,
    "label": "资金未按合同约定用途使用",
}
CONTACT_FAILED = {
    "signal": "contact_failure",
    "severity": "high",
    "question": "",
    "answer": None,
    "label": "连续 3 天无法联系",
}


def departments_ready() -> bool:
    try:
        from huifang.departments.services import department_task_create  # noqa: F401
    except ImportError:
        return False
    return True
