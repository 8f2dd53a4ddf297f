"""The risk pages: the dashboard, warnings and their handling, signals (the lexicon and the
rules: config_views.py)."""

import logging
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from huifang.accounts.gate import branch_scope, has_perm, require
from huifang.accounts.models import Branch, User
from huifang.accounts.services import client_ip, request_actor
from huifang.lib.forms import add_errors
from huifang.restructuring.selectors import proposals_for
from huifang.risk import forms
from huifang.risk.codes import LEVELS, Level
from huifang.risk.models import OPEN_WARNING, Warning
from huifang.risk.selectors import (
    dashboard_numbers,
    signals_for,
    warning_for,
    warnings_for,
)
from huifang.risk.services import (
    signal_raise,
    warning_acknowledge,
    warning_escalate,
    warning_lift,
    warning_respond,
)

PER_PAGE = 50
log = logging.getLogger(__name__)


def risk_page(
    request: HttpRequest, template: str, context: dict, status: int = 200
) -> HttpResponse:
    context["can_rules"] = has_perm(request.user, "risk.rules")
    return render(request, template, context, status=status)


def _branches(user: Any) -> list[Branch]:
    scope = branch_scope(user)
    qs = Branch.objects.order_by("name")
    return list(qs if scope is None else qs.filter(pk__in=scope))


# --- the dashboard ---------------------------------------------------------------------------


MATRIX_DAYS = 30


def _classification(user: Any, today: Any) -> dict[str, Any]:
    """Loans by category and the migration matrix, from the classification app when it is there."""
    from huifang.portfolio.selectors import loans_for

    result: dict[str, Any] = {"categories": None, "matrix": None, "unclassified": None}
    try:
        from huifang.classification import selectors as classification
    except ImportError:
        return result
    latest = getattr(classification, "latest_categories", None)
    if latest is not None:
        loan_ids = list(loans_for(user).filter(status="active").values_list("pk", flat=True))
        try:
            counts: dict[str, int] = {}
            for category in latest(loan_ids).values():
                counts[category] = counts.get(category, 0) + 1
            # Nothing classified yet: "—", not a column of zeros that reads as "all clear".
            result["categories"] = counts or None
            result["unclassified"] = len(loan_ids) - sum(counts.values())
        except Exception:  # the dashboard shows "—" rather than fail on another app's error
            log.exception("latest_categories failed")
    matrix = getattr(classification, "migration_matrix", None)
    if matrix is not None:
        try:
            result["matrix"] = matrix(
                user=user, date_from=today - timedelta(days=MATRIX_DAYS), date_to=today
            )
        except PermissionDenied:
            raise
        except Exception:
            log.exception("migration_matrix failed")
    return result


CATEGORIES = (
    ("normal", gettext_lazy("正常")),
    ("special_mention", gettext_lazy("关注")),
    ("substandard", gettext_lazy("次级")),
    ("doubtful", gettext_lazy("可疑")),
    ("loss", gettext_lazy("损失")),
)


def _matrix_rows(matrix: Any) -> list[dict] | None:
    """A {from: {to: n}} mapping as table rows in category order; None when it is not one."""
    if not isinstance(matrix, dict):
        return None
    rows = []
    for code, label in CATEGORIES:
        row = matrix.get(code) or {}
        if not isinstance(row, dict):
            return None
        rows.append({"label": label, "cells": [row.get(to, 0) for to, _l in CATEGORIES]})
    return rows


def dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.read", ip=client_ip(request))
    today = timezone.localdate()
    data = dashboard_numbers(request.user, today=today)
    classification = _classification(request.user, today)
    categories = classification.get("categories")
    return risk_page(
        request,
        "risk/dashboard.html",
        {
            **data,
            "levels": [(code, Level(code).label, data["by_level"].get(code, 0)) for code in LEVELS],
            "classification": classification,
            "category_rows": [
                (label, categories.get(code, 0) if categories is not None else None)
                for code, label in CATEGORIES
            ],
            "category_labels": [label for _c, label in CATEGORIES],
            "matrix_rows": _matrix_rows(classification.get("matrix")),
            "recent": list(
                warnings_for(request.user)
                .filter(status__in=OPEN_WARNING)
                .order_by("-raised_at")[:10]
            ),
            "today": today,
            "matrix_from": today - timedelta(days=MATRIX_DAYS),
        },
    )


