"""Accounts: the actor of a request, login auditing, API tokens."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from huifang.accounts.models import ApiToken, User
from huifang.audit.services import Actor, Change, actor_for, record


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
