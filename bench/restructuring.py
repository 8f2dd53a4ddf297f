"""Restructuring benchmark: the simulator, an approval end to end, the observation check.

Runs in this process against the database named by DATABASE_URL (a fresh one: the
caller creates it). A synthetic portfolio (the demo's loan generator) is imported and
planned first; then, on its longest loans: simulating the current schedule against the
four suggested options, proposing and approving (new version, repayment state,
re-planning, observation), and the observation check and a classification run over
the whole portfolio with those loans restructured.
"""

import statistics
import time
from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from huifang.accounts.models import Role, User
from huifang.audit.services import Actor, actor_for
from huifang.classification.services import classify
from huifang.followups.services.planning import plan_followups
from huifang.portfolio.demo import ensure_users, loan_records
from huifang.portfolio.models import Loan
from huifang.portfolio.services.loans_upsert import upsert_loans
from huifang.restructuring.selectors import loans_in_observation
from huifang.restructuring.services import proposal_create, proposal_decide
from huifang.restructuring.simulate import Terms, basis_for, simulate, suggested_options

SYSTEM = Actor(user_id=None, name="bench", via="command")
APPROVALS = 20


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms / {max(samples) * 1000:.1f} ms"


def run(loans: int) -> list[tuple[str, str]]:
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    ensure_users(SYSTEM)  # the demo's officers, whom its loan records name
    upsert_loans(loan_records(loans, today, seed=11), actor=SYSTEM, created_by=None)
    plan_followups(as_of=today, actor=SYSTEM)
    proposer = User.objects.create(username="bench_rm1", role=Role.RISK_MANAGER)
    approver = User.objects.create(username="bench_rm2", role=Role.RISK_MANAGER)
    longest = list(Loan.objects.order_by("-term_months", "pk")[: APPROVALS + 1])
    effective = today + timedelta(days=1)
    vendor = connection.vendor

    simulated = []
    for _ in range(30):
        started = time.perf_counter()
        basis = basis_for(longest[0])
        simulate(basis, effective, suggested_options(basis, effective))
        simulated.append(time.perf_counter() - started)

    approved = []
    for loan in longest[1:]:
        started = time.perf_counter()
        proposal = proposal_create(
            loan=loan,
            terms=Terms(effective, extend_months=12, interest_only_months=12),
            reason="bench",
            financial_difficulty=True,
            user=proposer,
            actor=actor_for(proposer, via="command"),
        )
        proposal_decide(
            proposal=proposal,
            decision="approve",
            comment="",
            user=approver,
            actor=actor_for(approver, via="command"),
            today=today,
        )
        approved.append(time.perf_counter() - started)

    ids = list(Loan.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    observed = loans_in_observation(ids, effective)
    observation_seconds = time.perf_counter() - started
    started = time.perf_counter()
    classify(as_of=effective, actor=SYSTEM, trigger="command")
    classify_seconds = time.perf_counter() - started
    return [
        (
            f"simulate current + 4 options, {longest[0].term_months}-month loan ({vendor}), "
            "median / max",
            _ms(simulated),
        ),
        (
            f"propose + approve (version, state, re-plan) ({vendor}), median / max",
            _ms(approved),
        ),
        (
            f"observation check over {len(ids):,} loans, {len(observed)} in observation ({vendor})",
            f"{observation_seconds * 1000:.0f} ms",
        ),
        (f"classify {len(ids):,} loans ({vendor})", f"{classify_seconds:.1f} s"),
    ]
