"""Follow-up visits: my due list, the branch's open visits with reassignment, the month calendar."""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import branch_scope, has_perm, require
from huifang.accounts.models import Branch, User
from huifang.accounts.services import client_ip, request_actor
from huifang.followups.models import Visit
from huifang.followups.models.visits import OPEN_STATUSES
from huifang.followups.selectors import branch_officers, visit_for, visits_due_for, visits_for
from huifang.followups.services.calendar import load_calendar
from huifang.followups.services.visits import visit_assign
from huifang.web.forms import BranchVisitFilterForm, VisitAssignForm, VisitFilterForm

DUE_DAYS = 7  # 我的回访 looks a week ahead
BRANCH_WINDOW_DAYS = 14  # the branch list's default: overdue and the next two weeks
BRANCH_VISITS_PER_PAGE = 50
LOANS_PER_DAY = 3  # contract numbers shown in a calendar day
MONTHS = (1950, 2100)  # the years the working-day calendar knows


def visit_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "loan.read", ip=client_ip(request))
    today = timezone.localdate()
    form = VisitFilterForm(request.GET)
    due = visits_due_for(user=request.user, on=today, days=DUE_DAYS)
    overdue, due_today, upcoming = (
        list(form.filter(due[name])) for name in ("overdue", "today", "upcoming")
    )
    return render(
        request,
        "web/visit_list.html",
        {
            "form": form,
            "overdue": overdue,
            "due_today": due_today,
            "upcoming": upcoming,
            "today": today,
            "horizon": today + timedelta(days=DUE_DAYS),
            "filtered": any(request.GET.get(name) for name in form.fields),
        },
    )


def _officers_of(branch_ids: list[int]) -> QuerySet[User]:
    """The active officers of these branches, in one query."""
    officers = reduce(or_, (branch_officers(b) for b in branch_ids), User.objects.none())
    return officers.select_related("branch")


@dataclass(frozen=True)
class AssignRow:
    """A visit of the branch list with the officers it may be given to."""

    visit: Visit
    officers: list[User]
    overdue: bool

    @property
    def stray_assignee(self) -> bool:
        """Held by someone no longer among its branch's officers (left, or moved)."""
        assignee_id = self.visit.assignee_id
        return assignee_id is not None and all(o.pk != assignee_id for o in self.officers)


@dataclass(frozen=True)
class Workload:
    assignee_id: int | None
    name: str
    open: int
    overdue: int


def _workload(visits: QuerySet[Visit], today: date) -> list[Workload]:
    rows = (
        visits.order_by()
        .values("assignee_id", "assignee__display_name", "assignee__username")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    )
    loads = [
        Workload(
            assignee_id=r["assignee_id"],
            name=r["assignee__display_name"] or r["assignee__username"] or "",
            open=r["open"],
            overdue=r["overdue"],
        )
        for r in rows
    ]
    # Officers by name, then the visits nobody holds, which need a decision most.
    return sorted(loads, key=lambda w: (w.assignee_id is None, w.name))


