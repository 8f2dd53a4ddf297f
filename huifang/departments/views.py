"""Departments' pages: the list with open counts, each queue (待办), and their configuration."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import has_perm, require
from huifang.accounts.services import client_ip, request_actor
from huifang.departments import selectors
from huifang.departments.forms import CLOSE_OUTCOMES, DepartmentCreateForm, DepartmentEditForm
from huifang.departments.models import Department
from huifang.departments.services import (
    department_create,
    department_update,
    task_close,
    task_take,
)
from huifang.lib.forms import add_errors

PER_PAGE = 50


def department_list(request: HttpRequest) -> HttpResponse:
    """Everyone may open it; it lists only the departments whose queues the user sees."""
    departments = list(selectors.department_list(request.user))
    channels: dict[int | None, int] = {}
    manage = has_perm(request.user, "departments.manage")
    if manage:
        from huifang.notifications.selectors import active_channel_counts

        channels = active_channel_counts()
    for department in departments:
        department.channel_count = channels.get(department.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "departments/department_list.html",
        {
            "departments": departments,
            "manage": manage,
            "institution_channels": channels.get(None, 0),
        },
    )


def department_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "departments.manage", ip=client_ip(request))
    form = DepartmentCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department = department_create(
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("部门“%(name)s”已创建。") % {"name": department.name})
            return redirect("department_edit", department.code)
    return render(
        request,
        "departments/department_new.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


def department_edit(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "departments.manage", ip=client_ip(request))
    department = selectors.department_for(request.user, code, ip=client_ip(request))
    initial = {
        "name": department.name,
        "kind": department.kind,
        "active": department.active,
        "head": department.head,
        "members": list(department.members.all()),
    }
    form = DepartmentEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            department_update(
                department=department,
                name=data["name"],
                kind=data["kind"],
                active=data["active"],
                head=data["head"],
                members=list(data["members"]),
                actor=request_actor(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("部门“%(name)s”已保存。") % {"name": data["name"]})
            return redirect("department_list")
    from huifang.notifications.selectors import channels_of

    channels = channels_of(department)
    return render(
        request,
        "departments/department_edit.html",
        {"department": department, "form": form, "channels": channels},
        status=422 if form.errors else 200,
    )


def _queue_context(request: HttpRequest, department: Department, tab: str) -> dict:
    tab = tab if tab in selectors.TABS else "open"
    queue = selectors.department_queue(request.user, department, tab=tab)
    page = Paginator(queue, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "department": department,
        "tab": tab,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "counts": selectors.queue_counts(request.user, department),
        "can_work": selectors.can_work(request.user, department),
        "manage": has_perm(request.user, "departments.manage"),
        "outcomes": CLOSE_OUTCOMES,
        "errors": {},
    }


def department_queue(request: HttpRequest, code: str) -> HttpResponse:
    department = selectors.department_for(request.user, code, ip=client_ip(request))
    context = _queue_context(request, department, request.GET.get("tab", "open"))
    return render(request, "departments/department_queue.html", context)


def _back(code: str, tab: str) -> HttpResponse:
    response = redirect("department_queue", code)
    response["Location"] += f"?tab={tab}"
    return response


@require_POST
def department_task_take(request: HttpRequest, code: str, task_id: int) -> HttpResponse:
    ip = client_ip(request)
    require(request.user, "departments.work", ip=ip)
    department = selectors.department_for(request.user, code, work=True, ip=ip)
    task = selectors.task_for(request.user, department, task_id, ip=ip)
    try:
        user = request.user
        task_take(task=task, user=user, actor=request_actor(request))  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(code, "open")
    messages.success(request, _("已接手：%(title)s") % {"title": task.title})
    return _back(code, "in_progress")


@require_POST
def department_task_close(request: HttpRequest, code: str, task_id: int) -> HttpResponse:
    ip = client_ip(request)
    require(request.user, "departments.work", ip=ip)
    department = selectors.department_for(request.user, code, work=True, ip=ip)
    task = selectors.task_for(request.user, department, task_id, ip=ip)
    tab = "in_progress" if task.status == "in_progress" else "open"
    try:
        task_close(
            task=task,
            user=request.user,  # type: ignore[arg-type]
            actor=request_actor(request),
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        # The queue again, the form of this task showing what is wrong; nothing changed.
        context = _queue_context(request, department, tab)
        context["errors"] = {task.pk: " ".join(exc.messages)}
        context["typed"] = {
            "task": task.pk,
            "note": request.POST.get("note", ""),
            "outcome": request.POST.get("outcome", ""),
        }
        return render(request, "departments/department_queue.html", context, status=422)
    messages.success(request, _("已办结：%(title)s") % {"title": task.title})
    return _back(code, tab)
