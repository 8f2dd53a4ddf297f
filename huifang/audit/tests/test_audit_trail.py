"""The audit trail: written with the change it records, append-only, chained, verified.

Tampering is simulated the way an intruder with database access would do it:
raw SQL around the append-only triggers. Every such change is made inside the
test's transaction, so the triggers are back for the next test.
"""

import importlib
import io
import threading
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from huifang.accounts.gate import record_denial
from huifang.accounts.models import Branch, Role, User
from huifang.audit.models import AuditEvent
from huifang.audit.services import Actor, Change, actor_for, record
from huifang.portfolio import selectors
from huifang.portfolio.models import Borrower, Loan, RiskLevel
from huifang.portfolio.services.loans import loan_update

TRIGGERS_MIGRATION = importlib.import_module("huifang.audit.migrations.0002_append_only_triggers")
SYSTEM = Actor(user_id=None, name="system", via="command")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's purge permit")


# --- helpers -------------------------------------------------------------------------------


def make_user(username: str, role: str = Role.OFFICER, branch: Branch | None = None) -> User:
    return User.objects.create_user(
        username=username, password="Huifang-test-2025", role=role, branch=branch
    )


def make_loan(loan_no: str, branch: Branch, *, id_no: str = "110105198806106438") -> Loan:
    borrower = Borrower(kind="individual", name="周超")
    borrower.id_no = id_no
    borrower.save()
    return Loan.objects.create(
        loan_no=loan_no,
        borrower=borrower,
        product="个人经营贷",
        principal=Decimal("435300.00"),
        annual_rate=Decimal("0.2399"),
        term_months=11,
        disbursement_date=date(2025, 7, 6),
        maturity_date=date(2026, 6, 6),
        repayment_method="bullet",
        purpose="支付学费",
        branch=branch,
        outstanding_principal=Decimal("435300.00"),
    )


def write_events(count: int, *, actor: Actor = SYSTEM, label: str = "note") -> list[AuditEvent]:
    return [
        record(actor, Change(action="note", summary=f"{label} {n}", after={"n": n}))
        for n in range(count)
    ]


def verify() -> tuple[str, str]:
    """Run verify_audit expecting an intact trail: its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_failing() -> tuple[str, str]:
    """Run verify_audit expecting it to fail: the failure's message and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", stdout=out, stderr=err)
    return str(failure.value), err.getvalue()


def execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _create_trigger_sql(name: str) -> str:
    return next(sql for sql in TRIGGERS_MIGRATION.SQLITE if f"TRIGGER {name} " in sql)


@contextmanager
def trigger_off(name: str):
    """Lift one append-only trigger for the block, as someone with DDL rights could."""
    if connection.vendor == "sqlite":
        execute(f"DROP TRIGGER {name}")
        yield
        execute(_create_trigger_sql(name))
    else:
        execute(f"ALTER TABLE audit_auditevent DISABLE TRIGGER {name}")
        yield
        execute(f"ALTER TABLE audit_auditevent ENABLE TRIGGER {name}")


def drop_trigger(name: str) -> None:
    if connection.vendor == "sqlite":
        execute(f"DROP TRIGGER {name}")
    else:
        execute(f"DROP TRIGGER {name} ON audit_auditevent")


def no_purge_permit() -> None:
    """An earlier transactional test may have left the permit that lets the test framework purge."""
    if connection.vendor == "sqlite":
        execute("DELETE FROM audit_purge_permit")


def request_with_session(path: str = "/login/", **meta: Any):
    request = RequestFactory().post(path, **meta)
    request.session = SessionStore()
    request.user = AnonymousUser()
    return request


# --- one transaction -----------------------------------------------------------------------


def test_a_change_and_its_audit_event_commit_together(db):
    # given a loan
    loan = make_loan("HF-0001", Branch.objects.create(name="北京总部"))
    manager = make_user("wang.risk", Role.RISK_MANAGER)

    # when its risk level is changed
    loan_update(loan=loan, actor=actor_for(manager), risk_level=RiskLevel.HIGH)

    # then the change and its event are both there
    assert Loan.objects.get(pk=loan.pk).risk_level == RiskLevel.HIGH
    event = AuditEvent.objects.get(action="update", object_id="HF-0001")
    assert (event.actor_name, event.before, event.after) == (
        "wang.risk",
        {"risk_level": "medium"},
        {"risk_level": "high"},
    )