# --- warnings --------------------------------------------------------------------------------


def warning_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.read", ip=client_ip(request))
    branches = _branches(request.user)
    qs = warnings_for(request.user)
    owners = User.objects.filter(pk__in=qs.exclude(owner=None).values("owner")).order_by("username")
    # Only the filters make the form bound: ?page=2 of the default list stays the default list.
    filtering = any(name in request.GET for name in forms.WarningFilterForm.base_fields)
    form = forms.WarningFilterForm(
        request.GET if filtering else None,
        initial={"status": "open"},
        branches=branches,
        owners=owners,
    )
    if form.is_bound and form.is_valid():
        f = form.cleaned_data
        if f["level"]:
            qs = qs.filter(level=f["level"])
        if f["status"] == "open":
            qs = qs.filter(status__in=OPEN_WARNING)
        elif f["status"]:
            qs = qs.filter(status=f["status"])
        if f["branch"]:
            qs = qs.filter(loan__branch_id=f["branch"])
        if f["owner"]:
            qs = qs.filter(owner_id=f["owner"])
        if f["q"]:
            q = f["q"].strip()
            qs = qs.filter(Q(loan__loan_no__icontains=q) | Q(loan__borrower__name__icontains=q))
    elif form.is_bound:
        qs = qs.none()  # the form names what is wrong
    else:
        qs = qs.filter(status__in=OPEN_WARNING)
    page = Paginator(
        qs.select_related("loan__branch", "loan__officer").order_by("-raised_at", "-id"), PER_PAGE
    ).get_page(request.GET.get("page"))
    return risk_page(
        request,
        "risk/warning_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "filtered": form.is_bound,
        },
    )


def _detail_context(request: HttpRequest, warning: Any, **forms_given: Any) -> dict[str, Any]:
    can_manage = has_perm(request.user, "warning.manage") and warning.is_open
    chain = []
    earlier = warning.escalated_from
    while earlier is not None:
        chain.append(earlier)
        earlier = earlier.escalated_from
    later = getattr(warning, "escalated_to", None) if warning.status == "escalated" else None
    return {
        "warning": warning,
        "loan": warning.loan,
        "signals": list(
            warning.signals.select_related("submission", "visit", "repayment", "raised_by")
        ),
        "events": list(warning.events.select_related("by")),
        "responses": list(warning.responses.select_related("visit", "created_by")),
        # Restructurings this warning led to (restructuring.Proposal.warning).
        "proposals": list(
            proposals_for(request.user).filter(warning=warning).order_by("-proposed_at")
        ),
        "earlier": chain,
        "later": later,
        "can_manage": can_manage,
        "ack_form": forms_given.get("ack_form") or forms.AcknowledgeForm(loan=warning.loan),
        "respond_form": forms_given.get("respond_form") or forms.RespondForm(),
        "lift_form": forms_given.get("lift_form") or forms.LiftForm(),
        "escalate_form": forms_given.get("escalate_form") or forms.EscalateForm(),
    }


def warning_detail(request: HttpRequest, warning_id: int) -> HttpResponse:
    warning = warning_for(request.user, warning_id, ip=client_ip(request))
    return risk_page(request, "risk/warning_detail.html", _detail_context(request, warning))


