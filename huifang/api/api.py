"""The REST API (django-ninja, OpenAPI 3.1, docs served from local static files).

Each app contributes a router; this module only assembles them and maps the
gate's exceptions to HTTP answers.
"""

import importlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from huifang.accounts.gate import record_denial
from huifang.api.auth import AUTH

api = NinjaAPI(
    title="Huifang 回访 API",
    version="1",
    description="贷后回访系统接口。认证：浏览器会话（含 CSRF），或 `Authorization: Bearer <令牌>`。",
    auth=AUTH,
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    record_denial(exc)
    return api.create_response(request, {"detail": "permission denied"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


def _register() -> None:
    from huifang.accounts.api import router as accounts_router
    from huifang.audit.api import router as audit_router
    from huifang.followups.api import router as followups_router
    from huifang.followups.api_policies import router as policies_router
    from huifang.followups.api_work import router as work_router
    from huifang.portfolio.api import router as portfolio_router

    api.add_router("/", portfolio_router)
    api.add_router("/", accounts_router)
    api.add_router("/audit", audit_router)
    api.add_router("/", followups_router)
    api.add_router("/", policies_router)
    api.add_router("/", work_router)
    for app in (
        "questionnaires",
        "reviews",
        "evidence",
        "archive",
        "reports",
        "classification",
        "risk",
        "departments",
        "restructuring",
    ):
        module = importlib.import_module(f"huifang.{app}.api")
        api.add_router("/", module.router)


_register()
