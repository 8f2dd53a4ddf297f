"""Classification pages: proposals awaiting approval, the runs, one loan's history and actions."""

import json
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import branch_scope, has_perm, require
from huifang.accounts.models import Branch
from huifang.accounts.services import client_ip, request_actor
from huifang.classification.floors import category_label, describe_rules, reason_label
from huifang.classification.models import Category, Trigger
from huifang.classification.selectors import (
    PENDING_STEPS,
    can_decide,
    confirmed_categories,
    current_rules,
    latest_rules_version,
    latest_steps,
    latest_suggestions,
    loan_history,
    loan_suggestions,
    pending_for,
    rules_versions_for,
    runs_for,
)
from huifang.classification.services import classification_act, classify, rules_save
from huifang.portfolio.selectors import loan_for
from huifang.risk.codes import SignalCode

PER_PAGE = 50
ACTIONS = ("propose", "review", "approve", "change")


def _reasons(codes: list[str]) -> list[str]:
    return [reason_label(code) for code in codes]


def classification_list(request: HttpRequest) -> HttpResponse:
    """待审批: the latest step of each loan that still waits for review or approval."""
    require(request.user, "risk.read", ip=client_ip(request))
    scope = branch_scope(request.user)
    branches = list(Branch.objects.all() if scope is None else Branch.objects.filter(pk__in=scope))
    branch = request.GET.get("branch", "")
    category = request.GET.get("category", "")
    q = request.GET.get("q", "").strip()
    pending = pending_for(
        request.user,
        branch=int(branch) if branch.isdigit() else None,
        category=category if category in Category.values else "",
        q=q,
        ip=client_ip(request),
    )
    page = Paginator(pending, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    loan_ids = [row.loan_id for row in rows]
    confirmed = confirmed_categories(loan_ids)
    suggested = latest_suggestions(loan_ids)
    items = [
        {
            "step": row,
            "loan": row.loan,
            "confirmed": confirmed.get(row.loan_id),
            "suggestion": suggested.get(row.loan_id),
            "reasons": _reasons(suggested[row.loan_id].reasons) if row.loan_id in suggested else [],
            "can_decide": can_decide(request.user, row),
        }
        for row in rows
    ]
    return render(
        request,
        "classification/classification_list.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "items": items,
            "branches": branches,
            "categories": Category.choices,
            "chosen": {"branch": branch, "category": category, "q": q},
            "filtered": bool(branch or category or q),
            "can_run": has_perm(request.user, "classification.run"),
        },
    )


def classification_runs(request: HttpRequest) -> HttpResponse:
    runs = runs_for(request.user, ip=client_ip(request))
    page = Paginator(runs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "classification/classification_runs.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "can_run": has_perm(request.user, "classification.run"),
            "today": timezone.localdate(),
        },
    )


@require_POST
def classification_run(request: HttpRequest) -> HttpResponse:
    """运行五级分类 now, as of a date (default today)."""
    require(request.user, "classification.run", ip=client_ip(request))
    text = request.POST.get("as_of", "").strip()
    try:
        as_of = date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        messages.error(
            request, _("分类基准日“%(value)s”不是有效日期（格式：YYYY-MM-DD）。") % {"value": text}
        )
        return redirect("classification_runs")
    run = classify(as_of=as_of, actor=request_actor(request), trigger=Trigger.UI)
    messages.success(
        request,
        _(
            "已完成 %(date)s 的五级分类：%(loans)s 笔贷款，%(changed)s 笔建议变化，%(proposed)s 笔待审批。"
        )
        % {"date": as_of, "loans": run.loans, "changed": run.changed, "proposed": run.proposed},
    )
    return redirect("classification_runs")


