"""Changes to visits made by people: reassignment (supervisors)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.models import Role, User
from huifang.audit.services import Actor, Change, record
from huifang.followups.models import Visit
from huifang.followups.models.visits import OPEN_STATUSES


def visit_assign(*, visit: Visit, assignee: User | None, actor: Actor) -> Visit:
    """Give an open visit to another officer of its branch (or to nobody). Audited.

    The caller obtained `visit` through followups.selectors.visit_for(user, id, assign=True).
    """
    if visit.status not in OPEN_STATUSES:
        raise ValidationError({"assignee": _("只能改派未完成的回访")})
    if assignee is not None and (
        assignee.role != Role.OFFICER
        or not assignee.is_active
        or assignee.branch_id != visit.branch_id
    ):
        raise ValidationError({"assignee": _("只能改派给本机构在职的客户经理")})
    if visit.assignee_id == (assignee.pk if assignee else None):
        return visit
    with transaction.atomic():
        before = {"assignee": visit.assignee.username if visit.assignee else None}
        visit.assignee = assignee
        visit.updated_at = timezone.now()
        visit.save(update_fields=["assignee", "updated_at"])
        record(
            actor,
            Change(
                action="assign",
                object_type="followups.visit",
                object_id=str(visit.pk),
                summary=f"{visit.loan.loan_no} {visit.get_kind_display()} {visit.due_date}",
                before=before,
                after={"assignee": assignee.username if assignee else None},
            ),
        )
    return visit
