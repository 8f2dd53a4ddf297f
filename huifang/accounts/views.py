"""The user and branch pages: admins create and edit users, set passwords, add branches."""

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from huifang.accounts.forms import (
    BranchCreateForm,
    PasswordSetForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from huifang.accounts.gate import require
from huifang.accounts.models import Branch, User
from huifang.accounts.services import (
    branch_create,
    client_ip,
    request_actor,
    user_create,
    user_set_password,
    user_update,
)
from huifang.lib.forms import add_errors

# The services name fields as the model does; the forms ask for the password twice.
_FIELD_OF = {"password": "password1"}


def _gate(request: HttpRequest) -> None:
    require(request.user, "users.manage", ip=client_ip(request))


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    add_errors(form, exc, field_of=_FIELD_OF)


def user_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    form = UserFilterForm(request.GET or None)
    users = User.objects.select_related("branch").order_by("-is_active", "username")
    filtered = False
    if form.is_valid():
        if role := form.cleaned_data["role"]:
            users = users.filter(role=role)
            filtered = True
        if branch := form.cleaned_data["branch"]:
            users = users.filter(branch=branch)
            filtered = True
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "filtered": filtered,
        },
    )


def user_new(request: HttpRequest) -> HttpResponse:
    _gate(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create(
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                role=data["role"],
                branch=data["branch"],
                password=data["password1"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("用户“%(username)s”已创建。") % {"username": user.username})
            return redirect("user_list")
    return render(request, "accounts/user_new.html", {"form": form})


def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """The user's details, and beneath them a form that sets a new password."""
    _gate(request)
    target = get_object_or_404(User.objects.select_related("branch"), pk=user_id)
    initial = {
        "display_name": target.display_name,
        "email": target.email,
        "role": target.role,
        "branch": target.branch,
        "is_active": target.is_active,
    }
    setting_password = request.method == "POST" and "set_password" in request.POST
    form = UserEditForm(
        request.POST if request.method == "POST" and not setting_password else None,
        initial=initial,
    )
    password_form = PasswordSetForm(request.POST if setting_password else None)
    if setting_password and password_form.is_valid():
        try:
            user_set_password(
                user=target,
                password=password_form.cleaned_data["password1"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            _add_errors(password_form, exc)
        else:
            if target.pk == request.user.pk:
                update_session_auth_hash(request, target)
            messages.success(
                request, _("已为“%(username)s”设置新密码。") % {"username": target.username}
            )
            return redirect("user_edit", target.pk)
    elif request.method == "POST" and not setting_password and form.is_valid():
        data = form.cleaned_data
        try:
            user_update(
                user=target,
                display_name=data["display_name"],
                email=data["email"],
                role=data["role"],
                branch=data["branch"],
                is_active=data["is_active"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("用户“%(username)s”已保存。") % {"username": target.username}
            )
            return redirect("user_list")
    return render(
        request,
        "accounts/user_edit.html",
        {"target": target, "form": form, "password_form": password_form},
    )


def branch_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    form = BranchCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            branch = branch_create(
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("机构“%(name)s”已创建。") % {"name": branch.name})
            return redirect("branch_list")
    branches = Branch.objects.order_by("name").annotate(
        users_total=Count("users"), users_active=Count("users", filter=Q(users__is_active=True))
    )
    return render(request, "accounts/branch_list.html", {"form": form, "branches": branches})