def visit_branch(request: HttpRequest) -> HttpResponse:
    require(request.user, "visits.assign", ip=client_ip(request))
    today = timezone.localdate()
    scope = branch_scope(request.user)
    branches = list(Branch.objects.all() if scope is None else Branch.objects.filter(pk__in=scope))
    officers = list(_officers_of([b.pk for b in branches]))
    params = request.GET.copy()
    if "date_to" not in params:
        params["date_to"] = (today + timedelta(days=BRANCH_WINDOW_DAYS)).isoformat()
    form = BranchVisitFilterForm(params, branches=branches, officers=officers)
    open_visits = visits_for(request.user).filter(status__in=OPEN_STATUSES)
    visits = (
        form.filter(open_visits)
        .select_related("loan", "loan__borrower", "party", "assignee", "branch")
        .order_by("due_date", "pk")
    )
    page = Paginator(visits, BRANCH_VISITS_PER_PAGE).get_page(request.GET.get("page"))
    by_branch: dict[int | None, list[User]] = defaultdict(list)
    for officer in officers:
        by_branch[officer.branch_id].append(officer)
    rows = [
        AssignRow(visit=v, officers=by_branch[v.branch_id], overdue=v.due_date < today)
        for v in page.object_list
    ]
    chosen_branch = form.cleaned_data.get("branch")
    workload = _workload(
        open_visits.filter(branch_id=chosen_branch) if chosen_branch else open_visits, today
    )
    return render(
        request,
        "web/visit_branch.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "rows": rows,
            "overdue_count": visits.filter(due_date__lt=today).count(),
            "workload": workload,
            "workload_total": {
                "open": sum(w.open for w in workload),
                "overdue": sum(w.overdue for w in workload),
            },
            "several_branches": len(branches) > 1,
            "today": today,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def _back(request: HttpRequest) -> str:
    """Where the reassign form came from (the filtered, paged list), if it is this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("visit_branch")


@require_POST
def visit_assign_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request.user, visit_id, assign=True, ip=client_ip(request))
    form = VisitAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_back(request))
    assignee = form.cleaned_data["assignee"]
    what = {"no": visit.loan.loan_no, "kind": visit.get_kind_display(), "date": visit.due_date}
    if visit.assignee_id == (assignee.pk if assignee else None):
        messages.info(request, _("%(no)s 的%(kind)s（%(date)s）负责人没有变化。") % what)
        return redirect(_back(request))
    try:
        visit_assign(visit=visit, assignee=assignee, actor=request_actor(request))
    except ValidationError as exc:
        messages.error(
            request,
            _("%(no)s 的%(kind)s（%(date)s）未能改派：%(reason)s")
            % {**what, "reason": "；".join(exc.messages)},
        )
    else:
        if assignee:
            messages.success(
                request,
                _("已将 %(no)s 的%(kind)s（%(date)s）改派给 %(name)s。")
                % {**what, "name": str(assignee)},
            )
        else:
            messages.success(request, _("已取消 %(no)s 的%(kind)s（%(date)s）的分派。") % what)
    return redirect(_back(request))


@dataclass(frozen=True)
class DayCell:
    """One day of the month grid."""

    day: date
    in_month: bool
    working: bool
    is_today: bool
    count: int
    loan_nos: list[str]
    more: int
    overdue: bool


def _month(value: str | None, today: date) -> date:
    """The first day of ?month=YYYY-MM, or of this month when absent or not a month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if MONTHS[0] <= year <= MONTHS[1]:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _shift(first: date, months: int) -> date | None:
    index = first.year * 12 + first.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, 1) if MONTHS[0] <= year <= MONTHS[1] else None


def visit_calendar(request: HttpRequest) -> HttpResponse:
    require(request.user, "loan.read", ip=client_ip(request))
    today = timezone.localdate()
    first = _month(request.GET.get("month"), today)
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(
        first.year, first.month
    )
    can_branch = has_perm(request.user, "visits.assign")
    scope = request.GET.get("scope")
    scope = scope if can_branch and scope in ("mine", "branch") else None
    scope = scope or ("branch" if can_branch else "mine")

    visits = visits_for(request.user).filter(
        status__in=OPEN_STATUSES, due_date__range=(weeks[0][0], weeks[-1][-1])
    )
    if scope == "mine":
        visits = visits.filter(assignee_id=request.user.pk)
    counts = dict(
        visits.order_by().values("due_date").annotate(n=Count("pk")).values_list("due_date", "n")
    )
    # The first few visits of each day, by contract number, in one query.
    firsts = (
        visits.annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("due_date")],
                order_by=[F("loan__loan_no").asc(), F("pk").asc()],
            )
        )
        .filter(place__lte=LOANS_PER_DAY)
        .order_by("due_date", "place")
        .values_list("due_date", "loan__loan_no")
    )
    shown: dict[date, list[str]] = defaultdict(list)
    for day, loan_no in firsts:
        shown[day].append(loan_no)

    working_days = load_calendar()
    grid = [
        [
            DayCell(
                day=day,
                in_month=day.month == first.month,
                working=working_days.is_working_day(day),
                is_today=day == today,
                count=counts.get(day, 0),
                # A borrower and a guarantor of one loan may be due the same day: one number.
                loan_nos=list(dict.fromkeys(shown[day])),
                more=counts.get(day, 0) - len(shown[day]),
                overdue=day < today and day in counts,
            )
            for day in week
        ]
        for week in weeks
    ]
    month_total = sum(n for day, n in counts.items() if day.month == first.month)
    previous, following = _shift(first, -1), _shift(first, 1)
    return render(
        request,
        "web/visit_calendar.html",
        {
            "first": first,
            "grid": grid,
            "month_total": month_total,
            "previous": previous.strftime("%Y-%m") if previous else "",
            "next": following.strftime("%Y-%m") if following else "",
            "this_month": today.strftime("%Y-%m"),
            "provisional": working_days.is_provisional(first.year),
            "scope": scope,
            "can_branch": can_branch,
        },
    )
