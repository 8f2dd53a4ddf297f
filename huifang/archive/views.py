"""The archive page: approved visits found by words in the records and by filters."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from huifang.accounts.gate import branch_scope, require, require_branch
from huifang.accounts.models import Branch
from huifang.accounts.services import client_ip
from huifang.archive.forms import ArchiveSearchForm
from huifang.archive.selectors import archive_search, kind_counts, visit_snippet
from huifang.archive.text import query_terms
from huifang.followups.models import Visit, VisitKind

RESULTS_PER_PAGE = 20


def visit_url(visit_id: int) -> str:
    """The visit's page (the visit-work pages name it visit_detail)."""
    try:
        return reverse("visit_detail", args=[visit_id])
    except NoReverseMatch:
        return f"/visits/{visit_id}/"


def branches_in_scope(user: Any) -> list[Branch]:
    scope = branch_scope(user)
    branches = Branch.objects.all() if scope is None else Branch.objects.filter(pk__in=scope)
    return list(branches.order_by("name"))


def refuse_other_branch(request: HttpRequest, value: str | None, *, via: str = "web") -> None:
    """A branch outside the user's branches asked for by id: refused and audited, like a loan."""
    if value and value.isdigit():
        require_branch(
            request.user,
            int(value),
            object_type="accounts.branch",
            object_id=value,
            via=via,
            ip=client_ip(request),
        )


@dataclass(frozen=True)
class ResultRow:
    visit: Visit
    snippet: str
    url: str


@dataclass(frozen=True)
class KindCount:
    value: str
    label: str
    count: int
    current: bool


def archive(request: HttpRequest) -> HttpResponse:
    require(request.user, "loan.read", ip=client_ip(request))
    refuse_other_branch(request, request.GET.get("branch"))
    branches = branches_in_scope(request.user)
    form = ArchiveSearchForm(request.GET, branches=branches)
    args = form.search_args()
    visits = archive_search(user=request.user, **args)
    page = Paginator(visits, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    terms = query_terms(args["q"])
    rows = [
        ResultRow(visit=v, snippet=visit_snippet(v, terms), url=visit_url(v.pk))
        for v in page.object_list
    ]
    # By kind within the other filters, so that each count is a click to that kind.
    counts = kind_counts(archive_search(user=request.user, **{**args, "kind": ""}))
    kinds = [
        KindCount(
            value=value, label=str(label), count=counts.get(value, 0), current=value == args["kind"]
        )
        for value, label in VisitKind.choices
    ]
    return render(
        request,
        "archive/archive.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "rows": rows,
            "kinds": kinds,
            "kinds_total": sum(counts.values()),
            "several_branches": len(branches) > 1,
            "searched": bool(args["q"]),
            "filtered": any(v for k, v in request.GET.items() if k not in ("page", "q")),
        },
    )
