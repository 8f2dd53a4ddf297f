"""Reminders of visits coming due (in-app and email), N days before the due date."""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.followups.models import Visit
from huifang.followups.models.visits import OPEN_STATUSES
from huifang.notifications.services import notify


def send_visit_reminders(*, on: date, days_before: int | None = None) -> int:
    """One reminder per officer listing their open visits due within the window and not yet reminded.

    Each visit is reminded once (Visit.reminded_at); returns the number of visits reminded.
    """
    days = settings.HUIFANG_REMINDER_DAYS if days_before is None else days_before
    due = (
        Visit.objects.filter(
            status__in=OPEN_STATUSES,
            assignee__isnull=False,
            reminded_at__isnull=True,
            due_date__gte=on,
            due_date__lte=on + timedelta(days=days),
        )
        .select_related("loan", "loan__borrower", "assignee")
        .order_by("assignee_id", "due_date", "pk")
    )
    by_user: dict[int, list[Visit]] = defaultdict(list)
    for visit in due:
        assert visit.assignee_id is not None
        by_user[visit.assignee_id].append(visit)
    count = 0
    for visits in by_user.values():
        user = visits[0].assignee
        assert user is not None
        lines = [
            f"{v.due_date:%m-%d} {v.loan.loan_no} {v.loan.borrower.name} {v.get_kind_display()}"
            f" ({v.get_channel_display()})"
            # Online visits: the officer sends the borrower a one-time link from the visit page
            # (the token is shown once there, never stored or mailed in clear).
            + (
                " " + _("发送线上问卷：%(url)s") % {"url": reverse("visit_detail", args=[v.pk])}
                if v.channel == "online"
                else ""
            )
            for v in visits
        ]
        with transaction.atomic():
            notify(
                user=user,
                kind="visit_reminder",
                title=_("%(count)s 个回访即将到期") % {"count": len(visits)},
                body="\n".join(lines),
                link=reverse("visit_list"),
            )
            Visit.objects.filter(pk__in=[v.pk for v in visits]).update(reminded_at=timezone.now())
        count += len(visits)
    return count
