"""import_loans, import_repayments and export_schedule as an operator runs them (interfaces.md).

Every test goes through `call_command`, as `huifang import_loans FILE` would, and
checks what a user would see: the files written, the summary and error lines,
and the database contents (personal data decrypted).
"""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from huifang.accounts.models import Branch, Role, User
from huifang.audit.models import AuditEvent
from huifang.portfolio import loanmath, selectors
from huifang.portfolio.models import (
    Borrower,
    Collateral,
    ImportBatch,
    Installment,
    Loan,
    LoanParty,
    LoanStatus,
    Repayment,
    ScheduleVersion,
)

SAMPLES = Path(__file__).resolve().parents[3] / "tests" / "samples"
LOANS_ZH = SAMPLES / "loans_zh.csv"
LOANS_EN = SAMPLES / "loans_en.csv"
REPAYMENTS = SAMPLES / "repayments.csv"
EXPECTED_SCHEDULE = SAMPLES / "expected_schedule.csv"
EXPECTED_DPD = SAMPLES / "expected_dpd_2026-06-30.csv"
DPD_AS_OF = date(2026, 6, 30)

# Every table an import may write to, the audit trail included.
TABLES = (
    Branch,
    Borrower,
    Loan,
    LoanParty,
    Collateral,
    ScheduleVersion,
    Installment,
    Repayment,
    ImportBatch,
    AuditEvent,
)


# --- running commands ----------------------------------------------------------------------


def run(*args: object) -> tuple[str, str]:
    """Run a command that must succeed; its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: object) -> tuple[str, str]:
    """Run a command that must fail; the failure's message and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(*[str(a) for a in args], stdout=out, stderr=err)
    return str(failure.value), err.getvalue()


# --- files ---------------------------------------------------------------------------------


def sample_rows(path: Path = LOANS_ZH) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def sample_row(loan_no: str, **changes: str) -> dict[str, str]:
    """A row of loans_zh.csv (Chinese headers), with some cells changed."""
    _header, rows = sample_rows()
    row = next(r for r in rows if r["借款合同编号"] == loan_no)
    return {**row, **changes}


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_loans(path: Path, rows: list[dict[str, str]]) -> Path:
    header, _rows = sample_rows()
    return write_csv(path, header, rows)


