"""The departments pages: the list, a queue with its tabs, taking and closing, configuring."""

from huifang.accounts.models import Role
from huifang.audit.models import AuditEvent
from huifang.departments.models import Department, Task, TaskStatus


def test_a_member_sees_their_departments_queue_within_their_branches(queue, client):
    # given officer_a, in branch A, a member of collections
    client.force_login(queue[Role.OFFICER])

    # the list shows their department with the open count they can see (A's task and the general)
    page = client.get("/departments/").content.decode()
    assert "催收部" in page and "风险管理部" not in page
    assert 'href="/departments/collections/"' in page

    # the queue shows branch A's task and the general one, never branch B's loan
    page = client.get("/departments/collections/").content.decode()
    assert "A-0001 还款意愿差" in page and "整理本月催收台账" in page
    assert "B-0001" not in page

    # and branch B's task cannot be taken by address either
    task_b = queue["tasks"]["b"]
    response = client.post(f"/departments/collections/tasks/{task_b.pk}/take/")
    assert response.status_code == 403
    assert Task.objects.get(pk=task_b.pk).status == TaskStatus.OPEN
    assert AuditEvent.objects.filter(
        action="access_denied", object_type="departments.task"
    ).exists()


def test_a_non_member_sees_no_queue(queue, client):
    client.force_login(queue[Role.REVIEWER])
    page = client.get("/departments/").content.decode()
    assert "您还不是任何部门的成员" in page
    assert client.get("/departments/collections/").status_code == 403


def test_risk_managers_and_auditors_see_every_queue_auditors_only_read(queue, client):
    client.force_login(queue[Role.AUDITOR])
    page = client.get("/departments/collections/").content.decode()
    assert "B-0001 逾期" in page and "接手" not in page and "只读" in page
    client.force_login(queue[Role.RISK_MANAGER])
    page = client.get("/departments/").content.decode()
    for name in ("风险管理部", "授信审批部", "催收部", "客户服务部"):
        assert name in page
    assert "接手" in client.get("/departments/collections/").content.decode()


def test_take_then_close_through_the_queue_page(queue, client):
    client.force_login(queue[Role.OFFICER])
    task = queue["tasks"]["a"]

    response = client.post(f"/departments/collections/tasks/{task.pk}/take/")
    assert response.status_code == 302 and response["Location"].endswith("?tab=in_progress")
    page = client.get("/departments/collections/?tab=in_progress").content.decode()
    assert "A-0001 还款意愿差" in page

    # closing without a note: the queue again, saying what is missing, nothing changed
    response = client.post(
        f"/departments/collections/tasks/{task.pk}/close/", {"outcome": "done", "note": ""}
    )
    assert response.status_code == 422
    assert "请填写处理说明" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS

    response = client.post(
        f"/departments/collections/tasks/{task.pk}/close/",
        {"outcome": "done", "note": "借款人已还清逾期部分"},
        follow=True,
    )
    assert "已办结：A-0001 还款意愿差" in response.content.decode()
    page = client.get("/departments/collections/?tab=closed").content.decode()
    assert "借款人已还清逾期部分" in page and "已完成" in page


def test_admin_configures_members_and_head(queue, client):
    client.force_login(queue[Role.ADMIN])
    reviewer, officer = queue[Role.REVIEWER], queue[Role.OFFICER]

    response = client.post(
        "/departments/risk/edit/",
        {
            "name": "风险管理部",
            "kind": "risk",
            "active": "on",
            "head": reviewer.pk,
            "members": [officer.pk],
        },
    )
    assert response.status_code == 302
    risk = Department.objects.get(code="risk")
    assert risk.head == reviewer
    assert set(risk.members.all()) == {officer, reviewer}  # the head is always a member
    event = AuditEvent.objects.get(action="update", object_type="departments.department")
    assert event.after["members"] == sorted([officer.username, reviewer.username])

    # the reviewer now sees the risk queue
    client.force_login(reviewer)
    assert client.get("/departments/risk/").status_code == 200


def test_admin_cannot_make_an_auditor_a_member(queue, client):
    client.force_login(queue[Role.ADMIN])
    response = client.post(
        "/departments/risk/edit/",
        {"name": "风险管理部", "kind": "risk", "active": "on", "members": [queue[Role.AUDITOR].pk]},
    )
    assert response.status_code == 422
    assert not Department.objects.get(code="risk").members.exists()


def test_admin_adds_a_department_with_a_valid_code(queue, client):
    client.force_login(queue[Role.ADMIN])
    response = client.post(
        "/departments/new/", {"code": "new", "name": "法律事务部", "kind": "other"}
    )
    assert response.status_code == 422 and "部门代码须为" in response.content.decode()
    response = client.post(
        "/departments/new/", {"code": "legal", "name": "法律事务部", "kind": "other"}
    )
    assert response.status_code == 302 and response["Location"] == "/departments/legal/edit/"
    assert Department.objects.get(code="legal").name == "法律事务部"
