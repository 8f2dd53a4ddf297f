"""Small things every API router uses."""

from django.http import HttpRequest

from huifang.accounts.models import User
from huifang.accounts.services import client_ip
from huifang.audit.services import Actor, actor_for


def via(request: HttpRequest) -> str:
    return getattr(request, "huifang_via", "api")


def api_actor(request: HttpRequest) -> Actor:
    return actor_for(request.user, via="api", ip=client_ip(request))


def ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def api_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (every endpoint requires authentication)."""
    user = request.user
    assert isinstance(user, User)
    return user
