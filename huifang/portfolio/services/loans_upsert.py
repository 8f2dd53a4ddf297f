"""Upserting loans from validated import records (interfaces.md, "Loan import").

Works in chunks of rows, a few queries each, with rows written through
lib.bulk; the pure work of each chunk (schedules, encryption) is prepared by
loans_prepare, in a second process for large files. One audit event per
imported row (a new loan's event also shows the borrower and guarantor the row
created) and one per changed borrower or party, in the caller's transaction.

Nothing a user saved is cleared by an import: an empty officer or phone cell
leaves the stored value, and a guarantor is only ever added or updated.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from huifang.accounts.models import Branch, User
from huifang.audit.services import Actor, Change, record_many
from huifang.lib import crypto
from huifang.lib.bulk import chunked, insert_objects, insert_rows
from huifang.portfolio.importing.loans import LoanRecord
from huifang.portfolio.models import (
    Installment,
    Loan,
    ScheduleVersion,
)
from huifang.portfolio.services.loans_prepare import PreparedChunk, PreparedRow, preparer
from huifang.portfolio.services.parties_upsert import (
    borrower_view,
    upsert_borrowers,
    upsert_guarantors,
)
from huifang.portfolio.services.state import refresh_repayment_state, restructured

CHUNK_ROWS = 5000

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


def audit_view(loan: Loan) -> dict[str, Any]:
    """A loan as the audit trail shows it (no personal data in clear)."""
    view = {name: getattr(loan, name) for name in LOAN_FIELDS}
    view.update(
        {"branch": loan.branch_id, "officer": loan.officer_id, "borrower": loan.borrower_id}
    )
    return view


def upsert_loans(
    records: Sequence[LoanRecord],
    *,
    actor: Actor,
    created_by: User | None,
    chunk_rows: int = CHUNK_ROWS,
) -> UpsertResult:
    result = UpsertResult()
    branches = _branches({r.branch for r in records}, actor)
    usernames = {r.officer for r in records if r.officer}
    officers = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    chunks = list(chunked(list(records), chunk_rows))
    with preparer(chunks) as prepared_chunks:
        for chunk, prepared in zip(chunks, prepared_chunks, strict=True):
            _upsert_chunk(chunk, prepared, branches, officers, actor, created_by, result)
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
    prepared: PreparedChunk,
    branches: dict[str, int],
    officers: dict[str, int],
    actor: Actor,
    created_by: User | None,
    result: UpsertResult,
) -> None:
    now = timezone.now()
    changes: list[Change] = []
    rows = prepared.rows
    borrowers, new_borrowers = upsert_borrowers(chunk, rows, now, changes)
    existing = {
        loan.loan_no: loan for loan in Loan.objects.filter(loan_no__in=[r.loan_no for r in chunk])
    }
    new_loans: list[Loan] = []
    changed_loans: list[Loan] = []
    reschedule: list[Loan] = []
    contracts = restructured(loan.pk for loan in existing.values() if loan.schedule_version > 1)
    for r in chunk:
        values = {
            "product": r.product,
            "principal": r.principal,
            "annual_rate": r.annual_rate,
            "term_months": r.term_months,
            "disbursement_date": r.disbursement_date,
            "maturity_date": rows[r.loan_no].maturity_date,
            "repayment_method": r.repayment_method,
            "purpose": r.purpose,
            "risk_level": r.risk_level,
            "branch_id": branches[r.branch],
            "borrower_id": borrowers[rows[r.loan_no].borrower_id.hash].pk,
        }
        if r.officer:
            values["officer_id"] = officers[r.officer]
        loan = existing.get(r.loan_no)
        found = contracts.get(loan.pk) if loan is not None else None
        contract = found.contract if found is not None else None
        if (
            loan is not None
            and contract is not None
            and (contract.maturity_date, contract.term_months)
            == (values["maturity_date"], values["term_months"])
        ):
            # A restructured loan keeps its maturity and term in force while the file
            # still carries the contract's: re-importing it undoes nothing.
            values["maturity_date"], values["term_months"] = loan.maturity_date, loan.term_months
        if loan is None:
            loan = Loan(
                loan_no=r.loan_no,
                created_at=now,
                updated_at=now,
                plan_changed_at=now,
                outstanding_principal=r.principal,
                schedule_version=1,
                first_unpaid_due=rows[r.loan_no].first_unpaid_due,
                **values,
            )
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

    insert_objects(new_loans)
    ids = dict(
        Loan.objects.filter(loan_no__in=[x.loan_no for x in new_loans]).values_list("loan_no", "pk")
    )
    for loan in new_loans:
        loan.pk = ids[loan.loan_no]
    _write_versions(new_loans, rows, created_by, now, reason=ScheduleVersion.Reason.ORIGINAL)
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
    if reschedule:
        # A corrected contract gets a new version from its disbursement date; the old one stays.
        _write_versions(reschedule, rows, created_by, now, reason=ScheduleVersion.Reason.CORRECTION)
        Loan.objects.bulk_update(reschedule, ["schedule_version"])
        refresh_repayment_state([loan.pk for loan in reschedule])
    new_loan_nos = {x.loan_no for x in new_loans}
    upsert_guarantors(
        chunk, rows, new_loan_nos, {**existing, **{x.loan_no: x for x in new_loans}}, changes, now
    )

    by_loan_no = {r.loan_no: r for r in chunk}
    for loan in new_loans:
        r = by_loan_no[loan.loan_no]
        after = audit_view(loan)
        digest = rows[r.loan_no].borrower_id.hash
        if digest in new_borrowers:
            new_borrowers.pop(digest)
            after["borrower"] = borrower_view(r)
        if r.guarantor_name:
            after["guarantor"] = {
                "name": r.guarantor_name,
                "id_no": crypto.mask_id(r.guarantor_id_no),
            }
        changes.append(
            Change(
                action="create",
                object_type="portfolio.loan",
                object_id=loan.loan_no,
                summary=loan.loan_no,
                after=after,
                at=now,
            )
        )
    for borrower, r in new_borrowers.values():  # new borrowers of loans that existed before
        changes.append(
            Change(
                action="create",
                object_type="portfolio.borrower",
                object_id=str(borrower.pk),
                summary=borrower.name,
                after=borrower_view(r),
                at=now,
            )
        )
    record_many(actor, changes)
    result.created += len(new_loans)
    result.updated += len(changed_loans)
    result.created_loan_nos.extend(x.loan_no for x in new_loans)


def _write_versions(
    loans: Sequence[Loan],
    rows: dict[str, PreparedRow],
    created_by: User | None,
    now: datetime,
    *,
    reason: str,
) -> None:
    """Add the next schedule version of each loan, with its installments; sets loan.schedule_version."""
    if not loans:
        return
    numbers: dict[int, int] = {}
    if reason != ScheduleVersion.Reason.ORIGINAL:
        for loan_id, number in ScheduleVersion.objects.filter(loan__in=loans).values_list(
            "loan_id", "number"
        ):
            numbers[loan_id] = max(numbers.get(loan_id, 0), number)
    versions = []
    for loan in loans:
        loan.schedule_version = numbers.get(loan.pk, 0) + 1
        versions.append(
            ScheduleVersion(
                loan_id=loan.pk,
                number=loan.schedule_version,
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
    insert_objects(versions)
    ids = {
        (loan_id, number): pk
        for pk, loan_id, number in ScheduleVersion.objects.filter(loan__in=loans).values_list(
            "pk", "loan_id", "number"
        )
    }
    insert_rows(
        Installment._meta.db_table,
        ["version_id", "period", "due_date", "principal", "interest", "balance"],
        _installment_rows(loans, ids, rows),
    )


def _installment_rows(
    loans: Sequence[Loan], version_ids: dict[tuple[int, int], int], rows: dict[str, PreparedRow]
) -> Iterator[tuple]:
    for loan in loans:
        pk = version_ids[(loan.pk, loan.schedule_version)]
        for row in rows[loan.loan_no].schedule:
            yield (pk, *row)
