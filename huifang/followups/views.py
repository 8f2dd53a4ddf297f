"""The follow-up policy pages: list, a version as tables, the editor with its preview, a copy per product."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import require
from huifang.accounts.services import client_ip, request_actor
from huifang.followups.forms import PolicyEditForm, PolicyNewForm
from huifang.followups.models import (
    FollowupPolicy,
    PolicyVersion,
    SubjectRole,
    VisitChannel,
    VisitKind,
)
from huifang.followups.planning import PlannedVisit
from huifang.followups.policy import DISBURSEMENT, Candidate, Policy
from huifang.followups.policy_data import RISK_LEVELS, TERM_CLASSES
from huifang.followups.services.calendar import load_calendar
from huifang.followups.services.policies import (
    PolicyPreview,
    active_version,
    policy_copy_for_product,
    policy_preview,
    policy_save,
    version_policy,
)
from huifang.followups.services.policy_validation import (
    RISK_LEVEL_LABELS,
    TERM_CLASS_LABELS,
    channel_rule_label,
    rule_label,
)
from huifang.portfolio.models import Loan, LoanParty, LoanStatus, PartyRole
from huifang.portfolio.selectors import loan_for


def _gate(request: HttpRequest) -> None:
    require(request.user, "policy.manage", ip=client_ip(request))


# --- reading a version -------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateRow:
    order: int
    subject: str
    kind: str
    anchor: str
    when: str


def _when(c: Candidate) -> str:
    if c.step_months is not None:
        return _("每 %(n)d 个月") % {"n": c.step_months}
    assert c.offset_days is not None
    if c.offset_days >= 0:
        return _("后 %(n)d 天") % {"n": c.offset_days}
    return _("前 %(n)d 天") % {"n": -c.offset_days}


def policy_tables(policy: Policy) -> dict:
    """A policy as the detail page shows it: the step table, each rule's candidates, the channels."""
    kinds, roles = dict(VisitKind.choices), dict(SubjectRole.choices)
    channels = dict(VisitChannel.choices)
    steps = {(r.term_class, r.risk_level): r.periodic_step() for r in policy.rules}
    rules = []
    for rule in sorted(
        policy.rules,
        key=lambda r: (TERM_CLASSES.index(r.term_class), RISK_LEVELS.index(r.risk_level)),
    ):
        candidates = sorted(rule.candidates, key=lambda c: (c.subject_role != "borrower", c.order))
        rules.append(
            (
                rule_label(rule.term_class, rule.risk_level),
                [
                    CandidateRow(
                        order=c.order,
                        subject=str(roles.get(c.subject_role, c.subject_role)),
                        kind=str(kinds.get(c.kind, c.kind)),
                        anchor=_("放款日") if c.anchor == DISBURSEMENT else _("到期日"),
                        when=_when(c),
                    )
                    for c in candidates
                ],
            )
        )
    return {
        "risk_labels": [RISK_LEVEL_LABELS[r] for r in RISK_LEVELS],
        "steps": [
            (TERM_CLASS_LABELS[t], [steps.get((t, r)) for r in RISK_LEVELS]) for t in TERM_CLASSES
        ],
        "rules": rules,
        "channel_rules": [
            (channel_rule_label(r), channels.get(r.channel, r.channel))
            for r in policy.channel_rules
        ],
        "default_channel": channels.get(policy.default_channel, policy.default_channel),
        "collision_days": policy.collision_days,
        "short_term_max_months": policy.short_term_max_months,
        "default_risk_level": RISK_LEVEL_LABELS.get(
            policy.default_risk_level, policy.default_risk_level
        ),
    }


@dataclass(frozen=True)
class PolicyRow:
    policy: FollowupPolicy
    version: PolicyVersion | None
    loans: int  # active loans planned with it


def policy_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    policies = list(FollowupPolicy.objects.order_by("product"))
    versions = {
        v.policy_id: v
        for v in PolicyVersion.objects.filter(active=True).select_related("created_by")
    }
    counts = dict(
        Loan.objects.filter(status=LoanStatus.ACTIVE)
        .values_list("product")
        .annotate(n=Count("pk"))
        .order_by()
    )
    own = {p.product for p in policies if p.product}
    rows = [
        PolicyRow(
            policy=p,
            version=versions.get(p.pk),
            loans=(
                counts.get(p.product, 0)
                if p.product
                else sum(n for product, n in counts.items() if product not in own)
            ),
        )
        for p in policies
    ]
    return render(request, "followups/policy_list.html", {"rows": rows})


def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    _gate(request)
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    return _render_version(request, policy_obj, active_version(policy_obj))


def policy_version(request: HttpRequest, policy_id: int, number: int) -> HttpResponse:
    _gate(request)
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    version = get_object_or_404(
        PolicyVersion.objects.select_related("created_by"), policy=policy_obj, number=number
    )
    return _render_version(request, policy_obj, version)


