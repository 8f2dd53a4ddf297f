"""The institution's working-day calendar: its own entries over the official China calendar."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import require
from huifang.accounts.services import client_ip, request_actor
from huifang.followups.calendar import package_official_years
from huifang.followups.models import CalendarEntry
from huifang.followups.services.calendar import (
    calendar_entry_delete,
    calendar_entry_set,
    load_calendar,
)
from huifang.web.forms import CalendarEntryForm

YEARS_SHOWN = 3  # this year and the next two: the ones planning reaches into most


@dataclass(frozen=True)
class YearStatus:
    """Whether a year's holidays are official, and who said so (followup-policy.md, "Working days")."""

    year: int
    provisional: bool
    from_package: bool


def _initial(day: str | None, entries: list[CalendarEntry]) -> dict:
    """The form filled in for ?day=YYYY-MM-DD: that day's entry to change, or a new one."""
    try:
        chosen = date.fromisoformat(day or "")
    except ValueError:
        return {}
    entry = next((e for e in entries if e.day == chosen), None)
    if entry is None:
        return {"day": chosen}
    return {
        "day": chosen,
        "working": "1" if entry.working else "0",
        "notice": entry.notice,
        "note": entry.note,
    }


def calendar_entries(request: HttpRequest) -> HttpResponse:
    require(request.user, "calendar.manage", ip=client_ip(request))
    entries = list(CalendarEntry.objects.select_related("created_by").order_by("day"))
    if request.method == "POST":
        form = CalendarEntryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            calendar_entry_set(
                day=data["day"],
                working=data["working"],
                notice=data["notice"],
                note=data["note"].strip(),
                actor=request_actor(request),
            )
            messages.success(
                request,
                (
                    _("已将 %(day)s 设为工作日。受影响的回访将在下次制定回访计划时重新安排。")
                    if data["working"]
                    else _("已将 %(day)s 设为休息日。受影响的回访将在下次制定回访计划时重新安排。")
                )
                % {"day": data["day"].isoformat()},
            )
            return redirect("calendar_entries")
    else:
        form = CalendarEntryForm(initial=_initial(request.GET.get("day"), entries))
    working_days = load_calendar()
    this_year = timezone.localdate().year
    official = package_official_years()
    return render(
        request,
        "web/calendar_entries.html",
        {
            "form": form,
            "entries": entries,
            # ?day= of an existing entry: the form changes it, and its row is marked.
            "editing": form.initial.get("day") if "working" in form.initial else None,
            "years": [
                YearStatus(
                    year=y,
                    provisional=working_days.is_provisional(y),
                    from_package=y in official,
                )
                for y in range(this_year, this_year + YEARS_SHOWN)
            ],
        },
    )


@require_POST
def calendar_entry_delete_view(request: HttpRequest, day: date) -> HttpResponse:
    require(request.user, "calendar.manage", ip=client_ip(request))
    calendar_entry_delete(day=day, actor=request_actor(request))
    messages.success(
        request,
        _("已删除 %(day)s 的日历条目。受影响的回访将在下次制定回访计划时重新安排。")
        % {"day": day.isoformat()},
    )
    return redirect("calendar_entries")
