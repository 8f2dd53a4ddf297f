"""Issue 5, "Done when": a reviewed answer "funds not used as the contract says" → a
fund-misuse signal → at least special_mention suggested → a warning with its response tasks."""

from django.utils import timezone

from huifang.audit.services import actor_for
from huifang.classification.models import Suggestion
from huifang.classification.services import classify
from huifang.departments.models import Task
from huifang.followups.services.recording import RecordInput, record_save
from huifang.reviews.services import review_decide, visit_submit
from huifang.risk.models import Signal, Warning


def test_fund_misuse_from_a_reviewed_visit_to_warning_tasks_and_classification(work):
    officer, reviewer, visit = work["officer"], work["reviewer"], work["visit"]
    loan = visit.loan

    # given an officer's visit finding that the funds bought a car, submitted and approved
    rec = record_save(
        visit=visit,
        user=officer,
        actor=actor_for(officer),
        data=RecordInput(
            revision=0,
            answers={"funds_ok": "no", "actual_use": "购买私家车"},
            notes="借款人承认资金用于购买私家车",
        ),
    )
    submission = visit_submit(
        visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision
    )
    # nothing is raised before a second person approves the record
    assert not Signal.objects.filter(loan=loan).exists()
    review_decide(
        submission=submission, reviewer=reviewer, actor=actor_for(reviewer), decision="approved"
    )

    # then a fund-misuse signal with its evidence
    signal = Signal.objects.get(loan=loan, code="fund_misuse")
    assert signal.severity == "high"
    # a warning with real work behind it: department tasks (the loan, never repaid, is also
    # far overdue today, so the level may be red rather than orange)
    warning = Warning.objects.get(loan=loan, status__in=["raised", "acknowledged", "responding"])
    assert warning.level in ("orange", "red")
    assert Task.objects.filter(loan=loan, department__code="risk").exists()
    assert warning.signals.filter(code="fund_misuse").exists()
    # and the classification suggests at least special_mention, saying why
    today = timezone.localdate()
    run = classify(as_of=today, actor=actor_for(None, via="command"), trigger="command")
    suggestion = Suggestion.objects.get(run=run, loan=loan)
    assert suggestion.category in ("special_mention", "substandard", "doubtful", "loss")
    assert any(reason.startswith("fund_misuse") for reason in suggestion.reasons)


def test_each_finding_goes_to_the_department_it_concerns(work):
    officer, reviewer, visit = work["officer"], work["reviewer"], work["visit"]
    rec = record_save(
        visit=visit,
        user=officer,
        actor=actor_for(officer),
        data=RecordInput(revision=0, answers={"funds_ok": "yes", "score": "1"}),
    )
    submission = visit_submit(
        visit=visit, user=officer, actor=actor_for(officer), revision=rec.revision
    )
    assert [f["signal"] for f in submission.findings] == ["borrower_dissatisfied"]
    review_decide(
        submission=submission, reviewer=reviewer, actor=actor_for(reviewer), decision="approved"
    )
    task = Task.objects.get(source_type="reviews.submission", source_id=str(submission.pk))
    assert task.department.code == "service" and task.loan == visit.loan
