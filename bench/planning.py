"""Planning benchmark: plan N loans end to end, against just inserting the same visit rows.

Runs in this process against the database named by DATABASE_URL (a fresh one:
the caller creates it). Prints the plan-to-insert ratio, peak memory, and the
p99 of an officer's due list (server side, the queries the page runs).
"""

import random
import resource
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from huifang.accounts.models import Branch, Role, User
from huifang.audit.services import Actor
from huifang.followups.models import Visit
from huifang.followups.planning import plan_loan
from huifang.followups.selectors import visits_due_for
from huifang.followups.services.calendar import load_calendar
from huifang.followups.services.planning import CHUNK_LOANS, VISIT_COLUMNS, plan_followups
from huifang.lib.bulk import chunked, insert_rows
from huifang.portfolio.models import Borrower, Loan, LoanParty

AS_OF = date(2020, 1, 1)
BRANCHES, OFFICERS_PER_BRANCH, BORROWERS = 20, 10, 2000


def build_portfolio(loans: int) -> None:
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    now = timezone.now()
    branches = [Branch.objects.create(name=f"分行{i:02d}") for i in range(BRANCHES)]
    officers = {
        b.pk: [
            User.objects.create(username=f"o{b.pk}_{j}", role=Role.OFFICER, branch=b).pk
            for j in range(OFFICERS_PER_BRANCH)
        ]
        for b in branches
    }
    with transaction.atomic():
        insert_rows(
            Borrower._meta.db_table,
            [
                "kind",
                "name",
                "address",
                "industry",
                "id_no_enc",
                "id_no_hash",
                "phone_enc",
                "phone_hash",
                "created_at",
                "updated_at",
            ],
            [
                (
                    "individual" if i % 3 else "enterprise",
                    f"借款人{i}",
                    "",
                    "",
                    "",
                    f"h{i}",
                    "",
                    "",
                    now,
                    now,
                )
                for i in range(BORROWERS)
            ],
            datetime_columns=(8, 9),
        )
    borrower_ids = list(Borrower.objects.values_list("pk", flat=True))
    columns = [
        "loan_no",
        "borrower_id",
        "product",
        "principal",
        "annual_rate",
        "term_months",
        "disbursement_date",
        "maturity_date",
        "repayment_method",
        "purpose",
        "risk_level",
        "branch_id",
        "officer_id",
        "status",
        "schedule_version",
        "outstanding_principal",
        "paid_total",
        "credit_balance",
        "plan_changed_at",
        "created_at",
        "updated_at",
    ]
    from huifang.lib.dates import add_months

    def rows():
        for n in range(loans):
            term = rng.choice((3, 6, 12, 12, 24, 36, 60))
            d = date(2024, 1, 1) + timedelta(days=rng.randrange(900))
            branch = rng.choice(branches).pk
            yield (
                f"P{n:08d}",
                rng.choice(borrower_ids),
                "经营贷",
                Decimal("100000.00"),
                Decimal("0.08"),
                term,
                d,
                add_months(d, term),
                "equal_installment",
                "周转",
                rng.choice(("low", "medium", "medium", "high")),
                branch,
                rng.choice(officers[branch]),
                "active",
                1,
                Decimal("100000.00"),
                Decimal("0"),
                Decimal("0"),
                now,
                now,
                now,
            )

    with transaction.atomic():
        insert_rows(Loan._meta.db_table, columns, rows(), datetime_columns=(18, 19, 20))
    loan_ids = list(Loan.objects.values_list("pk", flat=True))
    with transaction.atomic():
        insert_rows(
            LoanParty._meta.db_table,
            [
                "loan_id",
                "role",
                "kind",
                "name",
                "relation",
                "id_no_enc",
                "id_no_hash",
                "phone_enc",
                "phone_hash",
                "created_at",
            ],
            (
                (pk, "guarantor", "individual", "担保人", "", "", f"g{pk}", "", "", now)
                for pk in loan_ids
                if pk % 5 == 0
            ),
            datetime_columns=(9,),
        )