def test_a_change_and_its_audit_event_roll_back_together(db):
    # given a loan
    loan = make_loan("HF-0001", Branch.objects.create(name="北京总部"))
    manager = make_user("wang.risk", Role.RISK_MANAGER)
    events_before = AuditEvent.objects.count()

    # when the transaction that changed it fails after the change
    with pytest.raises(RuntimeError), transaction.atomic():
        loan_update(loan=loan, actor=actor_for(manager), risk_level=RiskLevel.HIGH)
        raise RuntimeError("the rest of the request failed")

    # then neither the change nor its event persists
    assert Loan.objects.get(pk=loan.pk).risk_level == RiskLevel.MEDIUM
    assert AuditEvent.objects.count() == events_before
    assert not AuditEvent.objects.filter(object_id="HF-0001").exists()


# --- append-only ---------------------------------------------------------------------------


def test_the_database_refuses_to_update_an_audit_event(db):
    # given an event
    no_purge_permit()
    event = write_events(1)[0]

    # when it is edited with raw SQL, then the database refuses
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["edited", event.pk])

    assert AuditEvent.objects.get(pk=event.pk).summary == "note 0"


def test_the_database_refuses_to_delete_an_audit_event(db):
    # given an event
    no_purge_permit()
    event = write_events(1)[0]

    # when it is deleted with raw SQL, then the database refuses
    with pytest.raises(DatabaseError), transaction.atomic():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- verify_audit --------------------------------------------------------------------------


def test_verify_audit_passes_on_an_intact_trail(db):
    no_purge_permit()
    # given events of several kinds, from a service and directly
    loan = make_loan("HF-0001", Branch.objects.create(name="北京总部"))
    loan_update(loan=loan, actor=SYSTEM, risk_level=RiskLevel.LOW, purpose="扩大经营")
    write_events(5)
    count = AuditEvent.objects.count()

    # when the trail is verified, then it is intact
    stdout, stderr = verify()
    assert "intact" in stdout
    assert f"{count} events" in stdout
    assert stderr == ""


def test_verify_audit_detects_an_edited_event(db):
    no_purge_permit()
    # given a trail in which someone edited an event's summary behind the triggers' back
    events = write_events(5)
    edited = events[2]
    with trigger_off("audit_event_no_update"):
        execute(
            "UPDATE audit_auditevent SET summary = %s WHERE id = %s",
            ["nothing happened", edited.pk],
        )

    # when the trail is verified
    message, stderr = verify_failing()

    # then it fails, naming that event and only it
    assert "NOT intact" in message
    assert stderr.splitlines() == [f"event {edited.pk}: content does not match its digest (edited)"]


def test_verify_audit_detects_an_event_deleted_from_the_middle(db):
    no_purge_permit()
    # given a trail from which someone deleted an event behind the triggers' back
    events = write_events(5)
    deleted, following = events[2], events[3]
    with trigger_off("audit_event_no_delete"):
        execute("DELETE FROM audit_auditevent WHERE id = %s", [deleted.pk])

    # when the trail is verified
    message, stderr = verify_failing()

    # then the chain is broken at the event after the gap
    assert "NOT intact" in message
    assert stderr.splitlines() == [
        f"event {following.pk}: does not follow the event before it (one removed or reordered)"
    ]


def test_verify_audit_reports_missing_triggers(db):
    no_purge_permit()
    # given an intact trail whose append-only triggers were dropped
    write_events(3)
    drop_trigger("audit_event_no_update")
    drop_trigger("audit_event_no_delete")

    # when the trail is verified, then the missing triggers are reported
    message, stderr = verify_failing()
    assert "NOT intact" in message
    assert (
        "append-only triggers missing or disabled: audit_event_no_delete, audit_event_no_update"
        in stderr
    )


@postgresql_only
def test_verify_audit_reports_a_disabled_trigger_on_postgresql(db):
    # given an intact trail whose update trigger is disabled: edits would pass unchecked
    write_events(3)
    execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")

    # when the trail is verified, then the disabled trigger is reported
    _message, stderr = verify_failing()
    assert "audit_event_no_update" in stderr


@sqlite_only
def test_verify_audit_reports_a_purge_permit_that_lets_events_be_deleted(db):
    # given an intact trail, and a permit row that makes the delete trigger let everything pass
    no_purge_permit()
    write_events(3)
    execute("INSERT INTO audit_purge_permit (id) VALUES (1)")

    # when the trail is verified, then the lifted protection is reported
    _message, stderr = verify_failing()
    assert "audit_purge_permit" in stderr or "audit_event_no_delete" in stderr


# --- logins --------------------------------------------------------------------------------


def test_a_login_and_a_logout_are_recorded_with_the_user(db):
    # given a user
    user = make_user("li.officer")
    request = request_with_session()

    # when they log in and out
    authenticated = authenticate(
        request=request, username="li.officer", password="Huifang-test-2025"
    )
    assert authenticated == user
    login(request, authenticated)
    logout(request)

    # then both are on record, naming the user and where they came from
    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.action, e.actor_id, e.actor_name, e.ip) for e in events] == [
        ("login", user.pk, "li.officer", "127.0.0.1"),
        ("logout", user.pk, "li.officer", "127.0.0.1"),
    ]


