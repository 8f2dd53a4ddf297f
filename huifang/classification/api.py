"""Classification endpoints (五级分类): runs, suggestions, and each loan's confirmation workflow."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import require
from huifang.api.common import api_actor, api_user, ip
from huifang.classification.floors import describe_rules, reason_label
from huifang.classification.models import ClassificationRun, LoanCategory, Suggestion, Trigger
from huifang.classification.selectors import (
    PENDING_STEPS,
    confirmed_categories,
    current_rules,
    latest_rules_version,
    latest_steps,
    latest_suggestions,
    loan_history,
    runs_for,
    suggestions_for,
)
from huifang.classification.services import classification_act, classify, rules_save
from huifang.portfolio.selectors import loan_for

router = Router(tags=["classification"])


class RunOut(Schema):
    id: int
    as_of: date
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    loans: int
    changed: int
    proposed: int
    by: str | None

    @staticmethod
    def resolve_by(obj: ClassificationRun) -> str | None:
        return obj.by.username if obj.by else None


class RunIn(Schema):
    as_of: date | None = None


class SuggestionOut(Schema):
    loan_no: str
    run: int
    as_of: date
    dpd: int
    category: str
    reasons: list[str]
    reasons_text: list[str]
    previous: str

    @staticmethod
    def resolve_loan_no(obj: Suggestion) -> str:
        return obj.loan.loan_no

    @staticmethod
    def resolve_run(obj: Suggestion) -> int:
        return obj.run_id

    @staticmethod
    def resolve_reasons_text(obj: Suggestion) -> list[str]:
        return [reason_label(code) for code in obj.reasons]


class SuggestionFilters(Schema):
    run: int | None = None
    category: str = ""
    loan_no: str = ""


class StepOut(Schema):
    id: int
    step: str
    category: str
    effective_date: date
    by: str | None
    at: datetime
    reason: str
    proposal: int | None

    @staticmethod
    def resolve_by(obj: LoanCategory) -> str | None:
        return obj.by.username if obj.by else None

    @staticmethod
    def resolve_proposal(obj: LoanCategory) -> int | None:
        return obj.proposal_id


class HistoryOut(Schema):
    loan_no: str
    confirmed: str | None
    pending: StepOut | None
    suggestion: SuggestionOut | None
    steps: list[StepOut]


class RulesOut(Schema):
    version: int  # 0: no version saved, classification.md's default rule set applies
    rules: dict[str, Any]
    rules_text: list[str]
    note: str
    created_by: str | None
    created_at: datetime | None


class RulesIn(Schema):
    rules: dict[str, Any]
    note: str = ""


class ActIn(Schema):
    action: str  # propose, review, approve, change
    category: str = ""
    reason: str = ""


@router.get("/classification/runs", response=list[RunOut], summary="五级分类批次")
@paginate(PageNumberPagination, page_size=50)
def list_runs(request: HttpRequest) -> Any:
    return runs_for(request.user, via="api", ip=ip(request))


@router.post("/classification/runs", response={201: RunOut}, summary="立即运行五级分类")
def run_now(request: HttpRequest, payload: RunIn) -> Any:
    require(request.user, "classification.run", via="api", ip=ip(request))
    run = classify(
        as_of=payload.as_of or timezone.localdate(), actor=api_actor(request), trigger=Trigger.API
    )
    return Status(201, run)


@router.get("/classification/suggestions", response=list[SuggestionOut], summary="分类建议")
@paginate(PageNumberPagination, page_size=100)
def list_suggestions(request: HttpRequest, filters: Query[SuggestionFilters]) -> Any:
    return suggestions_for(
        request.user,
        run=filters.run,
        category=filters.category,
        loan_no=filters.loan_no,
        via="api",
        ip=ip(request),
    )


def _history(loan) -> dict[str, Any]:
    latest = latest_steps([loan.pk]).get(loan.pk)
    suggestion = latest_suggestions([loan.pk]).get(loan.pk)
    if suggestion is not None:
        suggestion.loan = loan
    return {
        "loan_no": loan.loan_no,
        "confirmed": confirmed_categories([loan.pk]).get(loan.pk),
        "pending": latest if latest is not None and latest.step in PENDING_STEPS else None,
        "suggestion": suggestion,
        "steps": loan_history(loan),
    }


@router.get("/loans/{loan_no}/classification", response=HistoryOut, summary="贷款分类记录")
def get_history(request: HttpRequest, loan_no: str) -> Any:
    require(request.user, "risk.read", via="api", ip=ip(request))
    loan = loan_for(request.user, loan_no, via="api", ip=ip(request))
    return _history(loan)


@router.post(
    "/loans/{loan_no}/classification",
    response={201: HistoryOut},
    summary="初分、复核、审批或调整贷款分类",
)
def act(request: HttpRequest, loan_no: str, payload: ActIn) -> Any:
    loan = loan_for(request.user, loan_no, via="api", ip=ip(request))
    classification_act(
        loan=loan,
        action=payload.action,
        category=payload.category,
        reason=payload.reason,
        user=api_user(request),
        actor=api_actor(request),
    )
    return Status(201, _history(loan))


def _rules_out() -> dict[str, Any]:
    latest = latest_rules_version()
    rules = current_rules()
    return {
        "version": latest.number if latest else 0,
        "rules": rules,
        "rules_text": describe_rules(rules),
        "note": latest.note if latest else "",
        "created_by": latest.created_by.username if latest and latest.created_by else None,
        "created_at": latest.created_at if latest else None,
    }


@router.get("/classification/rules", response=RulesOut, summary="五级分类规则（当前版本）")
def get_rules(request: HttpRequest) -> Any:
    require(request.user, "risk.rules", via="api", ip=ip(request))
    return _rules_out()


@router.post(
    "/classification/rules",
    response={201: RulesOut},
    summary="保存五级分类规则的新版本（422：规则有误或没有变化）",
)
def save_rules(request: HttpRequest, payload: RulesIn) -> Any:
    rules_save(
        rules=payload.rules, note=payload.note, user=api_user(request), actor=api_actor(request)
    )
    return Status(201, _rules_out())