def _loan_context(request: HttpRequest, loan, *, errors=None, form=None) -> dict:
    latest = latest_steps([loan.pk]).get(loan.pk)
    pending = latest if latest is not None and latest.step in PENDING_STEPS else None
    suggestion = latest_suggestions([loan.pk]).get(loan.pk)
    user = request.user
    return {
        "loan": loan,
        "history": loan_history(loan),
        "suggestions": [{"row": s, "reasons": _reasons(s.reasons)} for s in loan_suggestions(loan)],
        "suggestion": suggestion,
        "suggestion_reasons": _reasons(suggestion.reasons) if suggestion else [],
        "confirmed": confirmed_categories([loan.pk]).get(loan.pk),
        "pending": pending,
        "can_propose": has_perm(user, "classification.propose"),
        "can_decide": pending is not None and can_decide(user, pending),
        "own_pending": pending is not None
        and has_perm(user, "classification.approve")
        and not can_decide(user, pending),
        "categories": Category.choices,
        "errors": errors or {},
        "form": form or {},
    }


def classification_loan(request: HttpRequest, loan_no: str) -> HttpResponse:
    ip = client_ip(request)
    require(request.user, "risk.read", ip=ip)
    loan = loan_for(request.user, loan_no, ip=ip)
    return render(request, "classification/classification_loan.html", _loan_context(request, loan))


@require_POST
def classification_loan_act(request: HttpRequest, loan_no: str) -> HttpResponse:
    ip = client_ip(request)
    loan = loan_for(request.user, loan_no, ip=ip)
    action = request.POST.get("action", "")
    category = request.POST.get("category", "")
    reason = request.POST.get("reason", "")
    if action not in ACTIONS:
        require(request.user, "classification.propose", ip=ip)
    elif action == "propose":
        require(request.user, "classification.propose", ip=ip)
    else:
        require(request.user, "classification.approve", ip=ip)
    try:
        row = classification_act(
            loan=loan,
            action=action,
            category=category,
            reason=reason,
            user=request.user,
            actor=request_actor(request),
        )
    except ValidationError as exc:
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        messages.error(request, _("未保存：%(errors)s") % {"errors": " ".join(errors.values())})
        context = _loan_context(
            request,
            loan,
            errors=errors,
            form={"action": action, "category": category, "reason": reason},
        )
        return render(request, "classification/classification_loan.html", context, status=422)
    messages.success(
        request,
        _("%(loan)s：已%(step)s，分类为%(category)s。")
        % {
            "loan": loan.loan_no,
            "step": row.get_step_display(),
            "category": category_label(row.category),
        },
    )
    back = request.POST.get("next", "")
    if back == "list":
        return redirect("classification_list")
    return redirect(reverse("classification_loan", args=[loan.loan_no]))


RULES_EXAMPLE = {
    "signals": {"fund_misuse": "special_mention", "legal_risk": "substandard"},
}


def _rules_text(rules: dict) -> str:
    return json.dumps(rules, ensure_ascii=False, indent=2)


def classification_rules(request: HttpRequest) -> HttpResponse:
    """分类规则: the floors in force, their versions, and a form for a new version."""
    ip = client_ip(request)
    versions = rules_versions_for(request.user, ip=ip)
    rules = current_rules()
    form = {"rules": _rules_text(rules), "note": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = {"rules": request.POST.get("rules", ""), "note": request.POST.get("note", "")}
        try:
            parsed = json.loads(form["rules"])
        except json.JSONDecodeError as exc:
            errors["rules"] = _("规则不是有效的 JSON：第 %(line)s 行第 %(col)s 列，%(msg)s。") % {
                "line": exc.lineno,
                "col": exc.colno,
                "msg": exc.msg,
            }
        else:
            try:
                version = rules_save(
                    rules=parsed, note=form["note"], user=request.user, actor=request_actor(request)
                )
            except ValidationError as exc:
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            else:
                messages.success(
                    request,
                    _("已保存分类规则第 %(number)s 版，下次运行五级分类时生效。")
                    % {"number": version.number},
                )
                return redirect("classification_rules")
        messages.error(request, _("未保存：%(errors)s") % {"errors": " ".join(errors.values())})
        status = 422
    latest = latest_rules_version()
    return render(
        request,
        "classification/classification_rules.html",
        {
            "lines": describe_rules(rules),
            "current": latest,
            "versions": [{"row": v, "lines": describe_rules(v.rules)} for v in versions[:PER_PAGE]],
            "form": form,
            "errors": errors,
            "example": _rules_text(RULES_EXAMPLE),
            "signal_codes": SignalCode.choices,
        },
        status=status,
    )
