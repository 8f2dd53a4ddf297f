"""Follow-up policies an admin edits: which one a loan gets, saving a version, previewing one
(checking what the admin entered: policy_validation.py).

followup-policy.md: "The product ships this policy as data (rules an admin can copy
and change per product, term class and risk level)". A loan is planned with the
active version of its product's policy, else of the default policy (blank product),
else with the built-in DEFAULT_POLICY.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.audit.services import Actor, Change, record
from huifang.followups.calendar import WorkingCalendar
from huifang.followups.models import (
    FollowupPolicy,
    PolicyVersion,
)
from huifang.followups.planning import PlannedVisit, plan_loan
from huifang.followups.policy import DEFAULT_POLICY, Policy
from huifang.followups.policy_data import (
    policy_changes,
    policy_from_data,
    policy_to_data,
)
from huifang.followups.services.policy_validation import policy_validate
from huifang.portfolio.models import Loan, LoanParty, LoanStatus, PartyRole

# --- which policy a loan gets ------------------------------------------------------------


class PolicyBook:
    """Every policy's active version, parsed once for a planning run: {product: Policy}."""

    def __init__(self) -> None:
        self.by_product: dict[str, Policy] = {}
        self._versions: set[int] = set()
        self._load()

    def _load(self) -> None:
        rows = PolicyVersion.objects.filter(active=True).values_list(
            "pk", "policy__product", "rules"
        )
        self.by_product = {product: policy_from_data(rules) for _pk, product, rules in rows}
        self._versions = {pk for pk, _product, _rules in rows}

    def refresh(self) -> None:
        """Reload if a policy was saved since the book was loaded (one small query otherwise).

        The planner calls it at the start of each chunk, after taking the chunk's time:
        a policy saved later marks its loans later than that, so they are planned again.
        """
        active = set(PolicyVersion.objects.filter(active=True).values_list("pk", flat=True))
        if active != self._versions:
            self._load()

    def for_product(self, product: str) -> Policy:
        found = self.by_product.get(product) or self.by_product.get("")
        return found or DEFAULT_POLICY


def policy_for_product(product: str, *, book: PolicyBook | None = None) -> Policy:
    return (book or PolicyBook()).for_product(product)


def governing_policy(product: str) -> FollowupPolicy | None:
    """The policy row a product's loans are planned with: the product's own, else the default."""
    policies = {p.product: p for p in FollowupPolicy.objects.filter(product__in=[product, ""])}
    return policies.get(product) or policies.get("")


def active_version(policy_obj: FollowupPolicy) -> PolicyVersion | None:
    return policy_obj.versions.filter(active=True).select_related("created_by").first()


def version_policy(version: PolicyVersion | None) -> Policy:
    return policy_from_data(version.rules) if version is not None else DEFAULT_POLICY


# --- saving ------------------------------------------------------------------------------


def policy_save(*, policy_obj: FollowupPolicy, data: Any, note: str, actor: Actor) -> PolicyVersion:
    """A new active version of the policy; the loans it governs are re-planned on the next run.

    Versions are never edited: the previous one stays, inactive, readable.
    """
    policy = policy_validate(data)
    rules = policy_to_data(policy)
    with transaction.atomic():
        # Serialises two admins saving the same policy (SQLite: the IMMEDIATE transaction).
        locked = FollowupPolicy.objects.select_for_update().get(pk=policy_obj.pk)
        current = locked.versions.filter(active=True).first()
        if current is not None and current.rules == rules:
            raise ValidationError(
                {"data": _("与当前生效的第 %(n)d 版相同，没有保存新版本") % {"n": current.number}}
            )
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        locked.versions.filter(active=True).update(active=False)
        version = PolicyVersion.objects.create(
            policy=locked,
            number=number,
            rules=rules,
            note=note.strip()[:200],
            created_by_id=actor.user_id,
            active=True,
        )
        marked = _mark_governed_loans(locked)
        changes = policy_changes(version_policy(current), policy)
        record(
            actor,
            Change(
                action="update",
                object_type="followups.followuppolicy",
                object_id=str(locked.pk),
                summary=f"{locked.name} 第{number}版: " + "; ".join(changes),
                before={"version": current.number if current else None},
                after={
                    "version": number,
                    "note": version.note,
                    "changes": changes,
                    "loans": marked,
                },
            ),
        )
    return version


