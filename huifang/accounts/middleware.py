from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from huifang.accounts.gate import record_denial


class DeniedAccessAuditMiddleware:
    """Records refused accesses that were raised inside a transaction (see gate.Denied)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        record_denial(exception)
