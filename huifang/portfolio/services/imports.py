"""Import of loan and repayment files: check, then apply — from the command line, the web and the API.

interfaces.md: every bad row is reported with its row, column and reason; the
file is all-or-nothing unless `partial`, which applies the valid rows and
reports the rest. A file with errors and without `partial` changes nothing.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import branch_scope, require
from huifang.accounts.models import Branch, User
from huifang.audit.services import Actor, Change, record
from huifang.lib import crypto
from huifang.lib.dates import add_months
from huifang.portfolio.importing.errors import ImportFileError, RowError
from huifang.portfolio.importing.loans import LoanRecord, validate_loans
from huifang.portfolio.importing.reader import read_table
from huifang.portfolio.importing.repayments import RepaymentRecord, validate_repayments
from huifang.portfolio.models import ImportBatch, Loan, LoanStatus
from huifang.portfolio.services.loans_upsert import upsert_loans
from huifang.portfolio.services.repayments import (
    before_restructuring_message,
    record_repayments,
)
from huifang.portfolio.services.state import restructured


@dataclass
class ImportReport:
    kind: str
    filename: str
    total_rows: int = 0
    valid_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def check_file(
    *, kind: str, data: bytes, filename: str, user: Any, actor: Actor | None = None
) -> tuple[ImportReport, list]:
    """Read and validate a file against the format and the database; changes nothing."""
    require(
        user, "portfolio.import", via=actor.via if actor else "web", ip=actor.ip if actor else None
    )
    report = ImportReport(kind=kind, filename=filename)
    try:
        table = read_table(data, filename)
    except ImportFileError as exc:
        report.errors.append(RowError(row=0, column="", message=str(exc)))
        return report, []
    report.total_rows = len(table.rows)
    records: list[Any]
    if kind == ImportBatch.Kind.LOANS:
        loan_records, errors = validate_loans(table)
        records, db_errors = _check_loans_against_db(loan_records, user)
    else:
        repayment_records, errors = validate_repayments(table)
        records, db_errors = _check_repayments_against_db(repayment_records, user)
    report.errors = sorted([*errors, *db_errors], key=lambda e: (e.row, e.column))
    report.valid_rows = len(records)
    return report, records


def import_file(
    *,
    kind: str,
    data: bytes,
    filename: str,
    user: Any,
    actor: Actor,
    partial: bool = False,
    batch: ImportBatch | None = None,
) -> ImportReport:
    """Check and, when allowed, apply a file in one transaction; records the batch."""
    report, records = check_file(kind=kind, data=data, filename=filename, user=user, actor=actor)
    # A bad header (row 1) or an unreadable file is never imported in part.
    file_level = any(e.row <= 1 for e in report.errors)
    if (report.errors and (not partial or file_level)) or not records:
        return report
    by = user if isinstance(user, User) else None
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        if batch is None:
            batch = ImportBatch(kind=kind, filename=filename, sha256=digest, uploaded_by=by)
        if kind == ImportBatch.Kind.LOANS:
            result = upsert_loans(records, actor=actor, created_by=by)
            report.created, report.updated, report.unchanged = (
                result.created,
                result.updated,
                result.unchanged,
            )
        else:
            batch.save()
            loans = {
                loan.loan_no: loan
                for loan in Loan.objects.filter(loan_no__in={r.loan_no for r in records})
            }
            record_repayments(
                [(loans[r.loan_no], r.paid_date, r.amount) for r in records],
                actor=actor,
                by=by,
                source="import",
                batch=batch,
            )
            report.created = len(records)
        batch.partial = partial
        batch.content = b""  # the file held personal data; once applied only its hash is kept
        batch.status = ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        batch.total_rows, batch.valid_rows = report.total_rows, report.valid_rows
        batch.created_count, batch.updated_count = report.created, report.updated
        batch.unchanged_count = report.unchanged
        batch.errors = [e.as_dict() for e in report.errors]
        batch.save()
        record(
            actor,
            Change(
                action="import",
                object_type="portfolio.importbatch",
                object_id=str(batch.pk),
                summary=f"{batch.get_kind_display()} {filename}",
                after={
                    "filename": filename,
                    "sha256": digest,
                    "rows": report.total_rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected_rows": len({e.row for e in report.errors}),
                },
            ),
        )
    report.applied = True
    report.batch = batch
    return report


def _check_loans_against_db(
    records: list[LoanRecord], user: Any
) -> tuple[list[LoanRecord], list[RowError]]:
    errors: list[RowError] = []
    usernames = {r.officer for r in records if r.officer}
    known_officers = set(
        User.objects.filter(username__in=usernames, is_active=True).values_list(
            "username", flat=True
        )
    )
    scope = branch_scope(user)
    allowed_branches = (
        None
        if scope is None
        else set(Branch.objects.filter(pk__in=scope).values_list("name", flat=True))
    )
    existing_branch = {}
    if scope is not None:
        existing_branch = dict(
            Loan.objects.filter(loan_no__in=[r.loan_no for r in records]).values_list(
                "loan_no", "branch__name"
            )
        )
    contracts = _restructured_contracts(records)
    good = []
    for r in records:
        row_errors = []
        contract = contracts.get(r.loan_no)
        if contract is not None and contract[1] != _contract_terms(r):
            # A correction would replace the approved restructuring from disbursement on.
            row_errors.append(
                RowError(
                    r.row,
                    r.column_name("loan_no"),
                    _(
                        "贷款“%(no)s”的还款计划已于 %(date)s 调整（重组），导入不能更改其合同要素"
                        "（贷款金额、年利率、期限、放款日期、到期日期、还款方式），"
                        "否则已批准的调整将被覆盖"
                    )
                    % {"no": r.loan_no, "date": contract[0].isoformat()},
                )
            )
        if r.officer and r.officer not in known_officers:
            row_errors.append(
                RowError(
                    r.row,
                    r.column_name("officer"),
                    _("用户“%(name)s”不存在或已停用") % {"name": r.officer},
                )
            )
        if allowed_branches is not None and (
            r.branch not in allowed_branches
            or existing_branch.get(r.loan_no, r.branch) not in allowed_branches
        ):
            row_errors.append(RowError(r.row, r.column_name("branch"), _("无权导入其他机构的贷款")))
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append(r)
    return good, errors


def _contract_terms(r: LoanRecord) -> tuple:
    maturity = r.maturity_date or add_months(r.disbursement_date, r.term_months)
    return (
        r.principal,
        r.annual_rate,
        r.term_months,
        r.disbursement_date,
        maturity,
        r.repayment_method,
    )


def _restructured_contracts(records: list[LoanRecord]) -> dict[str, tuple[date, tuple]]:
    """Restructured loans among the records: loan_no -> (the restructuring's effective date,
    the contract's terms in the order of _contract_terms)."""
    loans = {
        pk: (loan_no, disbursed)
        for pk, loan_no, disbursed in Loan.objects.filter(
            loan_no__in=[r.loan_no for r in records], schedule_version__gt=1
        ).values_list("pk", "loan_no", "disbursement_date")
    }
    result = {}
    for loan_id, found in restructured(loans).items():
        original = found.contract
        if original is None:
            continue
        loan_no, disbursed = loans[loan_id]
        terms = (
            original.principal,
            original.annual_rate,
            original.term_months,
            disbursed,
            original.maturity_date,
            original.repayment_method,
        )
        result[loan_no] = (found.version.effective_date, terms)
    return result


def _check_repayments_against_db(
    records: list[RepaymentRecord], user: Any
) -> tuple[list[RepaymentRecord], list[RowError]]:
    errors: list[RowError] = []
    loans = {
        loan.loan_no: loan for loan in Loan.objects.filter(loan_no__in={r.loan_no for r in records})
    }
    scope = branch_scope(user)
    frozen = {
        loan_id: found.version.effective_date
        for loan_id, found in restructured(loan.pk for loan in loans.values()).items()
    }
    good = []
    for r in records:
        loan = loans.get(r.loan_no)
        message, column = "", "loan_no"
        if loan is None or (scope is not None and loan.branch_id not in scope):
            message = _("借款合同编号“%(no)s”不存在") % {"no": r.loan_no}
        elif loan.status in (LoanStatus.CANCELLED, LoanStatus.WRITTEN_OFF):
            message = _("贷款状态为“%(status)s”，不能登记还款") % {
                "status": loan.get_status_display()
            }
        elif r.paid_date < loan.disbursement_date:
            message, column = (
                _("还款日期早于放款日期 %(date)s") % {"date": loan.disbursement_date},
                "paid_date",
            )
        elif loan.pk in frozen and r.paid_date < frozen[loan.pk]:
            message, column = before_restructuring_message(frozen[loan.pk]), "paid_date"
        if message:
            errors.append(RowError(r.row, r.column_name(column), message))
        else:
            good.append(r)
    return good, errors


def batch_stage(
    *, kind: str, data: bytes, filename: str, user: Any, partial: bool
) -> tuple[ImportBatch, ImportReport]:
    """The web's first step: check a file and keep it, with its report, until the user confirms.

    The stored batch is the upload's record, not business data: nothing in the
    portfolio changes until `batch_apply`.
    """
    report, _records = check_file(kind=kind, data=data, filename=filename, user=user)
    file_level = any(e.row <= 1 for e in report.errors)
    applicable = bool(report.valid_rows) and not file_level and (partial or not report.errors)
    batch = ImportBatch.objects.create(
        kind=kind,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        # Kept until confirmed or discarded, encrypted: the file holds ID and phone numbers.
        content=crypto.encrypt_bytes(data) if applicable else b"",
        partial=partial,
        uploaded_by=user if isinstance(user, User) else None,
        status=ImportBatch.Status.VALIDATED if applicable else ImportBatch.Status.REJECTED,
        total_rows=report.total_rows,
        valid_rows=report.valid_rows,
        errors=[e.as_dict() for e in report.errors],
    )
    report.batch = batch
    return batch, report


def batch_apply(*, batch: ImportBatch, user: Any, actor: Actor) -> ImportReport:
    """The web's second step. The file is checked again: the database may have changed meanwhile."""
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ValueError(_("该批次不能导入：%(status)s") % {"status": batch.get_status_display()})
    report = import_file(
        kind=batch.kind,
        data=crypto.decrypt_bytes(bytes(batch.content)),
        filename=batch.filename,
        user=user,
        actor=actor,
        partial=batch.partial,
        batch=batch,
    )
    if not report.applied:
        batch.status = ImportBatch.Status.REJECTED
        batch.errors = [e.as_dict() for e in report.errors]
        batch.content = b""
        batch.save(update_fields=["status", "errors", "content"])
    return report


def batch_discard(*, batch: ImportBatch) -> None:
    if batch.status == ImportBatch.Status.VALIDATED:
        batch.status = ImportBatch.Status.DISCARDED
        batch.content = b""
        batch.save(update_fields=["status", "content"])