def _post_action(
    request: HttpRequest, warning_id: int, form_class: Any, key: str, act: Any, done: str
) -> HttpResponse:
    warning = warning_for(request.user, warning_id, manage=True, ip=client_ip(request))
    form = (
        form_class(request.POST, loan=warning.loan)
        if form_class is forms.AcknowledgeForm
        else form_class(request.POST)
    )
    if form.is_valid():
        try:
            result = act(warning, form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            target = result if isinstance(result, Warning) else warning  # escalation: the new one
            return redirect("risk_warning_detail", warning_id=target.pk)
    context = _detail_context(request, warning, **{key: form})
    return risk_page(request, "risk/warning_detail.html", context, status=422)


@require_POST
def warning_acknowledge_view(request: HttpRequest, warning_id: int) -> HttpResponse:
    actor = request_actor(request)
    return _post_action(
        request,
        warning_id,
        forms.AcknowledgeForm,
        "ack_form",
        lambda w, d: warning_acknowledge(
            warning=w, owner=d["owner"], deadline=d["deadline"], user=request.user, actor=actor
        ),
        _("已认领预警，负责人和处置期限已记录。"),
    )


@require_POST
def warning_respond_view(request: HttpRequest, warning_id: int) -> HttpResponse:
    actor = request_actor(request)
    return _post_action(
        request,
        warning_id,
        forms.RespondForm,
        "respond_form",
        lambda w, d: warning_respond(
            warning=w, kind=d["kind"], note=d["note"], user=request.user, actor=actor
        ),
        _("处置措施已登记。"),
    )


@require_POST
def warning_lift_view(request: HttpRequest, warning_id: int) -> HttpResponse:
    actor = request_actor(request)
    return _post_action(
        request,
        warning_id,
        forms.LiftForm,
        "lift_form",
        lambda w, d: warning_lift(warning=w, reason=d["reason"], user=request.user, actor=actor),
        _("预警已解除。"),
    )


@require_POST
def warning_escalate_view(request: HttpRequest, warning_id: int) -> HttpResponse:
    actor = request_actor(request)
    return _post_action(
        request,
        warning_id,
        forms.EscalateForm,
        "escalate_form",
        lambda w, d: warning_escalate(
            warning=w, level=d["level"], reason=d["reason"], user=request.user, actor=actor
        ),
        _("预警已升级。"),
    )


# --- signals ---------------------------------------------------------------------------------


def signal_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.read", ip=client_ip(request))
    qs = signals_for(request.user)
    loan_no = request.GET.get("loan", "").strip()
    if loan_no:
        qs = qs.filter(loan__loan_no=loan_no)
    status = request.GET.get("status", "open")
    if status in ("open", "closed"):
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-raised_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    return risk_page(
        request,
        "risk/signal_list.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "loan_no": loan_no,
            "status": status,
            "can_raise": has_perm(request.user, "signal.raise"),
        },
    )


def signal_new(request: HttpRequest) -> HttpResponse:
    from huifang.portfolio.selectors import loan_for

    ip = client_ip(request)
    require(request.user, "signal.raise", ip=ip)
    initial = {"loan": request.GET.get("loan", "")}
    form = forms.SignalForm(request.POST or None, initial=initial)
    loan = None
    if initial["loan"]:
        loan = loan_for(request.user, initial["loan"], ip=ip)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loan = loan_for(request.user, data["loan"].strip(), ip=ip)
            signal = signal_raise(
                loan=loan,
                code=data["code"],
                severity=data["severity"],
                evidence=data["evidence"],
                user=request.user,
                actor=request_actor(request),
            )
        except Http404:
            form.add_error("loan", _("没有这个借款合同编号"))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            warning = signal.warnings.order_by("-pk").first()
            messages.success(
                request,
                _("已登记预警信号：%(loan)s %(code)s")
                % {"loan": loan.loan_no, "code": signal.get_code_display()},
            )
            if warning is not None:
                return redirect("risk_warning_detail", warning_id=warning.pk)
            return redirect(f"{_signal_list_url()}?loan={loan.loan_no}")
    status = 422 if request.method == "POST" else 200
    return risk_page(request, "risk/signal_new.html", {"form": form, "loan": loan}, status=status)


def _signal_list_url() -> str:
    from django.urls import reverse

    return reverse("risk_signal_list")
