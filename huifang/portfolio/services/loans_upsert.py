"""Upserting loans from validated import records (interfaces.md, "Loan import").

Works in bulk — a few queries per chunk of rows, schedules written with
lib.bulk — so that 100,000 loans import in seconds, and writes one audit event
per created or changed borrower, loan and party, in the caller's transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from stdnum.cn import ric

from huifang.accounts.models import Branch, User
from huifang.audit.services import Actor, Change, record_many
from huifang.lib import crypto
from huifang.lib.bulk import chunked, insert_rows
from huifang.lib.dates import add_months
from huifang.portfolio import loanmath
from huifang.portfolio.importing.loans import LoanRecord
from huifang.portfolio.models import (
    Borrower,
    Installment,
    Loan,
    LoanParty,
    PartyRole,
    ScheduleVersion,
)
from huifang.portfolio.services.state import refresh_repayment_state, state_from

# Loan fields an import sets, and those of them a new schedule depends on.
LOAN_FIELDS = (
    "product",
    "principal",
    "annual_rate",
    "term_months",
    "disbursement_date",
    "maturity_date",
    "repayment_method",
    "purpose",
    "risk_level",
)
SCHEDULE_FIELDS = (
    "principal",
    "annual_rate",
    "term_months",
    "disbursement_date",
    "maturity_date",
    "repayment_method",
)
# Changes that alter the follow-up plan (followup-policy.md, "Planning over time").
PLAN_FIELDS = ("disbursement_date", "maturity_date", "term_months", "risk_level", "borrower_id")


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    created_loan_nos: list[str] = field(default_factory=list)


def audit_view(loan: Loan, borrower: Borrower | None = None) -> dict[str, Any]:
    """A loan as the audit trail shows it: personal data only masked."""
    view = {name: getattr(loan, name) for name in LOAN_FIELDS}
    view.update(
        {"branch": loan.branch_id, "officer": loan.officer_id, "borrower": loan.borrower_id}
    )
    return view


def upsert_loans(
    records: Sequence[LoanRecord], *, actor: Actor, created_by: User | None
) -> UpsertResult:
    result = UpsertResult()
    branches = _branches({r.branch for r in records}, actor)
    officers = dict(
        User.objects.filter(username__in={r.officer for r in records if r.officer}).values_list(
            "username", "pk"
        )
    )
    for chunk in chunked(list(records), 5000):
        _upsert_chunk(chunk, branches, officers, actor, created_by, result)
    return result


def _branches(names: set[str], actor: Actor) -> dict[str, int]:
    known = dict(Branch.objects.filter(name__in=names).values_list("name", "pk"))
    missing = sorted(names - known.keys())
    if missing:
        created = Branch.objects.bulk_create([Branch(name=n) for n in missing])
        record_many(
            actor,
            [
                Change(
                    action="create",
                    object_type="accounts.branch",
                    object_id=str(b.pk),
                    summary=b.name,
                    after={"name": b.name},
                )
                for b in created
            ],
        )
        known.update({b.name: b.pk for b in created})
    return known


def _upsert_chunk(
    chunk: Sequence[LoanRecord],
    branches: dict[str, int],
    officers: dict[str, int],
    actor: Actor,
    created_by: User | None,
    result: UpsertResult,
) -> None:
    now = timezone.now()
    changes: list[Change] = []
    borrowers = _upsert_borrowers(chunk, now, changes)
    existing = {
        loan.loan_no: loan for loan in Loan.objects.filter(loan_no__in=[r.loan_no for r in chunk])
    }
    new_loans: list[Loan] = []
    changed_loans: list[Loan] = []
    reschedule: list[Loan] = []
    for r in chunk:
        values = {
            "product": r.product,
            "principal": r.principal,
            "annual_rate": r.annual_rate,
            "term_months": r.term_months,
            "disbursement_date": r.disbursement_date,
            "maturity_date": r.maturity_date or add_months(r.disbursement_date, r.term_months),
            "repayment_method": r.repayment_method,
            "purpose": r.purpose,
            "risk_level": r.risk_level,
            "branch_id": branches[r.branch],
            "borrower_id": borrowers[crypto.lookup_hash(r.borrower_id_no)].pk,
        }
        if r.officer:
            # An empty officer cell leaves the assignment as it is: nothing is cleared silently.
            values["officer_id"] = officers[r.officer]
        loan = existing.get(r.loan_no)
        if loan is None:
            loan = Loan(
                loan_no=r.loan_no, created_at=now, updated_at=now, plan_changed_at=now, **values
            )
            loan.outstanding_principal = loan.principal
            new_loans.append(loan)
            continue
        before = {k: getattr(loan, k) for k in values}
        diff = {k: v for k, v in values.items() if before[k] != v}
        if not diff:
            result.unchanged += 1
            continue
        for name, value in diff.items():
            setattr(loan, name, value)
        loan.updated_at = now
        if any(k in PLAN_FIELDS for k in diff):
            loan.plan_changed_at = now
        if any(k in SCHEDULE_FIELDS for k in diff):
            reschedule.append(loan)
        changed_loans.append(loan)
        changes.append(
            Change(
                action="update",
                object_type="portfolio.loan",
                object_id=loan.loan_no,
                summary=loan.loan_no,
                before={k: before[k] for k in diff},
                after=diff,
                at=now,
            )
        )
    Loan.objects.bulk_create(new_loans)
    if changed_loans:
        Loan.objects.bulk_update(
            changed_loans,
            [
                *LOAN_FIELDS,
                "branch_id",
                "borrower_id",
                "officer_id",
                "updated_at",
                "plan_changed_at",
            ],
        )
    if not all(loan.pk for loan in new_loans):  # backends that cannot return ids from a bulk insert
        ids = dict(
            Loan.objects.filter(loan_no__in=[x.loan_no for x in new_loans]).values_list(
                "loan_no", "pk"
            )
        )
        for loan in new_loans:
            loan.pk = ids[loan.loan_no]
    for loan in new_loans:
        changes.append(
            Change(
                action="create",
                object_type="portfolio.loan",
                object_id=loan.loan_no,
                summary=loan.loan_no,
                after=audit_view(loan),
                at=now,
            )
        )
    _write_schedules(
        new_loans, created_by, now, reason=ScheduleVersion.Reason.ORIGINAL, set_state=True
    )
    _write_schedules(
        reschedule, created_by, now, reason=ScheduleVersion.Reason.CORRECTION, set_state=False
    )
    if reschedule:
        refresh_repayment_state([loan.pk for loan in reschedule])
    _upsert_guarantors(chunk, {**existing, **{x.loan_no: x for x in new_loans}}, changes, now)
    record_many(actor, changes)
    result.created += len(new_loans)
    result.updated += len(changed_loans)
    result.created_loan_nos.extend(x.loan_no for x in new_loans)


def _upsert_borrowers(
    chunk: Sequence[LoanRecord], now, changes: list[Change]
) -> dict[str, Borrower]:
    latest: dict[str, LoanRecord] = {}
    for r in chunk:
        latest[crypto.lookup_hash(r.borrower_id_no)] = r  # the last row of a borrower wins
    found = {b.id_no_hash: b for b in Borrower.objects.filter(id_no_hash__in=list(latest))}
    new: list[Borrower] = []
    changed: list[Borrower] = []
    for digest, r in latest.items():
        borrower = found.get(digest)
        if borrower is None:
            borrower = Borrower(
                kind=r.borrower_type, name=r.borrower_name, created_at=now, updated_at=now
            )
            borrower.id_no = r.borrower_id_no
            if r.borrower_phone:
                borrower.phone = r.borrower_phone
            new.append(borrower)
            continue
        before = {"name": borrower.name, "kind": borrower.kind, "phone": borrower.phone_masked}
        updated = False
        if borrower.name != r.borrower_name or borrower.kind != r.borrower_type:
            borrower.name, borrower.kind = r.borrower_name, r.borrower_type
            updated = True
        if r.borrower_phone and borrower.phone_hash != crypto.lookup_hash(r.borrower_phone):
            borrower.phone = r.borrower_phone
            updated = True
        if updated:
            borrower.updated_at = now
            changed.append(borrower)
            after = {
                "name": borrower.name,
                "kind": borrower.kind,
                "phone": crypto.mask_phone(r.borrower_phone or borrower.phone),
            }
            changes.append(
                Change(
                    action="update",
                    object_type="portfolio.borrower",
                    object_id=str(borrower.pk),
                    summary=borrower.name,
                    before=before,
                    after=after,
                    at=now,
                )
            )
    Borrower.objects.bulk_create(new)
    if not all(b.pk for b in new):
        ids = dict(
            Borrower.objects.filter(id_no_hash__in=[b.id_no_hash for b in new]).values_list(
                "id_no_hash", "pk"
            )
        )
        for b in new:
            b.pk = ids[b.id_no_hash]
    if changed:
        Borrower.objects.bulk_update(
            changed, ["name", "kind", "phone_enc", "phone_hash", "updated_at"]
        )
    for b in new:
        changes.append(
            Change(
                action="create",
                object_type="portfolio.borrower",
                object_id=str(b.pk),
                summary=b.name,
                after={
                    "name": b.name,
                    "kind": b.kind,
                    "id_no": crypto.mask_id(latest[b.id_no_hash].borrower_id_no),
                },
                at=now,
            )
        )
    found.update({b.id_no_hash: b for b in new})
    return found


def _write_schedules(
    loans: Sequence[Loan], created_by: User | None, now, *, reason: str, set_state: bool
) -> None:
    if not loans:
        return
    numbers = {}
    if reason != ScheduleVersion.Reason.ORIGINAL:
        for loan_id, number in ScheduleVersion.objects.filter(loan__in=loans).values_list(
            "loan_id", "number"
        ):
            numbers[loan_id] = max(numbers.get(loan_id, 0), number)
    versions = []
    plans: list[list[loanmath.Installment]] = []
    for loan in loans:
        plan = loanmath.build_schedule(
            principal=loan.principal,
            annual_rate=loan.annual_rate,
            term_months=loan.term_months,
            disbursement_date=loan.disbursement_date,
            maturity_date=loan.maturity_date,
            method=loan.repayment_method,
        )
        plans.append(plan)
        number = numbers.get(loan.pk, 0) + 1
        loan.schedule_version = number
        versions.append(
            ScheduleVersion(
                loan_id=loan.pk,
                number=number,
                effective_date=loan.disbursement_date,
                reason=reason,
                principal=loan.principal,
                annual_rate=loan.annual_rate,
                term_months=loan.term_months,
                repayment_method=loan.repayment_method,
                maturity_date=loan.maturity_date,
                created_at=now,
                created_by=created_by,
            )
        )
        if set_state:
            state = state_from(loanmath.allocate(plan, []))
            loan.first_unpaid_due = state["first_unpaid_due"]
            loan.outstanding_principal = state["outstanding_principal"]
    ScheduleVersion.objects.bulk_create(versions)
    if not all(v.pk for v in versions):
        ids = {
            (loan_id, number): pk
            for pk, loan_id, number in ScheduleVersion.objects.filter(loan__in=loans).values_list(
                "pk", "loan_id", "number"
            )
        }
        for v in versions:
            v.pk = ids[(v.loan_id, v.number)]
    insert_rows(
        Installment._meta.db_table,
        ["version_id", "period", "due_date", "principal", "interest", "balance"],
        _installment_rows(versions, plans),
    )
    Loan.objects.bulk_update(
        loans, ["schedule_version", "first_unpaid_due", "outstanding_principal"]
    )


def _installment_rows(versions: list[ScheduleVersion], plans: list[list[loanmath.Installment]]):
    for version, plan in zip(versions, plans, strict=True):
        for i in plan:
            yield (version.pk, i.period, i.due_date, i.principal, i.interest, i.balance)


def _upsert_guarantors(
    chunk: Sequence[LoanRecord], loans: dict[str, Loan], changes: list[Change], now
) -> None:
    wanted = [r for r in chunk if r.guarantor_name]
    if not wanted:
        return
    existing: dict[tuple[int, str], LoanParty] = {
        (p.loan_id, p.id_no_hash): p
        for p in LoanParty.objects.filter(
            loan__in=[loans[r.loan_no] for r in wanted], role=PartyRole.GUARANTOR
        )
    }
    new: list[LoanParty] = []
    changed: list[LoanParty] = []
    for r in wanted:
        loan = loans[r.loan_no]
        digest = crypto.lookup_hash(r.guarantor_id_no)
        party = existing.get((loan.pk, digest))
        if party is None:
            party = LoanParty(
                loan=loan,
                role=PartyRole.GUARANTOR,
                kind=_kind_of(r.guarantor_id_no),
                name=r.guarantor_name,
                created_at=now,
            )
            party.id_no = r.guarantor_id_no
            if r.guarantor_phone:
                party.phone = r.guarantor_phone
            new.append(party)
            existing[(loan.pk, digest)] = party
            changes.append(
                Change(
                    action="create",
                    object_type="portfolio.loanparty",
                    object_id=loan.loan_no,
                    summary=f"{loan.loan_no} 担保人 {r.guarantor_name}",
                    after={
                        "role": "guarantor",
                        "name": r.guarantor_name,
                        "id_no": crypto.mask_id(r.guarantor_id_no),
                    },
                    at=now,
                )
            )
        elif party.name != r.guarantor_name or (
            r.guarantor_phone and party.phone_hash != crypto.lookup_hash(r.guarantor_phone)
        ):
            before = {"name": party.name, "phone": party.phone_masked}
            party.name = r.guarantor_name
            if r.guarantor_phone:
                party.phone = r.guarantor_phone
            changed.append(party)
            changes.append(
                Change(
                    action="update",
                    object_type="portfolio.loanparty",
                    object_id=loan.loan_no,
                    summary=f"{loan.loan_no} 担保人 {party.name}",
                    before=before,
                    after={"name": party.name, "phone": party.phone_masked},
                    at=now,
                )
            )
    LoanParty.objects.bulk_create(new)
    if changed:
        LoanParty.objects.bulk_update(changed, ["name", "phone_enc", "phone_hash"])
    touched = {p.loan_id for p in new}
    if touched:
        # A guarantor added changes the follow-up plan (followup-policy.md, "Guarantor visits").
        Loan.objects.filter(pk__in=touched).update(plan_changed_at=now)


def _kind_of(id_no: str) -> str:
    return "individual" if ric.is_valid(id_no) else "enterprise"