def test_a_failed_login_is_recorded_with_the_name_tried(db):
    # given a user
    make_user("li.officer")
    request = request_with_session()

    # when someone tries their name with a wrong password
    assert authenticate(request=request, username="li.officer", password="wrong") is None

    # then the attempt is on record, with the name tried and no user behind it
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.actor_name, event.ip) == (
        "login_failed",
        None,
        "li.officer",
        "127.0.0.1",
    )
    assert "wrong" not in str(event.before) + str(event.after) + event.summary


def test_a_login_from_an_ipv6_address_keeps_the_trail_intact(db):
    # given a user logging in from an IPv6 address as a proxy may write it (upper case)
    make_user("li.officer")
    request = request_with_session(REMOTE_ADDR="2001:DB8::1")
    login(
        request, authenticate(request=request, username="li.officer", password="Huifang-test-2025")
    )

    # when the trail is verified, then it is intact
    no_purge_permit()
    stdout, _ = verify()
    assert "intact" in stdout


# --- access denied -------------------------------------------------------------------------


def test_a_denied_access_survives_the_rollback_of_the_refused_work(audit_purge_permit):
    # given an officer of branch A and a loan of branch B, and no transaction open
    branch_a = Branch.objects.create(name="北京总部")
    branch_b = Branch.objects.create(name="成都营业部")
    officer = make_user("li.officer", Role.OFFICER, branch_a)
    make_loan("HF-B-0001", branch_b)

    # when the officer asks for the loan inside a transaction that the refusal rolls back,
    # and the boundary that catches the refusal records it (as the middleware, the API
    # handler and the command base class do)
    with pytest.raises(PermissionDenied) as refused, transaction.atomic():
        selectors.loan_for(officer, "HF-B-0001")
    record_denial(refused.value)
    record_denial(refused.value)  # a second boundary does not record it twice

    # then the refusal is on record once, naming the officer and the loan
    event = AuditEvent.objects.get(action="access_denied")
    assert (event.actor_name, event.object_type, event.object_id) == (
        "li.officer",
        "portfolio.loan",
        "HF-B-0001",
    )


def test_a_denied_access_outside_a_transaction_is_recorded_at_once(audit_purge_permit):
    branch_a = Branch.objects.create(name="北京总部")
    branch_b = Branch.objects.create(name="成都营业部")
    officer = make_user("li.officer", Role.OFFICER, branch_a)
    make_loan("HF-B-0001", branch_b)

    with pytest.raises(PermissionDenied):
        selectors.loan_for(officer, "HF-B-0001")

    assert AuditEvent.objects.filter(action="access_denied", object_id="HF-B-0001").count() == 1


def test_a_denied_api_request_is_recorded(db, client):
    # given an officer of branch A and a loan of branch B
    branch_a = Branch.objects.create(name="北京总部")
    branch_b = Branch.objects.create(name="成都营业部")
    officer = make_user("li.officer", Role.OFFICER, branch_a)
    make_loan("HF-B-0001", branch_b)
    client.force_login(officer)

    # when the officer asks the API for the loan
    response = client.get("/api/v1/loans/HF-B-0001")

    # then the answer is 403 and the refusal is on record
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access_denied")
    assert (event.actor_name, event.object_id, event.via) == ("li.officer", "HF-B-0001", "api")


# --- concurrency ---------------------------------------------------------------------------


@postgresql_only
def test_concurrent_writers_keep_one_unforked_chain(audit_purge_permit):
    # given two writers starting together
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            start.wait()
            for n in range(50):
                with transaction.atomic():
                    record(
                        Actor(user_id=None, name=name, via="command"),
                        Change(action="note", summary=f"{name} {n}"),
                    )
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    # when each writes 50 events in its own transactions
    threads = [threading.Thread(target=writer, args=(f"writer-{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then there are 100 events in one chain: each links to the event before it by id
    assert failures == []
    events = list(AuditEvent.objects.order_by("id").values_list("id", "prev_digest", "digest"))
    assert len(events) == 100
    assert events[0][1] == "0" * 64
    forks = [
        pk
        for (pk, prev, _), (_, _, before) in zip(events[1:], events, strict=False)
        if prev != before
    ]
    assert forks == []
    names = list(AuditEvent.objects.values_list("actor_name", flat=True))
    assert (names.count("writer-1"), names.count("writer-2")) == (50, 50)
    stdout, _ = verify()
    assert "intact: 100 events" in stdout
