"""`huifang demo`: realistic data that the product's own import would accept."""

import csv
import io
from datetime import date

from django.core.management import call_command
from django.db import connection

from huifang.audit.verify import verify_audit
from huifang.followups.models import Visit
from huifang.portfolio.demo import loan_records
from huifang.portfolio.importing.columns import LOAN_COLUMNS
from huifang.portfolio.importing.loans import validate_loans
from huifang.portfolio.importing.reader import read_table
from huifang.portfolio.models import Loan, Repayment


def test_demo_records_pass_the_import_validation():
    records = loan_records(300, date(2026, 11, 1))
    out = io.StringIO()
    writer = csv.writer(out)
    names = [c.name for c in LOAN_COLUMNS]
    writer.writerow(names)
    for r in records:
        writer.writerow(["" if getattr(r, n) is None else getattr(r, n) for n in names])
    valid, errors = validate_loans(read_table(out.getvalue().encode(), "demo.csv"))
    assert [str(e) for e in errors] == []
    assert len(valid) == 300


def test_demo_builds_a_portfolio_with_repayments_visits_and_an_intact_audit_trail(db):
    call_command("demo", "--no-serve", "--loans", "60", stdout=io.StringIO())
    assert Loan.objects.count() == 60
    assert Repayment.objects.exists()
    assert Visit.objects.filter(assignee__isnull=False).exists()
    # a restructuring approved (a second schedule version) and one waiting for approval
    from huifang.restructuring.models import Proposal

    assert set(Proposal.objects.values_list("status", flat=True)) == {"approved", "proposed"}
    assert Loan.objects.filter(schedule_version=2).count() == 1
    # An earlier transactional test may have left its purge permit (SQLite).
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_purge_permit")
    assert verify_audit().ok
    # a second run adds nothing
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert Loan.objects.count() == 60
