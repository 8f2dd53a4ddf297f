"""API authentication: the browser's session (with CSRF), or a revocable bearer token for systems."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from huifang.accounts.services import token_user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hf_…`; only the token's SHA-256 digest is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
            request.huifang_via = "api"  # type: ignore[attr-defined]
        return user


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not user.is_active:
            return None
        return user


AUTH = [ActiveSessionAuth(), TokenAuth()]
