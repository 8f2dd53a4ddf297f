"""Borrowers and guarantors from import rows: created, or updated where the file says otherwise.

Part of the loan import (loans_upsert): nothing a user saved is cleared; a guarantor
with another ID number is added, never replacing one.
"""

from collections.abc import Sequence
from datetime import datetime

from huifang.audit.services import Change
from huifang.lib import crypto
from huifang.lib.bulk import insert_objects
from huifang.portfolio.importing.loans import LoanRecord
from huifang.portfolio.models import Borrower, Loan, LoanParty, PartyRole
from huifang.portfolio.services.loans_prepare import PreparedRow


def upsert_borrowers(
    chunk: Sequence[LoanRecord], rows: dict[str, PreparedRow], now: datetime, changes: list[Change]
) -> tuple[dict[str, Borrower], dict[str, tuple[Borrower, LoanRecord]]]:
    """Borrowers by ID hash; and the ones created, with the row that created them."""
    latest: dict[str, LoanRecord] = {}
    for r in chunk:
        latest[rows[r.loan_no].borrower_id.hash] = r  # the last row of a borrower wins
    found = {b.id_no_hash: b for b in Borrower.objects.filter(id_no_hash__in=list(latest))}
    new: list[Borrower] = []
    changed: list[Borrower] = []
    for digest, r in latest.items():
        sealed_id, sealed_phone = rows[r.loan_no].borrower_id, rows[r.loan_no].borrower_phone
        borrower = found.get(digest)
        if borrower is None:
            new.append(
                Borrower(
                    kind=r.borrower_type,
                    name=r.borrower_name,
                    created_at=now,
                    updated_at=now,
                    id_no_enc=sealed_id.enc,
                    id_no_hash=sealed_id.hash,
                    phone_enc=sealed_phone.enc,
                    phone_hash=sealed_phone.hash,
                )
            )
            continue
        phone_changed = bool(sealed_phone.hash) and borrower.phone_hash != sealed_phone.hash
        if (
            borrower.name == r.borrower_name
            and borrower.kind == r.borrower_type
            and not phone_changed
        ):
            continue
        # Decrypting only for a change: an unchanged re-import of 100,000 rows decrypts nothing.
        before = {"name": borrower.name, "kind": borrower.kind, "phone": borrower.phone_masked}
        borrower.name, borrower.kind = r.borrower_name, r.borrower_type
        if phone_changed:
            borrower.phone_enc, borrower.phone_hash = sealed_phone.enc, sealed_phone.hash
        borrower.updated_at = now
        changed.append(borrower)
        after = {"name": borrower.name, "kind": borrower.kind, "phone": borrower.phone_masked}
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
    insert_objects(new)
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
    found.update({b.id_no_hash: b for b in new})
    return found, {b.id_no_hash: (b, latest[b.id_no_hash]) for b in new}


def borrower_view(r: LoanRecord) -> dict[str, str]:
    return {
        "name": r.borrower_name,
        "kind": r.borrower_type,
        "id_no": crypto.mask_id(r.borrower_id_no),
    }


def upsert_guarantors(
    chunk: Sequence[LoanRecord],
    rows: dict[str, PreparedRow],
    new_loan_nos: set[str],
    loans: dict[str, Loan],
    changes: list[Change],
    now: datetime,
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
        loan, row = loans[r.loan_no], rows[r.loan_no]
        assert row.guarantor_id is not None and row.guarantor_phone is not None
        party = existing.get((loan.pk, row.guarantor_id.hash))
        if party is None:
            # A different ID number is another guarantor: added, never replacing one.
            party = LoanParty(
                loan_id=loan.pk,
                role=PartyRole.GUARANTOR,
                kind=row.guarantor_kind,
                name=r.guarantor_name,
                created_at=now,
                id_no_enc=row.guarantor_id.enc,
                id_no_hash=row.guarantor_id.hash,
                phone_enc=row.guarantor_phone.enc,
                phone_hash=row.guarantor_phone.hash,
            )
            new.append(party)
            existing[(loan.pk, row.guarantor_id.hash)] = party
            if loan.loan_no not in new_loan_nos:  # a new loan's own event shows its guarantor
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
            row.guarantor_phone.hash and party.phone_hash != row.guarantor_phone.hash
        ):
            before = {"name": party.name, "phone": party.phone_masked}
            party.name = r.guarantor_name
            if row.guarantor_phone.hash:
                party.phone_enc, party.phone_hash = (
                    row.guarantor_phone.enc,
                    row.guarantor_phone.hash,
                )
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
    insert_objects(new)
    if changed:
        LoanParty.objects.bulk_update(changed, ["name", "phone_enc", "phone_hash"])
    touched = {p.loan_id for p in new} - {loans[n].pk for n in new_loan_nos}
    if touched:
        # A guarantor added to an existing loan changes its follow-up plan
        # (followup-policy.md, "Guarantor visits").
        Loan.objects.filter(pk__in=touched).update(plan_changed_at=now)
