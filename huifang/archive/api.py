"""API endpoints of the archive app (registered in huifang.api.api)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from huifang.accounts.gate import require
from huifang.api.common import ip
from huifang.archive.selectors import archive_search, visit_snippet
from huifang.archive.text import query_terms
from huifang.archive.views import refuse_other_branch
from huifang.followups.models import Visit, VisitKind

router = Router(tags=["archive"])

MAX_QUERY = 100


class ArchiveFilters(Schema):
    q: str = ""
    loan_no: str = ""
    borrower: str = ""
    branch: int | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


class ArchiveHitOut(Schema):
    id: int
    loan_no: str
    borrower: str
    kind: str
    channel: str
    occurred_on: date
    officer: str | None
    snippet: str  # HTML: the escaped text with <mark> around the words searched for

    @staticmethod
    def resolve_loan_no(obj: Visit) -> str:
        return obj.loan.loan_no

    @staticmethod
    def resolve_borrower(obj: Visit) -> str:
        return obj.loan.borrower.name

    @staticmethod
    def resolve_kind(obj: Visit) -> str:
        return obj.archive_entry.kind

    @staticmethod
    def resolve_channel(obj: Visit) -> str:
        return obj.archive_entry.channel

    @staticmethod
    def resolve_occurred_on(obj: Visit) -> date:
        return obj.archive_entry.occurred_on

    @staticmethod
    def resolve_officer(obj: Visit) -> str | None:
        return obj.assignee.username if obj.assignee else None

    @staticmethod
    def resolve_snippet(obj: Visit, context: Any) -> str:
        return str(visit_snippet(obj, getattr(context["request"], "archive_terms", [])))


def _check(filters: ArchiveFilters) -> None:
    errors = {}
    for name, label in (("q", _("关键词")), ("loan_no", _("合同编号")), ("borrower", _("借款人"))):
        if "\x00" in getattr(filters, name):
            errors[name] = _("%(label)s不能含有空字符") % {"label": label}
    if len(filters.q) > MAX_QUERY:
        errors["q"] = _("关键词最多 %(n)d 个字") % {"n": MAX_QUERY}
    if filters.kind and filters.kind not in VisitKind.values:
        errors["kind"] = _("回访类型“%(kind)s”不存在，可选：%(choices)s") % {
            "kind": filters.kind,
            "choices": "、".join(VisitKind.values),
        }
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        errors["date_to"] = _("结束日期不能早于开始日期")
    if errors:
        raise ValidationError(errors)


@router.get("/archive/search", response=list[ArchiveHitOut], summary="搜索回访档案")
@paginate(PageNumberPagination, page_size=50)
def search_archive(request: HttpRequest, filters: Query[ArchiveFilters]) -> Any:
    """Approved visits in the caller's branches whose records contain every word of `q`."""
    require(request.user, "loan.read", via="api", ip=ip(request))
    if filters.branch is not None:
        refuse_other_branch(request, str(filters.branch), via="api")
    _check(filters)
    request.archive_terms = query_terms(filters.q)  # type: ignore[attr-defined]
    return archive_search(
        user=request.user,
        q=filters.q,
        loan_no=filters.loan_no,
        borrower=filters.borrower,
        branch_id=filters.branch,
        kind=filters.kind,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
