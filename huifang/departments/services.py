"""Departments' writes: configuring them, their queues' tasks, and telling their members.

Keyword-only, one transaction each, the audit event inside it. Access is the
caller's business (selectors.department_for / task_for); the rules of the work
itself (who may close what, a note to close) are checked here.
"""

import logging
import re
from datetime import date
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import PERMISSIONS, has_perm
from huifang.accounts.models import User
from huifang.audit.services import Actor, Change, diff, record
from huifang.departments.models import (
    OPEN_STATUSES,
    Department,
    DepartmentKind,
    Task,
    TaskStatus,
)

log = logging.getLogger(__name__)

_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
# Path words of the departments pages, so never a department's code.
RESERVED_CODES = {"new", "tasks"}


def eligible_members() -> Any:
    """Active users whose role works department queues."""
    return User.objects.filter(is_active=True, role__in=PERMISSIONS["departments.work"]).order_by(
        "username"
    )


# --- configuring (admins) ---------------------------------------------------------------------


def _state(department: Department, members: list[str] | None = None) -> dict[str, Any]:
    if members is None:
        members = sorted(department.members.values_list("username", flat=True))
    return {
        "code": department.code,
        "name": department.name,
        "kind": department.kind,
        "active": department.active,
        "head": department.head.username if department.head else None,
        "members": members,
    }


