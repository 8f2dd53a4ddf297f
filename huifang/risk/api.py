"""API endpoints of the risk app: signals, warnings and their lifecycle, the lexicon, the rules."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import require
from huifang.accounts.models import User
from huifang.api.common import api_actor, api_user, ip
from huifang.portfolio.selectors import loan_for
from huifang.risk.models import OPEN_WARNING, LexiconTerm, Signal, Warning, WarningRule
from huifang.risk.selectors import signals_for, warning_for, warnings_for
from huifang.risk.services import (
    lexicon_term_save,
    signal_raise,
    warning_acknowledge,
    warning_escalate,
    warning_lift,
    warning_respond,
    warning_rule_save,
)

router = Router(tags=["risk"])


class SignalOut(Schema):
    id: int
    loan_no: str
    source: str
    code: str
    severity: str
    evidence: str
    submission: int | None
    visit: int | None
    repayment: int | None
    raised_at: datetime
    raised_by: str | None
    status: str
    closed_at: datetime | None
    close_reason: str

    @staticmethod
    def resolve_loan_no(obj: Signal) -> str:
        return obj.loan.loan_no

    @staticmethod
    def resolve_submission(obj: Signal) -> int | None:
        return obj.submission_id

    @staticmethod
    def resolve_visit(obj: Signal) -> int | None:
        return obj.visit_id

    @staticmethod
    def resolve_repayment(obj: Signal) -> int | None:
        return obj.repayment_id

    @staticmethod
    def resolve_raised_by(obj: Signal) -> str | None:
        return obj.raised_by.username if obj.raised_by else None


class SignalIn(Schema):
    loan_no: str
    code: str
    severity: str
    evidence: str


class SignalFilters(Schema):
    loan_no: str = ""
    status: str = ""
    code: str = ""


class ResponseOut(Schema):
    id: int
    kind: str
    status: str
    note: str
    visit: int | None
    department: str
    task_id: str
    due_date: date | None
    created_at: datetime
    created_by: str | None

    @staticmethod
    def resolve_visit(obj: Any) -> int | None:
        return obj.visit_id

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.username if obj.created_by else None


class EventOut(Schema):
    action: str
    by: str | None
    at: datetime
    note: str
    data: dict

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return obj.by.username if obj.by else None


class WarningOut(Schema):
    id: int
    loan_no: str
    level: str
    status: str
    owner: str | None
    deadline: date | None
    stop_disbursement: bool
    raised_at: datetime
    closed_at: datetime | None
    close_reason: str
    escalated_from: int | None
    rules: list

    @staticmethod
    def resolve_loan_no(obj: Warning) -> str:
        return obj.loan.loan_no

    @staticmethod
    def resolve_owner(obj: Warning) -> str | None:
        return obj.owner.username if obj.owner else None

    @staticmethod
    def resolve_escalated_from(obj: Warning) -> int | None:
        return obj.escalated_from_id


class WarningDetailOut(WarningOut):
    signals: list[SignalOut]
    responses: list[ResponseOut]
    events: list[EventOut]

    @staticmethod
    def resolve_signals(obj: Warning) -> list:
        return list(obj.signals.select_related("loan", "raised_by"))

    @staticmethod
    def resolve_responses(obj: Warning) -> list:
        return list(obj.responses.select_related("created_by"))

    @staticmethod
    def resolve_events(obj: Warning) -> list:
        return list(obj.events.select_related("by"))


class WarningFilters(Schema):
    level: str = ""
    status: str = ""  # "open" for raised, acknowledged or responding
    loan_no: str = ""
    branch: int | None = None


class AcknowledgeIn(Schema):
    owner: str
    deadline: date


class RespondIn(Schema):
    kind: str
    note: str = ""


class LiftIn(Schema):
    reason: str


class EscalateIn(Schema):
    level: str
    reason: str


class TermOut(Schema):
    id: int
    term: str
    code: str
    severity: str
    active: bool
    note: str


class TermIn(Schema):
    term: str
    code: str
    severity: str
    active: bool = True
    note: str = ""


class RuleOut(Schema):
    code: str
    name: str
    level: str
    conditions: dict
    active: bool
    position: int


class RuleIn(Schema):
    code: str
    name: str
    level: str
    conditions: dict
    active: bool = True
    position: int | None = None


# --- signals ---------------------------------------------------------------------------------


@router.get("/risk/signals", response=list[SignalOut], summary="预警信号")
@paginate(PageNumberPagination, page_size=100)
def get_signals(request: HttpRequest, filters: Query[SignalFilters]) -> Any:
    require(request.user, "risk.read", via="api", ip=ip(request))
    qs = signals_for(request.user).select_related("loan", "raised_by")
    if filters.loan_no:
        qs = qs.filter(loan__loan_no=filters.loan_no)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.code:
        qs = qs.filter(code=filters.code)
    return qs.order_by("-raised_at", "-id")


@router.post("/risk/signals", response={201: SignalOut}, summary="人工登记预警信号")
def post_signal(request: HttpRequest, body: SignalIn) -> Any:
    user = api_user(request)
    require(user, "signal.raise", via="api", ip=ip(request))
    loan = loan_for(user, body.loan_no, via="api", ip=ip(request))
    signal = signal_raise(
        loan=loan,
        code=body.code,
        severity=body.severity,
        evidence=body.evidence,
        user=user,
        actor=api_actor(request),
    )
    return Status(201, signal)


# --- warnings --------------------------------------------------------------------------------


@router.get("/risk/warnings", response=list[WarningOut], summary="预警")
@paginate(PageNumberPagination, page_size=100)
def get_warnings(request: HttpRequest, filters: Query[WarningFilters]) -> Any:
    require(request.user, "risk.read", via="api", ip=ip(request))
    qs = warnings_for(request.user)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_WARNING)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.loan_no:
        qs = qs.filter(loan__loan_no=filters.loan_no)
    if filters.branch:
        qs = qs.filter(loan__branch_id=filters.branch)
    return qs.order_by("-raised_at", "-id")


@router.get("/risk/warnings/{warning_id}", response=WarningDetailOut, summary="预警详情")
def get_warning(request: HttpRequest, warning_id: int) -> Any:
    return warning_for(request.user, warning_id, via="api", ip=ip(request))


def _managed(request: HttpRequest, warning_id: int) -> tuple[User, Warning]:
    user = api_user(request)
    return user, warning_for(user, warning_id, manage=True, via="api", ip=ip(request))


@router.post(
    "/risk/warnings/{warning_id}/acknowledge", response=WarningDetailOut, summary="认领预警"
)
def post_acknowledge(request: HttpRequest, warning_id: int, body: AcknowledgeIn) -> Any:
    user, warning = _managed(request, warning_id)
    owner = User.objects.filter(username=body.owner).first()
    if owner is None:
        raise ValidationError({"owner": _("没有用户名为“%(name)s”的用户") % {"name": body.owner}})
    return warning_acknowledge(
        warning=warning, owner=owner, deadline=body.deadline, user=user, actor=api_actor(request)
    )


@router.post(
    "/risk/warnings/{warning_id}/respond",
    response={201: ResponseOut},
    summary="登记处置措施",
)
def post_respond(request: HttpRequest, warning_id: int, body: RespondIn) -> Any:
    user, warning = _managed(request, warning_id)
    response = warning_respond(
        warning=warning, kind=body.kind, note=body.note, user=user, actor=api_actor(request)
    )
    return Status(201, response)


@router.post("/risk/warnings/{warning_id}/lift", response=WarningDetailOut, summary="解除预警")
def post_lift(request: HttpRequest, warning_id: int, body: LiftIn) -> Any:
    user, warning = _managed(request, warning_id)
    return warning_lift(warning=warning, reason=body.reason, user=user, actor=api_actor(request))


@router.post(
    "/risk/warnings/{warning_id}/escalate",
    response=WarningDetailOut,
    summary="升级预警（返回新的预警）",
)
def post_escalate(request: HttpRequest, warning_id: int, body: EscalateIn) -> Any:
    user, warning = _managed(request, warning_id)
    return warning_escalate(
        warning=warning, level=body.level, reason=body.reason, user=user, actor=api_actor(request)
    )


# --- the lexicon and the rules ---------------------------------------------------------------


@router.get("/risk/lexicon", response=list[TermOut], summary="风险词库")
def get_lexicon(request: HttpRequest) -> Any:
    require(request.user, "risk.read", via="api", ip=ip(request))
    return list(LexiconTerm.objects.order_by("code", "term"))


@router.post("/risk/lexicon", response=TermOut, summary="新增或修改风险词")
def post_lexicon(request: HttpRequest, body: TermIn) -> Any:
    user = api_user(request)
    require(user, "risk.rules", via="api", ip=ip(request))
    return lexicon_term_save(**body.dict(), user=user, actor=api_actor(request))


@router.get("/risk/rules", response=list[RuleOut], summary="预警规则")
def get_rules(request: HttpRequest) -> Any:
    require(request.user, "risk.read", via="api", ip=ip(request))
    return list(WarningRule.objects.order_by("position", "code"))


@router.post("/risk/rules", response=RuleOut, summary="新增或修改预警规则")
def post_rule(request: HttpRequest, body: RuleIn) -> Any:
    user = api_user(request)
    require(user, "risk.rules", via="api", ip=ip(request))
    return warning_rule_save(**body.dict(), user=user, actor=api_actor(request))