def _render_version(
    request: HttpRequest, policy_obj: FollowupPolicy, version: PolicyVersion | None
) -> HttpResponse:
    return render(
        request,
        "followups/policy_detail.html",
        {
            "policy": policy_obj,
            "version": version,
            "tables": policy_tables(version_policy(version)),
            "history": policy_obj.versions.select_related("created_by").order_by("-number"),
        },
    )


# --- changing a policy -------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    due_date: date
    subject: str
    kind: str
    channel: str
    past: bool
    changed: bool  # not in the other plan


def _preview_rows(
    visits: list[PlannedVisit], other: list[PlannedVisit], names: dict[int, str], today: date
) -> list[PreviewRow]:
    kinds, roles = dict(VisitKind.choices), dict(SubjectRole.choices)
    channels = dict(VisitChannel.choices)
    others = set(other)
    rows = [
        PreviewRow(
            due_date=v.due_date,
            subject=(
                f"{roles[v.subject_role]} {names.get(v.subject_ref, '')}".strip()  # type: ignore[arg-type]
                if v.subject_ref is not None
                else str(roles[v.subject_role])
            ),
            kind=str(kinds.get(v.kind, v.kind)),
            channel=str(channels.get(v.channel, v.channel)),
            past=v.due_date < today,
            changed=v not in others,
        )
        for v in visits
    ]
    rows.sort(key=lambda r: r.due_date)
    return rows


def _preview_context(preview: PolicyPreview) -> dict:
    names = dict(
        LoanParty.objects.filter(loan=preview.loan, role=PartyRole.GUARANTOR).values_list(
            "pk", "name"
        )
    )
    today = timezone.localdate()
    current_rows = _preview_rows(preview.current, preview.edited, names, today)
    edited_rows = _preview_rows(preview.edited, preview.current, names, today)
    return {
        "preview": preview,
        "current_rows": current_rows,
        "edited_rows": edited_rows,
        "preview_tables": [
            (_("修改后的策略"), edited_rows),
            (_("当前生效版本"), current_rows),
        ],
        "added": len(set(preview.edited) - set(preview.current)),
        "removed": len(set(preview.current) - set(preview.edited)),
    }


def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    """The editor: Preview shows one loan's visits under the edit beside the current ones; Save
    makes the edit the policy's new active version."""
    _gate(request)
    policy_obj = get_object_or_404(FollowupPolicy, pk=policy_id)
    version = active_version(policy_obj)
    form = PolicyEditForm(request.POST or None, policy=version_policy(version))
    context: dict = {}
    if request.method == "POST" and form.is_valid():
        data = form.policy_data()
        try:
            if "preview" in request.POST:
                context = _preview(request, form, policy_obj, data)
            else:
                saved = policy_save(
                    policy_obj=policy_obj,
                    data=data,
                    note=form.cleaned_data["note"],
                    actor=request_actor(request),
                )
                messages.success(
                    request,
                    _("已保存为第 %(n)d 版并立即生效。受影响的贷款将在下次制定回访计划时重新安排。")
                    % {"n": saved.number},
                )
                return redirect("policy_detail", policy_obj.pk)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return render(
        request,
        "followups/policy_edit.html",
        {"policy": policy_obj, "version": version, "form": form, **context},
    )


def _preview(request: HttpRequest, form: PolicyEditForm, policy_obj: FollowupPolicy, data: dict):
    loan_no = form.cleaned_data["loan_no"].strip()
    if not loan_no:
        form.add_error("loan_no", _("请输入要预览的借款合同编号"))
        return {}
    try:
        loan = loan_for(request.user, loan_no, ip=client_ip(request))
    except Http404:
        form.add_error("loan_no", _("找不到借款合同编号“%(no)s”") % {"no": loan_no})
        return {}
    preview = policy_preview(policy_obj=policy_obj, loan=loan, data=data, calendar=load_calendar())
    return _preview_context(preview)


def policy_new(request: HttpRequest) -> HttpResponse:
    _gate(request)
    form = PolicyNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            policy_obj = policy_copy_for_product(
                product=form.cleaned_data["product"],
                name=form.cleaned_data["name"],
                actor=request_actor(request),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("已为“%(product)s”复制默认策略（第 1 版）。修改并保存后即对该产品生效。")
                % {"product": policy_obj.product},
            )
            return redirect("policy_edit", policy_obj.pk)
    own = FollowupPolicy.objects.exclude(product="").values("product")
    products = (
        Loan.objects.exclude(product__in=own)
        .order_by("product")
        .values_list("product", flat=True)
        .distinct()
    )
    return render(request, "followups/policy_new.html", {"form": form, "products": products})
