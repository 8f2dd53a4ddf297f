"""The departments API: the list, one department, its queue, take and close."""

from huifang.accounts.models import Role
from huifang.departments.models import Task, TaskStatus


def test_a_member_lists_works_and_closes_tasks_through_the_api(queue, client):
    client.force_login(queue[Role.OFFICER])

    departments = client.get("/api/v1/departments").json()
    assert [(d["code"], d["open"]) for d in departments] == [("collections", 2)]

    detail = client.get("/api/v1/departments/collections").json()
    assert detail["members"] == ["officer_a"] and detail["open"] == 2

    items = client.get("/api/v1/departments/collections/tasks").json()["items"]
    assert {i["title"] for i in items} == {"A-0001 还款意愿差，安排催收", "整理本月催收台账"}
    task = queue["tasks"]["a"]
    assert next(i for i in items if i["id"] == task.pk)["loan_no"] == "A-0001"

    taken = client.post(f"/api/v1/departments/collections/tasks/{task.pk}/take").json()
    assert taken["status"] == "in_progress" and taken["assigned_to"] == "officer_a"

    response = client.post(
        f"/api/v1/departments/collections/tasks/{task.pk}/close",
        {"outcome": "finished", "note": ""},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(response.json()["detail"]) == {"outcome", "note"}
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS

    closed = client.post(
        f"/api/v1/departments/collections/tasks/{task.pk}/close",
        {"outcome": "done", "note": "已联系借款人"},
        content_type="application/json",
    ).json()
    assert closed["status"] == "done" and closed["note"] == "已联系借款人"
    closed_items = client.get("/api/v1/departments/collections/tasks?status=closed").json()["items"]
    assert [i["id"] for i in closed_items] == [task.pk]


def test_branch_bs_task_is_out_of_an_officers_reach(queue, client):
    client.force_login(queue[Role.OFFICER])
    task_b = queue["tasks"]["b"]
    response = client.post(f"/api/v1/departments/collections/tasks/{task_b.pk}/take")
    assert response.status_code == 403
