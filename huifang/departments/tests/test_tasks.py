"""A department's queue: tasks created by the system or people, taken, closed with a note."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from huifang.accounts.models import Role, User
from huifang.audit.models import AuditEvent
from huifang.audit.services import Actor, actor_for
from huifang.departments.models import Department, Task, TaskStatus
from huifang.departments.services import (
    department_notify,
    department_task_create,
    task_close,
    task_take,
)
from huifang.notifications.deliveries import channel_create
from huifang.notifications.models import Delivery, DeliveryStatus, Notification
from huifang.notifications.tests.receiver import dead_url, robot_server

SYSTEM = Actor(user_id=None, name="system", via="task")


def test_the_system_puts_a_task_in_a_queue_once_per_source(queue):
    task = queue["tasks"]["a"]
    assert task.status == TaskStatus.OPEN and task.created_by is None
    assert task.department.code == "collections"
    assert AuditEvent.objects.filter(
        action="create", object_type="departments.task", object_id=str(task.pk)
    ).exists()

    # asking again for the same warning gives the same open task
    again = department_task_create(
        department="collections",
        title="另一个标题",
        source_type="risk.warning",
        source_id="1",
        actor=SYSTEM,
    )
    assert again.pk == task.pk and Task.objects.filter(source_id="1").count() == 1


def test_an_unknown_department_is_named(db):
    with pytest.raises(ValidationError) as exc:
        department_task_create(department="legal", title="起诉准备", actor=SYSTEM)
    assert "没有代码为“legal”的部门" in str(exc.value)


def test_a_member_takes_and_closes_a_task_with_a_note(queue):
    officer = queue[Role.OFFICER]
    task = queue["tasks"]["a"]

    taken = task_take(task=task, user=officer, actor=actor_for(officer))
    assert taken.status == TaskStatus.IN_PROGRESS and taken.assigned_to == officer

    with pytest.raises(ValidationError) as exc:
        task_take(task=task, user=officer, actor=actor_for(officer))
    assert "已不是待处理状态" in str(exc.value)

    with pytest.raises(ValidationError) as exc:
        task_close(task=task, user=officer, actor=actor_for(officer), outcome="done", note="  ")
    assert "请填写处理说明" in str(exc.value)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS

    closed = task_close(
        task=task,
        user=officer,
        actor=actor_for(officer),
        outcome="done",
        note="已上门催收，承诺下周还款",
    )
    assert closed.status == TaskStatus.DONE and closed.closed_by == officer and closed.closed_at
    actions = list(
        AuditEvent.objects.filter(object_type="departments.task", object_id=str(task.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "take", "close"]

    with pytest.raises(ValidationError):
        task_close(task=task, user=officer, actor=actor_for(officer), outcome="cancelled", note="x")


def test_a_task_taken_by_one_member_is_closed_by_them_or_the_head(queue):
    officer = queue[Role.OFFICER]
    colleague = User.objects.create_user(
        "officer_a3", password="x-Pass-2026", role=Role.OFFICER, branch=officer.branch
    )
    head = User.objects.create_user(
        "head_c", password="x-Pass-2026", role=Role.REVIEWER, branch=None
    )
    department = queue["department"]
    department.members.add(colleague, head)
    department.head = head
    department.save()
    task = task_take(task=queue["tasks"]["general"], user=officer, actor=actor_for(officer))

    with pytest.raises(ValidationError) as exc:
        task_close(task=task, user=colleague, actor=actor_for(colleague), outcome="done", note="好")
    assert "只有处理人、部门负责人或风险经理可以办结" in str(exc.value)

    closed = task_close(
        task=task, user=head, actor=actor_for(head), outcome="cancelled", note="与另一待办重复"
    )
    assert closed.status == TaskStatus.CANCELLED and closed.note == "与另一待办重复"


def test_notifying_a_department_reaches_its_members_and_its_robots(queue, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = queue[Role.OFFICER]
    officer.email = "officer@example.invalid"
    officer.save()
    own = channel_create(
        kind="wecom", name="催收群", url=dead_url(), department=queue["department"], actor=SYSTEM
    )
    everyone = channel_create(kind="wecom", name="全行群", url=dead_url(), actor=SYSTEM)
    channel_create(
        kind="wecom", name="客服群", url=dead_url(), actor=SYSTEM, department=None, active=False
    )
    channel_create(
        kind="wecom",
        name="风险群",
        url=dead_url(),
        actor=SYSTEM,
        department=Department.objects.get(code="risk"),
    )

    department_notify(
        department="collections",
        title="新的催收待办",
        body="B-0001 逾期",
        link="/departments/collections/",
    )

    note = Notification.objects.get(user=officer)
    assert note.title == "催收部：新的催收待办" and note.link == "/departments/collections/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.invalid"]
    assert set(Delivery.objects.values_list("channel_id", flat=True)) == {own.pk, everyone.pk}
    # not urgent: queued for the every-minute sender, nothing tried yet
    assert set(Delivery.objects.values_list("status", "attempts")) == {("pending", 0)}


def test_an_urgent_notice_is_sent_right_after_the_commit(queue, django_capture_on_commit_callbacks):
    with robot_server() as robot:
        channel_create(
            kind="wecom",
            name="催收群",
            url=robot.url(),
            department=queue["department"],
            actor=SYSTEM,
        )
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                department_notify(department="collections", title="红色预警", urgent=True)
                assert robot.requests == []  # nothing leaves before the commit

    assert len(robot.requests) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_dead_robot_never_undoes_or_blocks_the_action_that_notified(
    queue, django_capture_on_commit_callbacks
):
    # given the department's robot is unreachable, and another's key cannot be decrypted
    channel_create(
        kind="wecom", name="催收群", url=dead_url(), department=queue["department"], actor=SYSTEM
    )
    broken = channel_create(kind="wecom", name="旧群", url=dead_url(), actor=SYSTEM)
    type(broken).objects.filter(pk=broken.pk).update(url_encrypted="gAAAA-not-a-token")

    # when a warning creates a task and notifies urgently, in one transaction
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            task = department_task_create(
                department="collections", title="红色预警：立即催收", actor=SYSTEM
            )
            department_notify(department="collections", title="红色预警：立即催收", urgent=True)

    # then the task is there, and the messages wait for their retries with the error recorded
    assert Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).exists()
    deliveries = list(Delivery.objects.order_by("id"))
    assert [d.status for d in deliveries] == ["pending", "pending"]
    assert all(d.attempts == 1 and d.last_error for d in deliveries)


def test_a_notice_for_an_unknown_department_goes_to_risk_management(queue):
    risk_manager = queue[Role.RISK_MANAGER]
    Department.objects.get(code="risk").members.add(risk_manager)
    department_notify(department="no-such", title="未知部门的通知")
    assert Notification.objects.get(user=risk_manager).title == "风险管理部：未知部门的通知"
