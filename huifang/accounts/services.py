"""Accounts: the actor of a request, login auditing, API tokens, managing users and branches."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.models import ApiToken, Branch, Role, User
from huifang.audit.services import Actor, Change, actor_for, diff, record


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by clients too, and is trusted only
    # behind a proxy that a deployment configures explicitly.
    return request.META.get("REMOTE_ADDR") or None


def request_actor(request: HttpRequest, *, via: str = "web") -> Actor:
    return actor_for(getattr(request, "user", None), via=via, ip=client_ip(request))


def login_recorded(*, user: User, request: HttpRequest | None) -> None:
    with transaction.atomic():
        record(
            actor_for(user, ip=client_ip(request) if request else None),
            Change(
                action="login",
                object_type="accounts.user",
                object_id=str(user.pk),
                summary=user.username,
            ),
        )


def logout_recorded(*, user: User | None, request: HttpRequest | None) -> None:
    if user is None:
        return
    with transaction.atomic():
        record(
            actor_for(user, ip=client_ip(request) if request else None),
            Change(
                action="logout",
                object_type="accounts.user",
                object_id=str(user.pk),
                summary=user.username,
            ),
        )


def login_failed_recorded(*, username: str, request: HttpRequest | None) -> None:
    with transaction.atomic():
        record(
            Actor(
                user_id=None,
                name=username[:150] or "anonymous",
                via="web",
                ip=client_ip(request) if request else None,
            ),
            Change(
                action="login_failed",
                object_type="accounts.user",
                object_id="",
                summary=username[:150],
            ),
        )


def token_create(*, user: User, name: str, actor: Actor) -> tuple[ApiToken, str]:
    """A new token; the raw key is returned once and never stored."""
    raw = ApiToken.new_raw_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, key_prefix=raw[:10], digest=ApiToken.digest_of(raw)
        )
        record(
            actor,
            Change(
                action="create",
                object_type="accounts.apitoken",
                object_id=str(token.pk),
                summary=f"{user.username}: {name}",
                after={"name": name, "prefix": token.key_prefix},
            ),
        )
    return token, raw


def token_revoke(*, token: ApiToken, actor: Actor) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(
                actor,
                Change(
                    action="revoke",
                    object_type="accounts.apitoken",
                    object_id=str(token.pk),
                    summary=f"{token.user.username}: {token.name}",
                ),
            )


def token_user(raw: str) -> User | None:
    """The active user behind a raw token, or None."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # Touch last_used at most once a minute, so a busy integration does not write on every call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- managing users and branches (admins) ---------------------------------------------------


def _user_state(user: User) -> dict[str, Any]:
    """What the audit trail keeps of a user: never the password."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "branch": user.branch.name if user.branch_id and user.branch else None,
        "is_active": user.is_active,
    }


def _check_user_fields(
    *, display_name: str, email: str, role: str, branch: Branch | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(display_name) > User._meta.get_field("display_name").max_length:  # type: ignore[operator]
        errors["display_name"] = [_("姓名不能超过 50 个字符。")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("电子邮箱格式不正确。")]
    if role not in Role.values:
        errors["role"] = [_("角色“%(role)s”不存在。") % {"role": role}]
    elif role == Role.OFFICER and branch is None:
        errors["branch"] = [_("客户经理必须指定所属机构。")]
    return errors


def _password_errors(password: str, user: User) -> list[str]:
    if not password:
        return [_("请填写密码。")]
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def user_create(
    *,
    username: str,
    display_name: str,
    email: str,
    role: str,
    branch: Branch | None,
    password: str,
    actor: Actor,
) -> User:
    username, display_name, email = username.strip(), display_name.strip(), email.strip()
    errors = _check_user_fields(display_name=display_name, email=email, role=role, branch=branch)
    if not username:
        errors["username"] = [_("请填写用户名。")]
    else:
        try:
            User.username_validator(username)
        except ValidationError:
            errors["username"] = [_("用户名只能包含字母、数字和 @ . + - _。")]
        if len(username) > 150:
            errors["username"] = [_("用户名不能超过 150 个字符。")]
        elif User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("用户名“%(username)s”已被使用。") % {"username": username}]
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        role=role,
        branch=branch,
        is_active=True,
    )
    password_errors = _password_errors(password, user)
    if password_errors:
        errors["password"] = password_errors
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            record(
                actor,
                Change(
                    action="create",
                    object_type="accounts.user",
                    object_id=str(user.pk),
                    summary=user.username,
                    after=_user_state(user),
                ),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"username": [_("用户名“%(username)s”已被使用。") % {"username": username}]}
        ) from exc
    return user


def user_update(
    *,
    user: User,
    display_name: str,
    email: str,
    role: str,
    branch: Branch | None,
    is_active: bool,
    actor: Actor,
) -> User:
    display_name, email = display_name.strip(), email.strip()
    errors = _check_user_fields(display_name=display_name, email=email, role=role, branch=branch)
    if actor.user_id is not None and user.pk == actor.user_id:
        if not is_active:
            errors["is_active"] = [_("不能停用自己的账户。")]
        if role != Role.ADMIN and "role" not in errors:
            errors["role"] = [_("不能取消自己的系统管理员角色。")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = _user_state(locked)
        locked.display_name, locked.email, locked.role = display_name, email, role
        locked.branch, locked.is_active = branch, is_active
        after = _user_state(locked)
        old, new = diff(before, after)
        if new:
            locked.save(update_fields=["display_name", "email", "role", "branch", "is_active"])
            record(
                actor,
                Change(
                    action="update",
                    object_type="accounts.user",
                    object_id=str(locked.pk),
                    summary=locked.username,
                    before=old,
                    after=new,
                ),
            )
    return locked


def user_set_password(*, user: User, password: str, actor: Actor) -> None:
    """Set a user's password (Django's validators); the audit event says that, never what."""
    errors = _password_errors(password, user)
    if errors:
        raise ValidationError({"password": errors})
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(
            actor,
            Change(
                action="set_password",
                object_type="accounts.user",
                object_id=str(user.pk),
                summary=user.username,
            ),
        )


def branch_create(*, name: str, code: str, actor: Actor) -> Branch:
    name, code = name.strip(), code.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写机构名称。")]
    elif len(name) > 100:
        errors["name"] = [_("机构名称不能超过 100 个字符。")]
    elif Branch.objects.filter(name=name).exists():
        errors["name"] = [_("机构“%(name)s”已存在。") % {"name": name}]
    if len(code) > 32:
        errors["code"] = [_("机构代码不能超过 32 个字符。")]
    elif code and Branch.objects.filter(code=code).exists():
        errors["code"] = [_("机构代码“%(code)s”已被使用。") % {"code": code}]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            branch = Branch.objects.create(name=name, code=code or None)
            record(
                actor,
                Change(
                    action="create",
                    object_type="accounts.branch",
                    object_id=str(branch.pk),
                    summary=name,
                    after={"name": name, "code": code or None},
                ),
            )
    except IntegrityError as exc:
        raise ValidationError({"name": [_("机构名称或代码已被使用。")]}) from exc
    return branch