def _mark_governed_loans(policy_obj: FollowupPolicy) -> int:
    """Mark the active loans planned with this policy for re-planning; how many."""
    loans = Loan.objects.filter(status=LoanStatus.ACTIVE)
    if policy_obj.product:
        loans = loans.filter(product=policy_obj.product)
    else:
        # The default governs every product without a policy of its own.
        loans = loans.exclude(
            product__in=FollowupPolicy.objects.exclude(product="").values("product")
        )
    return loans.update(plan_changed_at=timezone.now())


def policy_copy_for_product(*, product: str, name: str = "", actor: Actor) -> FollowupPolicy:
    """A product's own policy, version 1 a copy of the default's active version.

    The product's loans plan exactly as before, so none is marked for re-planning.
    """
    product = product.strip()
    if not product:
        raise ValidationError({"product": _("请填写贷款产品")})
    if len(product) > 100:
        raise ValidationError({"product": _("贷款产品名称不能超过 100 个字符")})
    name = name.strip()[:100] or _("%(product)s回访策略") % {"product": product}
    with transaction.atomic():
        if FollowupPolicy.objects.filter(product=product).exists():
            raise ValidationError(
                {"product": _("贷款产品“%(product)s”已有回访策略") % {"product": product}}
            )
        default = FollowupPolicy.objects.filter(product="").first()
        source = active_version(default) if default else None
        policy_obj = FollowupPolicy.objects.create(
            name=name, product=product, created_by_id=actor.user_id
        )
        PolicyVersion.objects.create(
            policy=policy_obj,
            number=1,
            rules=source.rules if source else policy_to_data(DEFAULT_POLICY),
            note=(
                f"复制自{default.name}第{source.number}版"
                if default and source
                else "复制自系统默认策略"
            ),
            created_by_id=actor.user_id,
            active=True,
        )
        record(
            actor,
            Change(
                action="create",
                object_type="followups.followuppolicy",
                object_id=str(policy_obj.pk),
                summary=f"{name}（{product}）",
                after={"product": product, "name": name, "version": 1},
            ),
        )
    return policy_obj


# --- previewing --------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyPreview:
    """One loan's visits over its whole life under the policy in force and under an edit."""

    loan: Loan
    current: list[PlannedVisit]
    edited: list[PlannedVisit]
    # The policy that plans this loan, when it is not the one being edited.
    governed_by: FollowupPolicy | None


def loan_plan(*, loan: Loan, policy: Policy, calendar: WorkingCalendar) -> list[PlannedVisit]:
    """Every visit of the loan's life under `policy` (no as-of date: the whole plan)."""
    guarantors = LoanParty.objects.filter(loan=loan, role=PartyRole.GUARANTOR).order_by("pk")
    return plan_loan(
        disbursement_date=loan.disbursement_date,
        maturity_date=loan.maturity_date,
        term_months=loan.term_months,
        risk_level=loan.risk_level,
        borrower_type=loan.borrower.kind,
        guarantor_ids=list(guarantors.values_list("pk", flat=True)),
        calendar=calendar,
        policy=policy,
    )


def policy_preview(
    *, policy_obj: FollowupPolicy, loan: Loan, data: Any, calendar: WorkingCalendar
) -> PolicyPreview:
    """What `loan` would get if `data` were saved as this policy's new version; saves nothing.

    The caller obtained `loan` through portfolio.selectors.loan_for.
    """
    edited = policy_validate(data)
    current = version_policy(active_version(policy_obj))
    governing = governing_policy(loan.product)
    return PolicyPreview(
        loan=loan,
        current=loan_plan(loan=loan, policy=current, calendar=calendar),
        edited=loan_plan(loan=loan, policy=edited, calendar=calendar),
        governed_by=governing if governing and governing.pk != policy_obj.pk else None,
    )
