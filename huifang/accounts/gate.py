"""The one permission gate: what each role may do, and over which branches.

Every page, API endpoint and command asks here. Object-level checks for loans
live in portfolio.selectors (`loans_for`, `loan_for`), which apply
`branch_scope` from this module; nothing else decides access.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from huifang.accounts.models import Role
from huifang.audit.services import Change, actor_for, record

OF, RV, RM, AD, AU = Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.ADMIN, Role.AUDITOR

# permission -> roles that hold it. Reads of loans are scoped by branch (below).
PERMISSIONS: dict[str, frozenset[str]] = {
    "loan.read": frozenset({OF, RV, RM, AD, AU}),
    "loan.write": frozenset({OF, RM, AD}),
    "repayment.record": frozenset({OF, RM, AD}),
    "portfolio.import": frozenset({RM, AD}),
    "pii.read": frozenset({OF, RV, RM}),
    "audit.read": frozenset({AD, AU}),
    "users.manage": frozenset({AD}),
    "api.token": frozenset({OF, RV, RM, AD, AU}),
    "followups.plan": frozenset({RM, AD}),
    "visits.assign": frozenset({RV, RM, AD}),
    "calendar.manage": frozenset({AD}),
    "policy.manage": frozenset({AD}),
    # Carrying out visits: the officer the visit is assigned to (checked per visit).
    "visits.record": frozenset({OF}),
    # Four eyes: reviewers approve or return records; never their own (checked per record).
    "visits.review": frozenset({RV}),
    "questionnaire.manage": frozenset({AD}),
    # Photos, documents and recordings of visits: business roles and auditors, not admins.
    "attachments.read": frozenset({OF, RV, RM, AU}),
    # Issue 5: signals, warnings, classification, departments.
    "risk.read": frozenset({OF, RV, RM, AD, AU}),  # scoped by branch like loans
    "signal.raise": frozenset({OF, RV, RM}),  # a signal raised by hand, with evidence
    "warning.manage": frozenset({RM}),  # acknowledge, respond, lift, escalate
    "risk.rules": frozenset({AD, RM}),  # warning rules, the risk lexicon
    "classification.propose": frozenset({OF, RM}),  # 初分 (the system proposes too)
    "classification.approve": frozenset({RM}),  # 复核/审批, never one's own proposal
    "classification.run": frozenset({RM, AD}),
    "departments.manage": frozenset({AD}),
    "departments.work": frozenset({OF, RV, RM}),  # members work their department's queue
    # Issue 6: restructuring (还款计划调整). Proposals are read by whoever reads the loan.
    "restructuring.propose": frozenset({OF, RM}),  # simulate, propose, correct, withdraw
    "restructuring.approve": frozenset({RM}),  # approve, reject, return; never one's own
}

# Roles that see every branch whatever their own branch is.
ALL_BRANCH_ROLES = frozenset({RM, AD, AU})


@dataclass(frozen=True)
class SystemPrincipal:
    """The operator at the command line with no --as user: full rights, audited as 'system'."""

    is_authenticated: bool = True
    is_active: bool = True
    pk: None = None
    role: str = "system"
    branch_id: None = None

    def get_username(self) -> str:
        return "system"


SYSTEM = SystemPrincipal()


def has_perm(user: Any, perm: str) -> bool:
    if perm not in PERMISSIONS:
        raise KeyError(f"unknown permission {perm!r}")
    if isinstance(user, SystemPrincipal):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.role in PERMISSIONS[perm]


def branch_scope(user: Any) -> set[int] | None:
    """The branch ids a user's reads are limited to; None means every branch."""
    if isinstance(user, SystemPrincipal) or user.role in ALL_BRANCH_ROLES:
        return None
    if user.branch_id is None:
        # A reviewer at head office reviews every branch; an officer always has a branch.
        return None if user.role == RV else set()
    return {user.branch_id}


def in_scope(user: Any, branch_id: int | None) -> bool:
    scope = branch_scope(user)
    return scope is None or branch_id in scope


def require_branch(
    user: Any,
    branch_id: int | None,
    *,
    object_type: str,
    object_id: str,
    via: str = "web",
    ip: str | None = None,
) -> None:
    """PermissionDenied (audited) when an object's branch is outside the user's branches."""
    if not in_scope(user, branch_id):
        raise deny(
            user,
            what=f"{object_type} outside the user's branches",
            object_type=object_type,
            object_id=object_id,
            via=via,
            ip=ip,
        )


class Denied(PermissionDenied):
    """A refused access, carrying what the audit trail needs to record it.

    The event must survive the rollback of the work that was refused, so it is
    written at once when no transaction is open, and otherwise by the boundary
    that catches the exception (`record_denial`: the web middleware, the API's
    exception handler, the command base class) after the transaction is gone.
    """

    def __init__(self, change: Change, actor: Any) -> None:
        super().__init__(change.summary)
        self.change = change
        self.actor = actor
        self.recorded = False


def deny(
    user: Any,
    *,
    what: str,
    object_type: str = "",
    object_id: str = "",
    via: str = "web",
    ip: str | None = None,
) -> Denied:
    change = Change(
        action="access_denied", object_type=object_type, object_id=object_id, summary=what
    )
    denied = Denied(change, actor_for(user, via=via, ip=ip))
    if not connection.in_atomic_block:
        record_denial(denied)
    return denied


def record_denial(exc: BaseException) -> None:
    """Write the audit event of a refused access, once."""
    if isinstance(exc, Denied) and not exc.recorded:
        with transaction.atomic():
            record(exc.actor, exc.change)
        exc.recorded = True


def require(user: Any, perm: str, *, via: str = "web", ip: str | None = None) -> None:
    if not has_perm(user, perm):
        raise deny(user, what=f"permission {perm}", via=via, ip=ip)
