"""`huifang classify` and `huifang export_classification` as an operator runs them (interfaces.md)."""

import csv
import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huifang.accounts.models import Role, User
from huifang.audit.models import AuditEvent
from huifang.classification.facts import allocations, repaid_by
from huifang.classification.models import ClassificationRun, Suggestion
from huifang.portfolio.models import Loan, LoanStatus

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
EXPECTED = SAMPLES / "expected_dpd_2026-06-30.csv"
AS_OF = date(2026, 6, 30)


def run(*args: object) -> str:
    out = io.StringIO()
    call_command(*[str(a) for a in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def samples(db):
    run("import_loans", SAMPLES / "loans_zh.csv")
    run("import_repayments", SAMPLES / "repayments.csv")


def test_the_sample_portfolio_is_classified_as_the_spec_says(samples, tmp_path):
    # given the sample loans and repayments
    # when the operator classifies as of 2026-06-30 and exports
    summary = run("classify", "--as-of", "2026-06-30", "--no-progress")
    out = tmp_path / "classification.csv"
    run("export_classification", "--out", out)

    # then the file has the interface's columns
    assert out.read_text(encoding="utf-8").splitlines()[0] == "loan_no,as_of,dpd,category,reasons"
    rows = read(out)
    expected = {row["loan_no"]: row for row in read(EXPECTED)}
    # one row per loan disbursed on or before the date and not closed (repaid in full by
    # then): the expected file lists every loan disbursed by then, repaid or not
    repaid = {
        loan.loan_no
        for loan in Loan.objects.all()
        if repaid_by(allocations([loan.pk])[loan.pk], AS_OF)
    }
    assert repaid, "the sample has loans repaid in full by 2026-06-30"
    assert [r["loan_no"] for r in rows] == sorted(set(expected) - repaid)
    # every row's DPD and category are the expected ones (no other floor applies here)
    for row in rows:
        want = expected[row["loan_no"]]
        assert (row["as_of"], row["dpd"], row["category"]) == (
            "2026-06-30",
            want["dpd"],
            want["category"],
        ), row["loan_no"]
        assert row["reasons"] == ("" if want["dpd"] == "0" else f"dpd:{want['dpd']}")
    assert f"classified {len(rows)} loans as of 2026-06-30" in summary


def test_a_run_is_kept_as_a_record_and_audited(samples):
    run("classify", "--as-of", "2026-06-30", "--no-progress")
    run_row = ClassificationRun.objects.get()
    assert run_row.trigger == "command"
    assert run_row.finished_at is not None
    assert run_row.loans == Suggestion.objects.filter(run=run_row).count() > 0
    assert run_row.changed == 0  # nothing to change from on the first run
    assert AuditEvent.objects.filter(action="classify", object_id=str(run_row.pk)).exists()


def test_a_second_run_counts_the_loans_whose_suggestion_changed(samples, tmp_path):
    # given a run as of 2026-06-30
    run("classify", "--as-of", "2026-06-30", "--no-progress")
    first = {s.loan_id: s.category for s in Suggestion.objects.all()}

    # when the portfolio is classified again four months later
    summary = run("classify", "--as-of", "2026-10-31", "--no-progress")

    # then the run counts the loans whose suggestion differs from the previous one
    latest = ClassificationRun.objects.order_by("-pk").first()
    now = dict(Suggestion.objects.filter(run=latest).values_list("loan_id", "category"))
    changed = sum(
        1 for loan_id, category in now.items() if first.get(loan_id, category) != category
    )
    assert changed > 0
    assert latest.changed == changed
    assert f"{changed} changed" in summary
    # and the export shows the latest run's date
    out = tmp_path / "later.csv"
    run("export_classification", "--out", out)
    assert {row["as_of"] for row in read(out)} == {"2026-10-31"}


def test_loans_disbursed_after_the_date_or_written_off_are_left_out(samples, tmp_path):
    # given a loan written off
    written_off = Loan.objects.filter(status=LoanStatus.ACTIVE).order_by("loan_no").first()
    written_off.status = LoanStatus.WRITTEN_OFF
    written_off.save(update_fields=["status"])

    # when classifying as of a date before some disbursements
    run("classify", "--as-of", "2024-06-30", "--no-progress")
    out = tmp_path / "early.csv"
    run("export_classification", "--out", out)

    # then only loans disbursed by then and not written off are in the file
    loan_nos = {row["loan_no"] for row in read(out)}
    disbursed = set(
        Loan.objects.filter(disbursement_date__lte=date(2024, 6, 30)).values_list(
            "loan_no", flat=True
        )
    )
    assert loan_nos <= disbursed
    assert written_off.loan_no not in loan_nos
    assert loan_nos


def test_a_bad_date_is_named(db):
    with pytest.raises(CommandError, match="--as-of: '2026-02-30' is not a date"):
        run("classify", "--as-of", "2026-02-30")
    assert not ClassificationRun.objects.exists()


def test_an_officer_may_not_run_the_classification(db):
    User.objects.create_user(username="li.officer", password="x-Pass-2026", role=Role.OFFICER)
    with pytest.raises(CommandError, match="permission denied"):
        run("classify", "--as", "li.officer")
    assert not ClassificationRun.objects.exists()


def test_exporting_before_any_run_writes_only_the_header(db, tmp_path):
    out = tmp_path / "empty.csv"
    assert "0 loans" in run("export_classification", "--out", out)
    assert out.read_text(encoding="utf-8") == "loan_no,as_of,dpd,category,reasons\n"


def test_schedule_jobs_queues_the_daily_classification_once(db):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from huifang.classification.tasks import DAILY_PATH

    first = run("schedule_jobs")
    second = run("schedule_jobs")
    assert "daily classification queued for" in first
    assert "daily classification already queued" in second
    assert (
        DBTaskResult.objects.filter(task_path=DAILY_PATH, status=TaskResultStatus.READY).count()
        == 1
    )


def test_the_daily_task_classifies_as_of_today_and_queues_the_next(samples, time_machine):
    from huifang.classification.tasks import daily_classify

    time_machine.move_to(datetime(2026, 7, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
    result = daily_classify.call()
    run_row = ClassificationRun.objects.get(pk=result["run"])
    assert run_row.as_of == date(2026, 7, 1)
    assert run_row.trigger == "task"
    assert result["loans"] == run_row.loans > 0
    # and the next day's run is waiting
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from huifang.classification.tasks import DAILY_PATH

    assert DBTaskResult.objects.filter(task_path=DAILY_PATH, status=TaskResultStatus.READY).exists()


def test_a_run_costs_a_few_queries_per_chunk_not_per_loan(samples):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huifang.audit.services import Actor
    from huifang.classification.services import classify

    actor = Actor(user_id=None, name="system", via="command")
    # given the forty sample loans, when classified in one chunk and then in four
    with CaptureQueriesContext(connection) as one:
        classify(as_of=AS_OF, actor=actor, trigger="command", chunk_loans=1000)
    with CaptureQueriesContext(connection) as four:
        classify(as_of=AS_OF, actor=actor, trigger="command", chunk_loans=10)

    # then the queries grow with the chunks, never with the loans
    assert len(one.captured_queries) < 30
    per_chunk = (len(four.captured_queries) - len(one.captured_queries)) / 3
    assert per_chunk < 20
