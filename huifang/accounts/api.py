"""Account endpoints: who am I, and my API tokens."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from huifang.accounts.gate import require
from huifang.accounts.models import ApiToken
from huifang.accounts.services import token_create, token_revoke
from huifang.api.common import api_actor, api_user, ip

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    branch: str | None


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str


class NewTokenOut(TokenOut):
    key: str


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> Any:
    user = api_user(request)
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "branch": user.branch.name if user.branch else None,
    }


@router.get("/tokens", response=list[TokenOut], summary="我的接口令牌")
def list_tokens(request: HttpRequest) -> Any:
    require(request.user, "api.token", via="api", ip=ip(request))
    return list(ApiToken.objects.filter(user=api_user(request)).order_by("-created_at"))


@router.post("/tokens", response={201: NewTokenOut}, summary="新建接口令牌（密钥只显示一次）")
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    require(request.user, "api.token", via="api", ip=ip(request))
    token, raw = token_create(
        user=api_user(request), name=payload.name.strip()[:100] or "api", actor=api_actor(request)
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "key": raw})


@router.delete("/tokens/{token_id}", response={204: None}, summary="吊销接口令牌")
def revoke_token(request: HttpRequest, token_id: int) -> Any:
    require(request.user, "api.token", via="api", ip=ip(request))
    token = get_object_or_404(ApiToken, pk=token_id, user=api_user(request))
    token_revoke(token=token, actor=api_actor(request))
    return Status(204, None)
