"""The audit trail: search it, and check that it is intact."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from huifang.accounts.gate import require
from huifang.accounts.services import client_ip
from huifang.audit.models import AuditEvent
from huifang.audit.verify import verify_audit
from huifang.web.forms import AuditFilterForm

EVENTS_PER_PAGE = 100


def _distinct(field: str) -> list[str]:
    return sorted(AuditEvent.objects.order_by().values_list(field, flat=True).distinct())


def audit_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "audit.read", ip=client_ip(request))
    form = AuditFilterForm(
        request.GET, actions=_distinct("action"), object_types=_distinct("object_type")
    )
    form.is_valid()  # a bad value is shown at its field; the others still filter
    data = form.cleaned_data
    events = AuditEvent.objects.order_by("-id")
    if data.get("actor"):
        events = events.filter(actor_name__icontains=data["actor"].strip())
    if data.get("action"):
        events = events.filter(action=data["action"])
    if data.get("object_type"):
        events = events.filter(object_type=data["object_type"])
    if data.get("object_id"):
        events = events.filter(object_id__icontains=data["object_id"].strip())
    if data.get("date_from"):
        events = events.filter(at__date__gte=data["date_from"])
    if data.get("date_to"):
        events = events.filter(at__date__lte=data["date_to"])
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/audit_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        },
    )


@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    require(request.user, "audit.read", ip=client_ip(request))
    return render(request, "web/audit_verify.html", {"result": verify_audit()})
