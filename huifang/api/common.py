"""Small things every API router uses."""

from django.http import HttpRequest

from huifang.accounts.services import client_ip
from huifang.audit.services import Actor, actor_for


def via(request: HttpRequest) -> str:
    return getattr(request, "huifang_via", "api")


def api_actor(request: HttpRequest) -> Actor:
    return actor_for(request.user, via="api", ip=client_ip(request))


def ip(request: HttpRequest) -> str | None:
    return client_ip(request)
