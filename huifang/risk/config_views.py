"""The risk configuration pages: the risk lexicon and the warning rules, each with a preview."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from huifang.accounts.gate import require
from huifang.accounts.services import client_ip, request_actor
from huifang.lib.forms import add_errors
from huifang.risk import forms, lexicon
from huifang.risk import rules as rules_core
from huifang.risk.codes import Level, Severity, SignalCode
from huifang.risk.models import LexiconTerm, WarningRule, WarningStatus
from huifang.risk.selectors import active_rules, active_terms
from huifang.risk.services import lexicon_term_save, warning_rule_save
from huifang.risk.views import risk_page


def _preview(form: forms.PreviewForm) -> dict[str, Any] | None:
    if not form.is_bound or not form.is_valid():
        return None
    data = form.cleaned_data
    hits = lexicon.match(data["text"] or "", active_terms())
    facts = rules_core.Facts(
        signals=[rules_core.OpenSignal(None, h.code, h.severity) for h in hits],
        dpd=data.get("dpd") or 0,
        failed_contacts=data.get("failed_contacts") or 0,
        partial_payment=bool(data.get("partial_payment")),
    )
    outcome = rules_core.evaluate(active_rules(), facts)
    return {
        "hits": [
            {
                "term": h.term,
                "code": SignalCode(h.code).label if h.code in SignalCode.values else h.code,
                "severity": Severity(h.severity).label if h.severity in Severity.values else "",
                "excerpt": h.excerpt,
            }
            for h in hits
        ],
        "level": Level(outcome.level).label if outcome.level else None,
        "level_code": outcome.level,
        "rules": outcome.rules,
    }


def lexicon_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.rules", ip=client_ip(request))
    preview_form = forms.PreviewForm(request.GET if "text" in request.GET else None)
    form = forms.LexiconTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            term = lexicon_term_save(**data, user=request.user, actor=request_actor(request))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("风险词“%(term)s”已保存。") % {"term": term.term})
            return redirect("risk_lexicon")
    status = 422 if request.method == "POST" else 200
    return risk_page(
        request,
        "risk/lexicon.html",
        {
            "terms": LexiconTerm.objects.select_related("updated_by").order_by("code", "term"),
            "form": form,
            "preview_form": preview_form,
            "preview": _preview(preview_form),
            "negators": "、".join(sorted(lexicon.NEGATORS)),
        },
        status=status,
    )


def rules_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "risk.rules", ip=client_ip(request))
    preview_form = forms.PreviewForm(request.GET if request.GET else None)
    form = forms.RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = warning_rule_save(**data, user=request.user, actor=request_actor(request))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("预警规则“%(name)s”已保存。") % {"name": rule.name})
            return redirect("risk_rules")
    status = 422 if request.method == "POST" else 200
    return risk_page(
        request,
        "risk/rules.html",
        {
            "rules": WarningRule.objects.select_related("updated_by").order_by("position", "code"),
            "form": form,
            "preview_form": preview_form,
            "preview": _preview(preview_form),
            "signal_codes": SignalCode.choices,
            "statuses": WarningStatus.choices,
        },
        status=status,
    )