def insert_only_seconds() -> tuple[float, int]:
    """The same visit rows as the planner makes, computed untimed, inserted timed (one transaction)."""
    calendar = load_calendar()
    spent, count = 0.0, 0
    guarantors = dict(LoanParty.objects.values_list("loan_id", "pk"))
    now = timezone.now()
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        for ids in chunked(
            list(Loan.objects.order_by("pk").values_list("pk", flat=True)), CHUNK_LOANS
        ):
            rows = []
            for pk, branch, officer, d, m, term, risk, kind in Loan.objects.filter(
                pk__in=ids
            ).values_list(
                "pk",
                "branch_id",
                "officer_id",
                "disbursement_date",
                "maturity_date",
                "term_months",
                "risk_level",
                "borrower__kind",
            ):
                g = [guarantors[pk]] if pk in guarantors else []
                for v in plan_loan(
                    disbursement_date=d,
                    maturity_date=m,
                    term_months=term,
                    risk_level=risk,
                    borrower_type=kind,
                    guarantor_ids=g,
                    calendar=calendar,
                    as_of=AS_OF,
                ):
                    rows.append(
                        (
                            pk,
                            branch,
                            v.subject_role,
                            v.subject_ref,
                            v.kind,
                            v.due_date,
                            v.channel,
                            "planned",
                            officer,
                            True,
                            now,
                            now,
                        )
                    )
            started = time.perf_counter()
            count += insert_rows(
                Visit._meta.db_table, VISIT_COLUMNS, rows, datetime_columns=(10, 11)
            )
            spent += time.perf_counter() - started
    finally:
        # The commit is part of inserting: PostgreSQL checks the deferred foreign keys there.
        started = time.perf_counter()
        atomic.__exit__(None, None, None)
        spent += time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM followups_visit")
    return spent, count


def settle() -> None:
    """What a live database has after a bulk load: fresh statistics, and on PostgreSQL the
    visibility map that index-only scans need (autovacuum's work, done at once here)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE followups_visit")
        else:
            cursor.execute("ANALYZE")


def due_list_p99(samples: int = 300) -> tuple[float, float]:
    officers = list(User.objects.filter(role=Role.OFFICER))
    rng = random.Random(3)
    timings = []
    for _ in range(samples):
        user = rng.choice(officers)
        on = date(2025, 1, 1) + timedelta(days=rng.randrange(500))
        started = time.perf_counter()
        lists = visits_due_for(user=user, on=on)
        for qs in lists.values():
            list(qs[:50])  # the page shows 50 of each list
            qs.count()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def run(loans: int, *, baseline: bool = True) -> list[tuple[str, str]]:
    started = time.perf_counter()
    build_portfolio(loans)
    built = time.perf_counter() - started
    insert_seconds, visits = insert_only_seconds() if baseline else (0.0, 0)
    started = time.perf_counter()
    plan = plan_followups(
        as_of=AS_OF, actor=Actor(user_id=None, name="bench", via="command"), full=True
    )
    plan_seconds = time.perf_counter() - started
    settle()
    median, p99 = due_list_p99()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    vendor = connection.vendor
    figures = [
        (f"portfolio of {loans:,} loans built ({vendor})", f"{built:.0f} s"),
        (
            f"plan_followups end to end ({vendor}): {plan.visits_created:,} visits",
            f"{plan_seconds:.1f} s",
        ),
    ]
    if baseline:
        figures += [
            (f"insert only: {visits:,} visit rows ({vendor})", f"{insert_seconds:.1f} s"),
            (f"plan-to-insert ratio ({vendor})", f"{plan_seconds / insert_seconds:.2f}"),
        ]
    return [
        *figures,
        (f"officer due list ({vendor}), median / p99", f"{median:.1f} ms / {p99:.1f} ms"),
        (f"peak memory of the process ({vendor})", f"{peak_mb:.0f} MB"),
    ]
