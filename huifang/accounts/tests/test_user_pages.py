"""Admins manage users and branches in the browser; every change is audited, no password is."""

import pytest
from django.test import Client

from huifang.accounts.models import Branch, Role, User
from huifang.audit.models import AuditEvent

PASSWORD = "Huifang-users-2026"
NEW_PASSWORD = "Qiuyu-harbour-4817"


@pytest.fixture
def branch(db):
    return Branch.objects.create(name="甲分行", code="A01")


@pytest.fixture
def admin(branch):
    return User.objects.create_user(
        username="admin_a", password=PASSWORD, role=Role.ADMIN, display_name="管理员"
    )


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def _new_officer(admin_client, branch, /, **overrides):
    data = {
        "username": "zhangwei",
        "display_name": "张伟",
        "email": "zhangwei@example.com",
        "role": Role.OFFICER,
        "branch": branch.pk,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return admin_client.post("/users/new/", data)


def _edit(admin_client, user, **changes):
    data = {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "branch": user.branch_id or "",
        "is_active": "on" if user.is_active else "",
        **changes,
    }
    return admin_client.post(f"/users/{user.pk}/", data)


def test_admin_creates_an_officer_with_a_branch_and_it_is_audited(admin_client, branch):
    # when the admin creates an officer of branch 甲
    response = _new_officer(admin_client, branch)

    # then the officer exists there, and the audit trail has the creation without the password
    assert response.status_code == 302 and response["Location"] == "/users/"
    officer = User.objects.get(username="zhangwei")
    assert (officer.role, officer.branch, officer.display_name) == (Role.OFFICER, branch, "张伟")
    event = AuditEvent.objects.get(action="create", object_type="accounts.user")
    assert event.actor_name == "admin_a" and event.object_id == str(officer.pk)
    assert event.after["branch"] == "甲分行" and event.after["role"] == Role.OFFICER
    assert PASSWORD not in str(event.after) and "password" not in event.after
    # and the list shows the officer
    page = admin_client.get("/users/").content.decode()
    assert "zhangwei" in page and "张伟" in page


def test_an_officer_without_a_branch_is_refused_with_a_field_message(admin_client, branch):
    response = _new_officer(admin_client, branch, branch="")

    assert response.status_code == 200
    assert "客户经理必须指定所属机构。" in response.context["form"].errors["branch"]
    assert not User.objects.filter(username="zhangwei").exists()
    assert not AuditEvent.objects.filter(action="create", object_type="accounts.user").exists()


def test_a_weak_password_is_refused_under_the_password_field(admin_client, branch):
    response = _new_officer(admin_client, branch, password1="12345678", password2="12345678")

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(username="zhangwei").exists()


def test_admin_edits_the_role_deactivates_and_sets_a_password(admin_client, branch):
    _new_officer(admin_client, branch)
    officer = User.objects.get(username="zhangwei")

    # when the admin makes the officer a reviewer, the change is saved and audited as a diff
    assert _edit(admin_client, officer, role=Role.REVIEWER).status_code == 302
    officer.refresh_from_db()
    assert officer.role == Role.REVIEWER
    event = AuditEvent.objects.filter(action="update").latest("id")
    assert event.before == {"role": Role.OFFICER} and event.after == {"role": Role.REVIEWER}

    # when the admin sets a new password, the user can log in with it; the audit has no password
    response = admin_client.post(
        f"/users/{officer.pk}/",
        {"set_password": "1", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="set_password")
    assert event.object_id == str(officer.pk) and event.before is None and event.after is None
    assert not AuditEvent.objects.filter(summary__contains=NEW_PASSWORD).exists()
    assert Client().login(username="zhangwei", password=NEW_PASSWORD)
    assert not Client().login(username="zhangwei", password=PASSWORD)

    # when the admin deactivates the user, the user can no longer log in
    officer.refresh_from_db()
    assert _edit(admin_client, officer, is_active="").status_code == 302
    officer.refresh_from_db()
    assert officer.is_active is False
    assert AuditEvent.objects.filter(action="update").latest("id").after == {"is_active": False}
    assert not Client().login(username="zhangwei", password=NEW_PASSWORD)


def test_mismatched_passwords_are_refused(admin_client, branch):
    _new_officer(admin_client, branch)
    officer = User.objects.get(username="zhangwei")

    response = admin_client.post(
        f"/users/{officer.pk}/",
        {"set_password": "1", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
    )

    assert response.status_code == 200
    assert response.context["password_form"].errors["password2"]
    assert not AuditEvent.objects.filter(action="set_password").exists()


def test_an_admin_cannot_deactivate_or_demote_themself(admin_client, admin):
    response = _edit(admin_client, admin, is_active="")
    assert response.status_code == 200
    assert "不能停用自己的账户。" in response.context["form"].errors["is_active"]

    response = _edit(admin_client, admin, role=Role.RISK_MANAGER)
    assert response.status_code == 200
    assert "不能取消自己的系统管理员角色。" in response.context["form"].errors["role"]

    admin.refresh_from_db()
    assert (admin.is_active, admin.role) == (True, Role.ADMIN)
    assert not AuditEvent.objects.filter(action="update").exists()


def test_the_user_list_filters_by_role_and_branch(admin_client, branch):
    other = Branch.objects.create(name="乙分行")
    User.objects.create_user(username="off_a", role=Role.OFFICER, branch=branch)
    User.objects.create_user(username="off_b", role=Role.OFFICER, branch=other)
    User.objects.create_user(username="rev_a", role=Role.REVIEWER, branch=branch)

    def names(query):
        page = admin_client.get(f"/users/{query}")
        return {u.username for u in page.context["page"].object_list}

    assert names(f"?role=officer&branch={branch.pk}") == {"off_a"}
    assert names("?role=officer") == {"off_a", "off_b"}
    assert names(f"?branch={branch.pk}") == {"off_a", "rev_a"}


def test_admin_creates_a_branch_audited_and_duplicates_are_refused(admin_client, branch):
    response = admin_client.post("/branches/", {"name": "丙分行", "code": "C01"})
    assert response.status_code == 302
    created = Branch.objects.get(name="丙分行")
    event = AuditEvent.objects.get(action="create", object_type="accounts.branch")
    assert event.object_id == str(created.pk) and event.after == {"name": "丙分行", "code": "C01"}

    response = admin_client.post("/branches/", {"name": "甲分行", "code": "C01"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "机构“甲分行”已存在。" in errors["name"] and errors["code"]
    assert "丙分行" in admin_client.get("/branches/").content.decode()


def test_settings_show_users_to_admins_only(admin_client, branch):
    assert 'href="/users/"' in admin_client.get("/settings/").content.decode()
    officer = User.objects.create_user(username="off", role=Role.OFFICER, branch=branch)
    client = Client()
    client.force_login(officer)
    assert 'href="/users/"' not in client.get("/settings/").content.decode()


PAGES = [
    ("GET", "/users/", None),
    ("GET", "/users/new/", None),
    ("POST", "/users/new/", {"username": "x", "role": "admin", "password1": "a", "password2": "a"}),
    ("GET", "/users/{admin}/", None),
    ("POST", "/users/{admin}/", {"role": "officer", "display_name": "x"}),
    ("POST", "/users/{admin}/", {"set_password": "1", "password1": "a", "password2": "a"}),
    ("GET", "/branches/", None),
    ("POST", "/branches/", {"name": "丁分行"}),
]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.REVIEWER, Role.RISK_MANAGER, Role.AUDITOR])
@pytest.mark.parametrize(("method", "path", "data"), PAGES)
def test_non_admins_get_403_on_every_page(admin, branch, role, method, path, data):
    user = User.objects.create_user(username=f"{role}_a", role=role, branch=branch)
    client = Client()
    client.force_login(user)
    before = (User.objects.count(), Branch.objects.count(), admin.password, admin.role)

    path = path.replace("{admin}", str(admin.pk))
    response = client.post(path, data) if method == "POST" else client.get(path)

    assert response.status_code == 403
    admin.refresh_from_db()
    assert (User.objects.count(), Branch.objects.count(), admin.password, admin.role) == before
    assert AuditEvent.objects.filter(action="access_denied", actor_name=user.username).exists()
