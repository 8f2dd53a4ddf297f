"""The one permission gate: what each role may do, and over which branches.

Every page, API endpoint and command asks here. Object-level checks for loans
live in portfolio.selectors (`loans_for`, `loan_for`), which apply
`branch_scope` from this module; nothing else decides access.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

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


def in_scope(user: Any, branch_id: int) -> bool:
    scope = branch_scope(user)
    return scope is None or branch_id in scope


def deny(
    user: Any,
    *,
    what: str,
    object_type: str = "",
    object_id: str = "",
    via: str = "web",
    ip: str | None = None,
) -> PermissionDenied:
    """Record a denied access (in its own transaction: the request's own work is rolled back)."""
    actor = actor_for(user, via=via, ip=ip)
    with transaction.atomic():
        record(
            actor,
            Change(
                action="access_denied", object_type=object_type, object_id=object_id, summary=what
            ),
        )
    return PermissionDenied(what)


def require(user: Any, perm: str, *, via: str = "web", ip: str | None = None) -> None:
    if not has_perm(user, perm):
        raise deny(user, what=f"permission {perm}", via=via, ip=ip)


def roles_with(perm: str) -> Iterable[str]:
    return sorted(PERMISSIONS[perm])
