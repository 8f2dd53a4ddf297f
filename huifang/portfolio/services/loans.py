"""Changes to one loan made by a person (not an import)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.models import Role, User
from huifang.audit.services import Actor, Change, diff, record
from huifang.portfolio.models import Loan, RiskLevel

EDITABLE = ("risk_level", "officer_id", "purpose")


def loan_update(
    *,
    loan: Loan,
    actor: Actor,
    risk_level: str | None = None,
    officer: User | None | Any = ...,
    purpose: str | None = None,
) -> Loan:
    """Change the risk level, the officer or the declared purpose of a loan the caller may write.

    The caller obtained `loan` through portfolio.selectors.loan_for(user, ..., write=True).
    """
    values: dict[str, Any] = {}
    if risk_level is not None:
        if risk_level not in RiskLevel.values:
            raise ValidationError({"risk_level": _("无效的风险等级")})
        values["risk_level"] = risk_level
    if officer is not ...:
        if officer is not None and (
            officer.role != Role.OFFICER
            or officer.branch_id != loan.branch_id
            or not officer.is_active
        ):
            raise ValidationError({"officer": _("客户经理必须是本机构在职的客户经理")})
        values["officer_id"] = officer.pk if officer else None
    if purpose is not None:
        purpose = purpose.strip()
        if not purpose:
            raise ValidationError({"purpose": _("贷款用途不能为空")})
        values["purpose"] = purpose[:500]
    before_all = {k: getattr(loan, k) for k in values}
    before, after = diff(before_all, values)
    if not after:
        return loan
    with transaction.atomic():
        for name, value in after.items():
            setattr(loan, name, value)
        loan.updated_at = timezone.now()
        fields = [*after, "updated_at"]
        if "risk_level" in after:
            loan.plan_changed_at = loan.updated_at  # the follow-up plan depends on the risk level
            fields.append("plan_changed_at")
        loan.save(update_fields=fields)
        record(
            actor,
            Change(
                action="update",
                object_type="portfolio.loan",
                object_id=loan.loan_no,
                summary=loan.loan_no,
                before=before,
                after=after,
            ),
        )
    return loan