def write_repayments(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["loan_no,paid_date,amount", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def xlsx_from_csv(source: Path, target: Path) -> Path:
    """The sample as Excel saves it: number cells, a percent-formatted rate, date cells."""
    header, rows = sample_rows(source)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row_number, row in enumerate(rows, start=2):
        for column_number, name in enumerate(header, start=1):
            text = row[name]
            if not text:
                continue
            cell = sheet.cell(row=row_number, column=column_number)
            if name == "贷款金额":
                cell.value = float(text)
                cell.number_format = "#,##0.00"
            elif name == "期限(月)":
                cell.value = int(text)
            elif name == "年利率":
                cell.value = float(text)
                cell.number_format = "0.00%"
            elif name in ("放款日期", "到期日期"):
                cell.value = date.fromisoformat(text)
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.value = text
    workbook.save(target)
    return target


# --- the database as a user sees it --------------------------------------------------------


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in TABLES}


def portfolio_dump() -> dict[str, list]:
    """The portfolio without ids, timestamps or ciphertext: what two equal imports share."""
    loans = [
        (
            loan.loan_no,
            loan.borrower.id_no,
            loan.product,
            loan.principal,
            loan.annual_rate,
            loan.term_months,
            loan.disbursement_date,
            loan.maturity_date,
            loan.repayment_method,
            loan.purpose,
            loan.risk_level,
            loan.branch.name,
            loan.officer.username if loan.officer else None,
            loan.status,
            loan.schedule_version,
            loan.outstanding_principal,
            loan.paid_total,
            loan.credit_balance,
            loan.first_unpaid_due,
        )
        for loan in Loan.objects.select_related("borrower", "branch", "officer").order_by("loan_no")
    ]
    borrowers = sorted(
        (b.id_no, b.phone, b.kind, b.name, b.address, b.industry) for b in Borrower.objects.all()
    )
    parties = sorted(
        (p.loan.loan_no, p.role, p.kind, p.name, p.id_no, p.phone, p.relation)
        for p in LoanParty.objects.select_related("loan")
    )
    versions = list(
        ScheduleVersion.objects.order_by("loan__loan_no", "number").values_list(
            "loan__loan_no",
            "number",
            "effective_date",
            "reason",
            "principal",
            "annual_rate",
            "term_months",
            "repayment_method",
            "maturity_date",
        )
    )
    installments = list(
        Installment.objects.order_by(
            "version__loan__loan_no", "version__number", "period"
        ).values_list(
            "version__loan__loan_no",
            "version__number",
            "period",
            "due_date",
            "principal",
            "interest",
            "balance",
        )
    )
    return {
        "branches": sorted(Branch.objects.values_list("name", flat=True)),
        "borrowers": borrowers,
        "loans": loans,
        "parties": parties,
        "versions": versions,
        "installments": installments,
    }


def clear_portfolio() -> None:
    """Back to an empty portfolio (the audit trail cannot be emptied, and need not be)."""
    Repayment.objects.all().delete()
    Loan.objects.all().delete()  # with their parties, collateral and schedules
    Borrower.objects.all().delete()
    ImportBatch.objects.all().delete()
    Branch.objects.filter(users__isnull=True).delete()


def new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def make_user(username: str, role: str, branch: str | None = None) -> User:
    return User.objects.create_user(
        username=username,
        password="not-used-here-1",
        role=role,
        branch=Branch.objects.get_or_create(name=branch)[0] if branch else None,
    )


# --- export_schedule -----------------------------------------------------------------------


def test_exported_schedule_of_the_sample_equals_the_expected_file(db, tmp_path):
    # given the sample portfolio imported
    run("import_loans", LOANS_ZH)

    # when the schedules are exported
    out = tmp_path / "schedule.csv"
    stdout, _ = run("export_schedule", "--out", out)

    # then the file is the expected one, byte for byte
    assert out.read_bytes() == EXPECTED_SCHEDULE.read_bytes()
    assert "532 installments of 40 loans" in stdout


def test_export_schedule_of_one_loan_has_only_its_installments(db, tmp_path):
    # given the sample portfolio
    run("import_loans", LOANS_ZH)

    # when one loan's schedule is exported
    out = tmp_path / "one.csv"
    run("export_schedule", "--out", out, "--loan", "SAMPLE-003")

    # then the file holds the header and that loan's lines of the expected file, nothing else
    expected = EXPECTED_SCHEDULE.read_text(encoding="utf-8").splitlines()
    wanted = [expected[0], *(line for line in expected[1:] if line.startswith("SAMPLE-003,"))]
    assert len(wanted) == 3
    assert out.read_text(encoding="utf-8").splitlines() == wanted


def test_export_schedule_of_an_unknown_loan_fails_clearly(db, tmp_path):
    run("import_loans", LOANS_ZH)

    message, _ = run_failing("export_schedule", "--out", tmp_path / "x.csv", "--loan", "NO-SUCH")

    assert "--loan" in message
    assert "NO-SUCH" in message


# --- one portfolio, four file formats ------------------------------------------------------


def _utf8_bom(tmp_path: Path) -> Path:
    path = tmp_path / "loans_bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + LOANS_ZH.read_bytes())
    return path


def _gb18030(tmp_path: Path) -> Path:
    path = tmp_path / "loans_gb18030.csv"
    path.write_bytes(LOANS_ZH.read_text(encoding="utf-8").encode("gb18030"))
    return path


def _xlsx(tmp_path: Path) -> Path:
    return xlsx_from_csv(LOANS_ZH, tmp_path / "loans.xlsx")


@pytest.mark.parametrize("make_file", [_xlsx, _utf8_bom, _gb18030], ids=["xlsx", "bom", "gb18030"])
def test_every_file_format_gives_the_same_database(db, tmp_path, make_file):
    # given the portfolio as the UTF-8 CSV gives it
    run("import_loans", LOANS_ZH)
    from_utf8 = portfolio_dump()
    assert len(from_utf8["loans"]) == 40
    clear_portfolio()
    assert Loan.objects.count() == 0

    # when the same loans are imported into an empty portfolio from another format
    variant = make_file(tmp_path)
    stdout, stderr = run("import_loans", variant)

    # then the database holds exactly the same portfolio
    assert stderr == ""
    assert "40 loans created" in stdout
    assert portfolio_dump() == from_utf8


def test_the_xlsx_percent_cell_is_the_rate_it_shows(db, tmp_path):
    # 4.35% in a percent cell is 0.0435, not 4.35 and not the float nearest to 0.0435
    run("import_loans", xlsx_from_csv(LOANS_ZH, tmp_path / "loans.xlsx"))

    assert Loan.objects.get(loan_no="SAMPLE-002").annual_rate == Decimal("0.0435")
    assert Loan.objects.get(loan_no="SAMPLE-002").principal == Decimal("4361248.15")
    assert Loan.objects.get(loan_no="SAMPLE-008").maturity_date == date(2025, 2, 10)


# --- re-import -----------------------------------------------------------------------------


def test_reimporting_the_same_loans_with_english_headers_changes_nothing(db):
    # given the sample imported with Chinese headers
    run("import_loans", LOANS_ZH)
    before_counts, before_dump, since = counts(), portfolio_dump(), last_event_id()

    # when the same loans come again with English headers
    stdout, stderr = run("import_loans", LOANS_EN)

    # then all 40 are reported unchanged and only the import itself is on record
    assert "0 loans created, 0 updated, 40 unchanged" in stdout
    assert stderr == ""
    assert portfolio_dump() == before_dump
    after_counts = counts()
    assert after_counts.pop("audit.AuditEvent") == before_counts.pop("audit.AuditEvent") + 1
    assert (
        after_counts.pop("portfolio.ImportBatch") == before_counts.pop("portfolio.ImportBatch") + 1
    )
    assert after_counts == before_counts
    assert [e.action for e in new_events(since)] == ["import"]


# --- bad files -----------------------------------------------------------------------------


def _bad_file(tmp_path: Path) -> tuple[Path, dict[int, str]]:
    """Two good new loans around one bad row of each kind; the bad rows' numbers and columns."""
    rows = [
        sample_row("SAMPLE-001", 借款合同编号="GOOD-1"),  # row 2
        sample_row("SAMPLE-002", 借款合同编号="BAD-ID", 证件号码="310104199308273933"),  # 3
        sample_row("SAMPLE-002", 借款合同编号="BAD-DATE", 放款日期="2025-13-01"),  # 4
        sample_row("SAMPLE-002", 借款合同编号="BAD-RATE", 年利率="1.2"),  # 5
        sample_row("SAMPLE-002", 借款合同编号="BAD-TERM", **{"期限(月)": "361"}),  # 6
        sample_row("SAMPLE-002", 借款合同编号="BAD-AMOUNT", 贷款金额="100.001"),  # 7
        sample_row("SAMPLE-002", 借款合同编号="BAD-METHOD", 还款方式="balloon"),  # 8
        sample_row("SAMPLE-002", 借款合同编号="DUP-1"),  # 9
        sample_row("SAMPLE-003", 借款合同编号="DUP-1"),  # 10
        sample_row("SAMPLE-002", 借款合同编号="BAD-MATURITY", 到期日期="2024-04-01"),  # 11
        sample_row("SAMPLE-002", 借款合同编号="BAD-OFFICER", 客户经理="nobody.here"),  # 12
        sample_row("SAMPLE-002", 借款合同编号="BAD-GUARANTOR", 担保人="张磊"),  # 13
        sample_row("SAMPLE-040", 借款合同编号="GOOD-2"),  # row 14
    ]
    bad = {
        3: "证件号码",
        4: "放款日期",
        5: "年利率",
        6: "期限(月)",
        7: "贷款金额",
        8: "还款方式",
        9: "借款合同编号",
        10: "借款合同编号",
        11: "到期日期",
        12: "客户经理",
        13: "担保人证件号码",
    }
    return write_loans(tmp_path / "bad.csv", rows), bad


def test_a_file_with_bad_rows_names_each_and_changes_nothing(db, tmp_path):
    # given a portfolio, and a file mixing good rows with every kind of bad row
    run("import_loans", LOANS_ZH)
    path, bad = _bad_file(tmp_path)
    before_counts, before_dump = counts(), portfolio_dump()

    # when it is imported without --partial
    message, stderr = run_failing("import_loans", path)

    # then every bad row is named with its row and column, the good ones are not
    for row, column in bad.items():
        assert f"第 {row} 行，列“{column}”" in stderr, (row, column, stderr)
    assert "第 2 行" not in stderr
    assert "第 14 行" not in stderr
    assert "nothing was imported" in message
    # and nothing changed: no loan, no batch, no audit event
    assert counts() == before_counts
    assert portfolio_dump() == before_dump


def test_a_partial_import_takes_the_good_rows_and_reports_the_bad(db, tmp_path):
    # given a portfolio, and a file mixing good rows with every kind of bad row
    run("import_loans", LOANS_ZH)
    path, bad = _bad_file(tmp_path)

    # when it is imported with --partial
    stdout, stderr = run("import_loans", path, "--partial")

    # then the good rows are loans now, the bad ones are reported and absent
    assert "2 loans created" in stdout
    assert set(
        Loan.objects.filter(loan_no__in=["GOOD-1", "GOOD-2"]).values_list("loan_no", flat=True)
    ) == {
        "GOOD-1",
        "GOOD-2",
    }
    assert not Loan.objects.filter(loan_no__startswith="BAD-").exists()
    assert not Loan.objects.filter(loan_no="DUP-1").exists()
    for row, column in bad.items():
        assert f"第 {row} 行，列“{column}”" in stderr, (row, column, stderr)
    assert f"{len(bad)} row(s) not imported" in stderr
    assert ScheduleVersion.objects.filter(loan__loan_no="GOOD-1").count() == 1


# --- upsert --------------------------------------------------------------------------------


def test_a_changed_rate_updates_the_loan_with_a_new_schedule_version(db, tmp_path):
    # given the sample portfolio and the schedule SAMPLE-003 was imported with
    run("import_loans", LOANS_ZH)
    loan = Loan.objects.get(loan_no="SAMPLE-003")
    original = list(
        Installment.objects.filter(version__loan=loan, version__number=1)
        .order_by("period")
        .values_list("period", "due_date", "principal", "interest", "balance")
    )
    since = last_event_id()

    # when a second file gives SAMPLE-003 another rate
    header, rows = sample_rows()
    for row in rows:
        if row["借款合同编号"] == "SAMPLE-003":
            row["年利率"] = "0.10"
    stdout, _ = run("import_loans", write_csv(tmp_path / "corrected.csv", header, rows))

    # then the loan is updated ...
    assert "0 loans created, 1 updated, 39 unchanged" in stdout
    loan.refresh_from_db()
    assert loan.annual_rate == Decimal("0.10")
    assert loan.schedule_version == 2
    # ... with a correction version beside the original, which is unchanged and still readable
    versions = selectors.schedule_versions(loan)
    assert [(v.number, v.reason) for v in versions] == [
        (1, ScheduleVersion.Reason.ORIGINAL),
        (2, ScheduleVersion.Reason.CORRECTION),
    ]
    assert [
        (i.period, i.due_date, i.principal, i.interest, i.balance)
        for i in versions[0].installments.order_by("period")
    ] == original
    expected = loanmath.build_schedule(
        principal=Decimal("506266.90"),
        annual_rate=Decimal("0.10"),
        term_months=2,
        disbursement_date=date(2025, 4, 8),
        maturity_date=date(2025, 6, 8),
        method="equal_installment",
    )
    assert [
        (i.period, i.due_date, i.principal, i.interest, i.balance)
        for i in versions[1].installments.order_by("period")
    ] == [(i.period, i.due_date, i.principal, i.interest, i.balance) for i in expected]
    # ... the export shows the new version
    out = tmp_path / "schedule.csv"
    run("export_schedule", "--out", out, "--loan", "SAMPLE-003")
    assert out.read_text(encoding="utf-8").splitlines()[1:] == [
        f"SAMPLE-003,{i.period},{i.due_date:%Y-%m-%d},{i.principal:.2f},{i.interest:.2f},"
        f"{i.principal + i.interest:.2f},{i.balance:.2f}"
        for i in expected
    ]
    # ... and the audit trail says what changed
    updates = [
        e for e in new_events(since) if e.action == "update" and e.object_type == "portfolio.loan"
    ]
    assert [e.object_id for e in updates] == ["SAMPLE-003"]
    assert Decimal(updates[0].before["annual_rate"]) == Decimal("0.12")
    assert Decimal(updates[0].after["annual_rate"]) == Decimal("0.10")


def test_an_empty_officer_cell_keeps_the_loans_officer(db, tmp_path):
    # given a loan imported with its officer
    make_user("li.officer", Role.OFFICER, branch="北京总部")
    row = sample_row("SAMPLE-001", 客户经理="li.officer")
    run("import_loans", write_loans(tmp_path / "with_officer.csv", [row]))
    assert Loan.objects.get(loan_no="SAMPLE-001").officer.username == "li.officer"

    # when the same loan comes again with the officer cell empty
    stdout, _ = run(
        "import_loans", write_loans(tmp_path / "no_officer.csv", [{**row, "客户经理": ""}])
    )

    # then the officer stays
    assert Loan.objects.get(loan_no="SAMPLE-001").officer.username == "li.officer"
    assert "1 unchanged" in stdout


# --- repayments ----------------------------------------------------------------------------


def test_days_past_due_after_the_sample_repayments_are_the_expected_ones(db):
    # given the sample loans and their repayments
    run("import_loans", LOANS_ZH)
    stdout, _ = run("import_repayments", REPAYMENTS)
    assert "171 repayments recorded" in stdout

    # when DPD is computed as of 2026-06-30
    with EXPECTED_DPD.open(encoding="utf-8", newline="") as handle:
        expected = {row["loan_no"]: row for row in csv.DictReader(handle)}
    actual_dpd, actual_category = {}, {}
    for loan in Loan.objects.all():
        if loan.loan_no not in expected:
            # the file leaves out loans disbursed after its date
            assert loan.disbursement_date > DPD_AS_OF, loan.loan_no
            continue
        dpd = selectors.loan_dpd(loan, DPD_AS_OF)
        actual_dpd[loan.loan_no] = dpd
        actual_category[loan.loan_no] = loanmath.dpd_floor_category(dpd)

    # then every loan has the expected DPD and floor category
    assert actual_dpd == {no: int(row["dpd"]) for no, row in expected.items()}
    assert actual_category == {no: row["category"] for no, row in expected.items()}


def test_a_repayment_file_with_bad_rows_names_each_and_records_nothing(db, tmp_path):
    # given the sample loans
    run("import_loans", LOANS_ZH)
    path = write_repayments(
        tmp_path / "bad_repayments.csv",
        [
            ("SAMPLE-002", "2024-05-12", "88496.99"),  # row 2: good
            ("NO-SUCH-LOAN", "2024-05-12", "100.00"),  # 3: unknown loan
            ("SAMPLE-002", "2024-06-12", "0"),  # 4: nothing paid
            ("SAMPLE-001", "2025-05-01", "100.00"),  # 5: before the 2025-05-31 disbursement
        ],
    )
    before_counts, before_dump = counts(), portfolio_dump()

    # when the file is imported
    message, stderr = run_failing("import_repayments", path)

    # then each bad row is named with its column, and no repayment is recorded
    assert "第 3 行，列“loan_no”" in stderr
    assert "NO-SUCH-LOAN" in stderr
    assert "第 4 行，列“amount”" in stderr
    assert "第 5 行，列“paid_date”" in stderr
    assert "第 2 行" not in stderr
    assert "nothing was imported" in message
    assert counts() == before_counts
    assert portfolio_dump() == before_dump


def test_an_overpayment_closes_the_loan_and_keeps_the_excess_as_credit(db, tmp_path):
    # given SAMPLE-004 (138,682.56 at 0%, two months): 138,682.56 to repay in all
    run("import_loans", LOANS_ZH)
    loan = Loan.objects.get(loan_no="SAMPLE-004")
    owed = sum(i.payment for i in selectors.installments_in_force(loan))
    assert owed == Decimal("138682.56")

    # when 140,000.00 is paid at once
    run(
        "import_repayments",
        write_repayments(tmp_path / "over.csv", [("SAMPLE-004", "2024-10-19", "140000.00")]),
    )

    # then the loan is closed and the excess is a credit, not lost
    loan.refresh_from_db()
    assert loan.status == LoanStatus.CLOSED
    assert loan.credit_balance == Decimal("1317.44")
    assert loan.outstanding_principal == Decimal("0.00")
    assert loan.paid_total == Decimal("140000.00")
    assert loan.first_unpaid_due is None


# --- acting as a user ----------------------------------------------------------------------


def test_an_officer_may_not_import_loans(db):
    # given an officer
    make_user("li.officer", Role.OFFICER, branch="北京总部")
    before_counts, since = counts(), last_event_id()

    # when the officer runs import_loans
    message, _ = run_failing("import_loans", LOANS_ZH, "--as", "li.officer")

    # then it is refused, and only the refusal is on record
    assert "permission denied" in message
    assert Loan.objects.count() == 0
    events = new_events(since)
    assert [(e.action, e.actor_name) for e in events] == [("access_denied", "li.officer")]
    after_counts = counts()
    after_counts["audit.AuditEvent"] -= 1
    assert after_counts == before_counts


def test_a_refused_command_import_is_audited_as_coming_from_the_command_line(db):
    make_user("li.officer", Role.OFFICER, branch="北京总部")
    since = last_event_id()

    run_failing("import_loans", LOANS_ZH, "--as", "li.officer")

    assert [e.via for e in new_events(since)] == ["command"]


def test_a_risk_manager_imports_loans_in_their_own_name(db):
    # given a risk manager
    manager = make_user("wang.risk", Role.RISK_MANAGER)
    since = last_event_id()

    # when they run import_loans as themselves
    stdout, _ = run("import_loans", LOANS_ZH, "--as", "wang.risk")

    # then the loans are in, and every audit event names them
    assert "40 loans created" in stdout
    assert Loan.objects.count() == 40
    events = new_events(since)
    assert {e.action for e in events} >= {"create", "import"}
    assert {(e.actor_id, e.actor_name, e.via) for e in events} == {
        (manager.pk, "wang.risk", "command")
    }
    assert ImportBatch.objects.get().uploaded_by == manager
    assert set(ScheduleVersion.objects.values_list("created_by", flat=True)) == {manager.pk}


def test_acting_as_an_unknown_user_fails_clearly(db):
    message, _ = run_failing("import_loans", LOANS_ZH, "--as", "ghost")

    assert "--as" in message
    assert "ghost" in message
    assert Loan.objects.count() == 0
