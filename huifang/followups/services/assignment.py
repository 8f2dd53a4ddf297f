"""Who does each visit: the loan's officer, or a colleague when the officer is away or full.

Issue "Assignment": the loan's officer by default; when that officer is absent
or over the daily capacity, the branch's officers share the work by open
workload (the least loaded first).
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import Count

from huifang.accounts.models import Role, User
from huifang.followups.models import Absence, Visit
from huifang.followups.models.visits import OPEN_STATUSES


class Assigner:
    """Assignment state for one planning run: loaded once, updated as visits are assigned."""

    def __init__(self, *, capacity: int | None = None) -> None:
        self.capacity = capacity or settings.HUIFANG_DAILY_VISIT_CAPACITY
        self.officers_by_branch: dict[int, list[int]] = defaultdict(list)
        self.active: set[int] = set()
        for pk, branch_id in User.objects.filter(role=Role.OFFICER, is_active=True).values_list(
            "pk", "branch_id"
        ):
            self.active.add(pk)
            if branch_id is not None:
                self.officers_by_branch[branch_id].append(pk)
        self.absent: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for user_id, start, end in Absence.objects.values_list("user_id", "start", "end"):
            self.absent[user_id].append((start, end))
        self.per_day: dict[tuple[int, date], int] = defaultdict(int)
        self.workload: dict[int, int] = defaultdict(int)
        open_visits = Visit.objects.filter(status__in=OPEN_STATUSES, assignee__isnull=False)
        for user_id, day, count in open_visits.values_list("assignee_id", "due_date").annotate(
            n=Count("id")
        ):
            self.per_day[(user_id, day)] += count
            self.workload[user_id] += count

    def available(self, user_id: int, day: date) -> bool:
        return user_id in self.active and not any(
            s <= day <= e for s, e in self.absent.get(user_id, ())
        )

    def assign(self, *, officer_id: int | None, branch_id: int, day: date) -> int | None:
        choice = officer_id
        if (
            officer_id is None
            or not self.available(officer_id, day)
            or self.per_day[(officer_id, day)] >= self.capacity
        ):
            colleagues = [
                u for u in self.officers_by_branch.get(branch_id, ()) if self.available(u, day)
            ]
            if colleagues:
                # Under capacity first, then the least open work, then the fewest that day.
                choice = min(
                    colleagues,
                    key=lambda u: (
                        self.per_day[(u, day)] >= self.capacity,
                        self.workload[u],
                        self.per_day[(u, day)],
                        u,
                    ),
                )
            elif (
                officer_id is not None
                and officer_id in self.active
                and self.available(officer_id, day)
            ):
                choice = officer_id  # over capacity, but nobody else can take it
            else:
                choice = None  # nobody available: the branch's supervisors see it unassigned
        if choice is not None:
            self.per_day[(choice, day)] += 1
            self.workload[choice] += 1
        return choice

    def release(self, user_id: int | None, day: date) -> None:
        if user_id is not None:
            self.per_day[(user_id, day)] -= 1
            self.workload[user_id] -= 1
