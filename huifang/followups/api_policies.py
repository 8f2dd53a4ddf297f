"""Follow-up policy endpoints: read by everyone who reads loans, versions saved by administrators."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from huifang.accounts.gate import require
from huifang.api.common import api_actor, ip
from huifang.followups.models import (
    FollowupPolicy,
    PolicyVersion,
)
from huifang.followups.policy_data import policy_to_data
from huifang.followups.services.calendar import load_calendar
from huifang.followups.services.policies import (
    active_version,
    policy_copy_for_product,
    policy_for_product,
    policy_preview,
    policy_save,
)
from huifang.portfolio.selectors import loan_for

router = Router(tags=["followups"])


@router.get("/policy", summary="默认回访策略（当前生效版本）")
def get_policy(request: HttpRequest) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    return policy_to_data(policy_for_product(""))


class PolicyOut(Schema):
    id: int
    name: str
    product: str
    active_version: int | None
    updated_at: datetime | None


class PolicyVersionOut(Schema):
    number: int
    note: str
    created_at: datetime
    created_by: str | None
    active: bool

    @staticmethod
    def resolve_created_by(obj: PolicyVersion) -> str | None:
        return obj.created_by.username if obj.created_by else None


class PolicyVersionDataOut(PolicyVersionOut):
    data: dict[str, Any]

    @staticmethod
    def resolve_data(obj: PolicyVersion) -> dict[str, Any]:
        return obj.rules


class PolicyDetailOut(PolicyOut):
    data: dict[str, Any]
    versions: list[PolicyVersionOut]


class PolicyIn(Schema):
    product: str
    name: str = ""


class PolicyVersionIn(Schema):
    data: dict[str, Any]
    note: str = ""


class PreviewIn(Schema):
    loan_no: str
    data: dict[str, Any]


class PlannedVisitOut(Schema):
    subject_role: str
    party_id: int | None
    kind: str
    due_date: date
    channel: str


class PreviewOut(Schema):
    loan_no: str
    product: str
    # The policy that plans this loan, when it is not the one previewed.
    governed_by: str | None
    current: list[PlannedVisitOut]
    edited: list[PlannedVisitOut]


def _policy_summary(policy_obj: FollowupPolicy) -> dict[str, Any]:
    version = active_version(policy_obj)
    return {
        "id": policy_obj.pk,
        "name": policy_obj.name,
        "product": policy_obj.product,
        "active_version": version.number if version else None,
        "updated_at": version.created_at if version else None,
        "data": version.rules if version else None,
    }


def _visits(planned: list) -> list[dict[str, Any]]:
    return [
        {
            "subject_role": v.subject_role,
            "party_id": v.subject_ref,
            "kind": v.kind,
            "due_date": v.due_date,
            "channel": v.channel,
        }
        for v in planned
    ]


@router.get("/policies", response=list[PolicyOut], summary="回访策略列表")
def list_policies(request: HttpRequest) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    return [_policy_summary(p) for p in FollowupPolicy.objects.order_by("product")]


@router.post("/policies", response={201: PolicyDetailOut}, summary="为贷款产品复制默认策略")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Any:
    require(request.user, "policy.manage", via="api", ip=ip(request))
    policy_obj = policy_copy_for_product(
        product=payload.product, name=payload.name, actor=api_actor(request)
    )
    return Status(201, {**_policy_summary(policy_obj), "versions": list(policy_obj.versions.all())})


@router.get(
    "/policies/{policy_id}", response=PolicyDetailOut, summary="回访策略（生效版本及版本历史）"
)
def get_policy_detail(request: HttpRequest, policy_id: int) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    versions = policy_obj.versions.select_related("created_by").order_by("-number")
    return {**_policy_summary(policy_obj), "versions": list(versions)}


@router.get(
    "/policies/{policy_id}/versions/{number}",
    response=PolicyVersionDataOut,
    summary="回访策略的某一版本",
)
def get_policy_version(request: HttpRequest, policy_id: int, number: int) -> Any:
    require(request.user, "loan.read", via="api", ip=ip(request))
    return get_object_or_404(
        PolicyVersion.objects.select_related("created_by"), policy_id=policy_id, number=number
    )


@router.post(
    "/policies/{policy_id}/versions",
    response={201: PolicyVersionDataOut},
    summary="保存回访策略的新版本（立即生效）",
)
def save_policy_version(request: HttpRequest, policy_id: int, payload: PolicyVersionIn) -> Any:
    require(request.user, "policy.manage", via="api", ip=ip(request))
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    version = policy_save(
        policy_obj=policy_obj, data=payload.data, note=payload.note, actor=api_actor(request)
    )
    return Status(201, version)


@router.post(
    "/policies/{policy_id}/preview",
    response=PreviewOut,
    summary="预览：某笔贷款在修改后的策略下的回访（不保存）",
)
def preview_policy(request: HttpRequest, policy_id: int, payload: PreviewIn) -> Any:
    require(request.user, "policy.manage", via="api", ip=ip(request))
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    loan = loan_for(request.user, payload.loan_no, via="api", ip=ip(request))
    preview = policy_preview(
        policy_obj=policy_obj, loan=loan, data=payload.data, calendar=load_calendar()
    )
    return {
        "loan_no": loan.loan_no,
        "product": loan.product,
        "governed_by": preview.governed_by.name if preview.governed_by else None,
        "current": _visits(preview.current),
        "edited": _visits(preview.edited),
    }