def _check_name_kind(*, name: str, kind: str, exclude: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写部门名称。")]
    elif len(name) > 50:
        errors["name"] = [_("部门名称不能超过 50 个字符。")]
    elif Department.objects.filter(name=name).exclude(pk=exclude or 0).exists():
        errors["name"] = [_("部门“%(name)s”已存在。") % {"name": name}]
    if kind not in DepartmentKind.values:
        errors["kind"] = [_("请选择部门职能。")]
    return errors


def department_create(*, code: str, name: str, kind: str, actor: Actor) -> Department:
    code, name = code.strip().lower(), name.strip()
    errors = _check_name_kind(name=name, kind=kind)
    if not _CODE.match(code) or code in RESERVED_CODES:
        errors["code"] = [
            _(
                "部门代码须为 2–32 位小写字母、数字、下划线或连字符，以字母开头（不能是 new、tasks）。"
            )
        ]
    elif Department.objects.filter(code=code).exists():
        errors["code"] = [_("部门代码“%(code)s”已被使用。") % {"code": code}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        department = Department.objects.create(code=code, name=name, kind=kind)
        record(
            actor,
            Change(
                action="create",
                object_type="departments.department",
                object_id=code,
                summary=name,
                after=_state(department, []),
            ),
        )
    return department


def department_update(
    *,
    department: Department,
    name: str,
    kind: str,
    active: bool,
    head: User | None,
    members: list[User],
    actor: Actor,
) -> Department:
    """Change a department; its head is always one of its members."""
    name = name.strip()
    errors = _check_name_kind(name=name, kind=kind, exclude=department.pk)
    allowed = set(eligible_members().values_list("pk", flat=True))
    outsiders = [u.username for u in [*members, *([head] if head else [])] if u.pk not in allowed]
    if outsiders:
        errors["members"] = [
            _("%(users)s 的角色不处理部门待办（或账户已停用），不能加入部门。")
            % {"users": "、".join(sorted(set(outsiders)))}
        ]
    if errors:
        raise ValidationError(errors)
    member_set = {u.pk: u for u in members}
    if head is not None:
        member_set[head.pk] = head
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        before = _state(locked)
        locked.name, locked.kind, locked.active, locked.head = name, kind, active, head
        locked.save(update_fields=["name", "kind", "active", "head"])
        locked.members.set(member_set.values())
        old, new = diff(before, _state(locked, sorted(u.username for u in member_set.values())))
        if new:
            record(
                actor,
                Change(
                    action="update",
                    object_type="departments.department",
                    object_id=locked.code,
                    summary=locked.name,
                    before=old,
                    after=new,
                ),
            )
    return locked


# --- the queue --------------------------------------------------------------------------------


def _task_state(task: Task) -> dict[str, Any]:
    return {
        "department": task.department.code,
        "title": task.title,
        "loan": task.loan.loan_no if task.loan else None,
        "source": f"{task.source_type}:{task.source_id}" if task.source_type else None,
        "status": task.status,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "assigned_to": task.assigned_to.username if task.assigned_to else None,
        "note": task.note,
    }


def department_task_create(
    *,
    department: str,
    title: str,
    body: str = "",
    loan: Any = None,
    source_type: str = "",
    source_id: str = "",
    due_date: date | None = None,
    actor: Actor,
) -> Task:
    """Put a task in a department's queue (by the department's code); the system or a person.

    The same source (source_type, source_id) has at most one open task per department:
    asking again returns that task unchanged. Nobody is told here; see department_notify.
    """
    title, source_type, source_id = title.strip(), source_type.strip(), str(source_id).strip()
    dept = Department.objects.filter(code=department).first()
    errors: dict[str, list[str]] = {}
    if dept is None:
        errors["department"] = [_("没有代码为“%(code)s”的部门。") % {"code": department}]
    if not title:
        errors["title"] = [_("请填写待办事项。")]
    elif len(title) > 200:
        errors["title"] = [_("待办事项不能超过 200 个字符。")]
    if len(source_type) > 40 or len(source_id) > 64:
        errors["source_type"] = [_("来源类型或编号过长。")]
    if errors:
        raise ValidationError(errors)
    assert dept is not None
    with transaction.atomic():
        if source_type:
            existing = (
                Task.objects.select_for_update()
                .filter(
                    department=dept,
                    source_type=source_type,
                    source_id=source_id,
                    status__in=OPEN_STATUSES,
                )
                .first()
            )
            if existing is not None:
                return existing
        now = timezone.now()
        task = Task.objects.create(
            department=dept,
            title=title,
            body=body,
            loan=loan,
            source_type=source_type,
            source_id=source_id,
            due_date=due_date,
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        record(
            actor,
            Change(
                action="create",
                object_type="departments.task",
                object_id=str(task.pk),
                summary=f"{dept.name}：{title}"[:300],
                after=_task_state(task),
            ),
        )
    return task


def _may_close_others(user: User, department: Department) -> bool:
    return department.head_id == user.pk or has_perm(user, "warning.manage")


def task_take(*, task: Task, user: User, actor: Actor) -> Task:
    """A member takes an open task: it is theirs, in progress."""
    with transaction.atomic():
        locked = (
            Task.objects.select_for_update(of=("self",))
            .select_related("department", "loan")
            .get(pk=task.pk)
        )
        if locked.status != TaskStatus.OPEN:
            who = locked.assigned_to.username if locked.assigned_to else "—"
            raise ValidationError(
                _("这项待办已不是待处理状态（当前：%(status)s，处理人：%(who)s）。")
                % {"status": locked.get_status_display(), "who": who}
            )
        before = _task_state(locked)
        now = timezone.now()
        locked.status, locked.assigned_to = TaskStatus.IN_PROGRESS, user
        locked.taken_at = locked.updated_at = now
        locked.save(update_fields=["status", "assigned_to", "taken_at", "updated_at"])
        old, new = diff(before, _task_state(locked))
        record(
            actor,
            Change(
                action="take",
                object_type="departments.task",
                object_id=str(locked.pk),
                summary=locked.title,
                before=old,
                after=new,
            ),
        )
    return locked


def task_close(*, task: Task, user: User, actor: Actor, outcome: str, note: str) -> Task:
    """Close a task as done or cancelled, with a note saying what was done or why not.

    A task someone else has taken is closed by them, the department's head or a risk manager.
    """
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if outcome not in (TaskStatus.DONE, TaskStatus.CANCELLED):
        errors["outcome"] = [_("请选择办结结果：已完成或已取消。")]
    if not note:
        errors["note"] = [_("请填写处理说明：做了什么，或为什么取消。")]
    elif len(note) > 2000:
        errors["note"] = [_("处理说明不能超过 2000 个字符。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = (
            Task.objects.select_for_update(of=("self",))
            .select_related("department", "loan")
            .get(pk=task.pk)
        )
        if locked.status not in OPEN_STATUSES:
            raise ValidationError(
                _("这项待办已办结（%(status)s），不能再次办结。")
                % {"status": locked.get_status_display()}
            )
        if locked.assigned_to_id not in (None, user.pk) and not _may_close_others(
            user, locked.department
        ):
            raise ValidationError(
                _("这项待办由 %(who)s 处理中，只有处理人、部门负责人或风险经理可以办结。")
                % {"who": locked.assigned_to}
            )
        before = _task_state(locked)
        now = timezone.now()
        locked.status, locked.note, locked.closed_by = outcome, note, user
        locked.closed_at = locked.updated_at = now
        if locked.assigned_to_id is None:
            locked.assigned_to = user
        locked.save(
            update_fields=["status", "note", "closed_by", "closed_at", "updated_at", "assigned_to"]
        )
        old, new = diff(before, _task_state(locked))
        record(
            actor,
            Change(
                action="close",
                object_type="departments.task",
                object_id=str(locked.pk),
                summary=locked.title,
                before=old,
                after=new,
            ),
        )
    return locked


# --- telling people ---------------------------------------------------------------------------


def department_notify(
    *, department: str, title: str, body: str = "", link: str = "", urgent: bool = False
) -> None:
    """Tell a department (by code): its members' inboxes and email, and its group robots.

    Robot messages are queued in the caller's transaction and sent by the every-minute
    task with retries; `urgent` also tries them at once after the commit. No delivery
    failure ever raises here or undoes the caller's work. An unknown or inactive
    department's notice goes to risk management rather than nowhere.
    """
    from huifang.notifications.deliveries import (
        channels_for,
        deliveries_queue,
        deliveries_send_now,
    )
    from huifang.notifications.services import notify

    dept = Department.objects.filter(code=department, active=True).first()
    if dept is None:
        log.warning("department %r unknown or inactive; notifying risk management", department)
        dept = Department.objects.filter(code=DepartmentKind.RISK, active=True).first()
        if dept is None:
            log.error("no active risk department: notice %r not delivered", title)
            return
    heading = f"{dept.name}：{title}"
    with transaction.atomic():
        for member in dept.members.filter(is_active=True).order_by("pk"):
            notify(user=member, kind="department", title=heading, body=body, link=link)
        deliveries = deliveries_queue(
            channels=channels_for(dept), title=heading, body=body, link=link
        )
    if urgent and deliveries:
        transaction.on_commit(partial(deliveries_send_now, [d.pk for d in deliveries]), robust=True)
