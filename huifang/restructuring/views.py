"""The restructuring pages (还款计划调整): the list, one proposal with its decision and its
correction, and a schedule version as CSV (the simulator with the proposal form:
simulator_views.py).

Everything works without JavaScript: 试算 and 采用此方案 are submit buttons of the same
form, the chart is inline SVG and each option's installments fold into <details>.
"""

import csv
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huifang.accounts.gate import deny, has_perm, require
from huifang.accounts.models import User
from huifang.accounts.services import client_ip, request_actor
from huifang.portfolio.exports import SCHEDULE_HEADER, schedule_rows
from huifang.portfolio.models import Loan
from huifang.portfolio.selectors import loan_dpd, loan_for, schedule_versions
from huifang.restructuring import selectors
from huifang.restructuring.comparison import (
    compare,
    effective_from,
    loan_warnings,
    outcome_error,
    spread_errors,
    typed_option,
)
from huifang.restructuring.forms import (
    ALL,
    HUNDRED,
    STATUS_TABS,
    DecisionForm,
    OptionForm,
    ProposalFilterForm,
    ProposalForm,
    WithdrawForm,
)
from huifang.restructuring.models import Proposal, ProposalStatus
from huifang.restructuring.services import (
    proposal_decide,
    proposal_resubmit,
    proposal_withdraw,
)
from huifang.restructuring.simulate import (
    Terms,
    basis_for,
)
from huifang.web.views import signed_in_user

PER_PAGE = 50


# --- one proposal ---------------------------------------------------------------------------


def _terms_initial(proposal: Proposal) -> dict[str, Any]:
    rate = proposal.new_rate
    return {
        "extend_months": proposal.extend_months or None,
        "interest_only_months": proposal.interest_only_months or None,
        "new_rate": None if rate is None else (rate * HUNDRED).normalize(),
        "new_method": proposal.new_method,
        "capitalise_overdue_interest": proposal.capitalise_overdue_interest,
        "target_instalment": proposal.target_instalment,
    }


def _detail(
    request: HttpRequest,
    proposal: Proposal,
    *,
    decision_form: DecisionForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    edit: tuple[ProposalForm, OptionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    loan = proposal.loan
    today = timezone.localdate()
    waiting = proposal.status == ProposalStatus.PROPOSED
    own = proposal.proposed_by_id == user.pk
    approver = has_perm(user, "restructuring.approve")
    proposer = has_perm(user, "restructuring.propose")
    can_edit = proposal.status == ProposalStatus.RETURNED and own and proposer
    context: dict[str, Any] = {
        "proposal": proposal,
        "loan": loan,
        "dpd": loan_dpd(loan, today),
        "today": today,
        "steps": list(proposal.steps.select_related("by")),
        "can_decide": waiting and approver and not own,
        "own_waiting": waiting and approver and own,
        "can_withdraw": proposal.is_open and proposer and (own or approver),
        "can_edit": can_edit,
        "decision_form": decision_form or DecisionForm(initial={"revision": proposal.revision}),
        "withdraw_form": withdraw_form or WithdrawForm(initial={"revision": proposal.revision}),
    }
    if proposal.status == ProposalStatus.APPROVED and proposal.version is not None:
        version = proposal.version
        rows = list(version.installments.all())
        context.update(
            version=version,
            version_rows=rows,
            version_carried=any(r.carried_interest for r in rows),
        )
    else:
        terms = Terms(**proposal.terms())
        label = _("本申请")
        if can_edit:
            warnings = loan_warnings(loan)
            if edit is None:
                main = ProposalForm(
                    initial={
                        "effective_date": proposal.effective_date,
                        "reason": proposal.reason,
                        "financial_difficulty": proposal.financial_difficulty,
                        "warning": proposal.warning_id,
                        "revision": proposal.revision,
                    },
                    warnings=warnings,
                )
                option = OptionForm(initial=_terms_initial(proposal))
            else:
                main, option = edit
                effective = effective_from(main, proposal.effective_date)
                typed = typed_option(option, effective)
                if typed is not None:
                    terms, label = typed, _("修改后的方案")
            context.update(edit_form=main, edit_option=option)
        basis = basis_for(loan)
        columns, chart = compare(basis, terms.effective_date, [(label, terms, "mine")])
        if edit is not None:
            outcome_error(columns[1].outcome, *edit)
        context.update(columns=columns, chart=chart, new=columns[1], current=columns[0])
    return render(request, "restructuring/proposal_detail.html", context, status=status)


def restructuring_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_for(request.user, pk, ip=client_ip(request))
    return _detail(request, proposal)


@require_POST
def restructuring_decide(request: HttpRequest, pk: int) -> HttpResponse:
    ip = client_ip(request)
    proposal = selectors.proposal_for(request.user, pk, ip=ip)
    require(request.user, "restructuring.approve", ip=ip)
    form = DecisionForm(request.POST)
    form.is_valid()
    decision = request.POST.get("decision", "")
    try:
        proposal = proposal_decide(
            proposal=proposal,
            decision=decision,
            comment=form.cleaned_data.get("comment") or "",
            user=signed_in_user(request),
            actor=request_actor(request),
            revision=form.cleaned_data.get("revision"),
        )
    except ValidationError as exc:
        from huifang.lib.forms import add_errors

        add_errors(form, exc)
        proposal.refresh_from_db()
        return _detail(request, proposal, decision_form=form, status=422)
    if proposal.status == ProposalStatus.APPROVED and proposal.version is not None:
        text = _("已批准：第 %(number)s 版还款计划自 %(date)s 起生效。") % {
            "number": proposal.version.number,
            "date": proposal.effective_date.isoformat(),
        }
    else:
        text = _("申请 #%(id)s：%(status)s。") % {
            "id": proposal.pk,
            "status": proposal.get_status_display(),
        }
    messages.success(request, text)
    return redirect("restructuring_detail", proposal.pk)


@require_POST
def restructuring_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    ip = client_ip(request)
    proposal = selectors.proposal_for(request.user, pk, ip=ip)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        proposal_withdraw(
            proposal=proposal,
            comment=form.cleaned_data.get("comment") or "",
            user=signed_in_user(request),
            actor=request_actor(request),
            revision=form.cleaned_data.get("revision"),
        )
    except ValidationError as exc:
        from huifang.lib.forms import add_errors

        add_errors(form, exc)
        proposal.refresh_from_db()
        return _detail(request, proposal, withdraw_form=form, status=422)
    messages.success(request, _("申请 #%(id)s 已撤回。") % {"id": proposal.pk})
    return redirect("restructuring_detail", proposal.pk)


@require_POST
def restructuring_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposer's corrections of a returned proposal: 试算 again, or submit them."""
    ip = client_ip(request)
    proposal = selectors.proposal_for(request.user, pk, ip=ip)
    require(request.user, "restructuring.propose", ip=ip)
    if proposal.proposed_by_id != request.user.pk:
        raise deny(
            request.user,
            what="restructuring proposal of another user",
            object_type="restructuring.proposal",
            object_id=str(proposal.pk),
            ip=ip,
        )
    main = ProposalForm(request.POST, warnings=loan_warnings(proposal.loan))
    option = OptionForm(request.POST)
    status = 200
    if request.POST.get("action") == "submit":
        if main.is_valid() and option.is_valid():
            data = main.cleaned_data
            try:
                proposal_resubmit(
                    proposal=proposal,
                    terms=option.terms(data["effective_date"]),
                    reason=data["reason"],
                    financial_difficulty=data["financial_difficulty"],
                    warning_id=data["warning"],
                    revision=data["revision"],
                    user=signed_in_user(request),
                    actor=request_actor(request),
                )
            except ValidationError as exc:
                spread_errors(exc, main, option)
            else:
                messages.success(
                    request, _("申请 #%(id)s 已修改并重新提交。") % {"id": proposal.pk}
                )
                return redirect("restructuring_detail", proposal.pk)
        status = 422
    return _detail(request, proposal, edit=(main, option), status=status)


# --- the list -------------------------------------------------------------------------------


def restructuring_list(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    require(request.user, "loan.read", ip=ip)
    visible = selectors.proposals_for(request.user)
    approver = has_perm(request.user, "restructuring.approve")
    statuses = [value for value, _label in STATUS_TABS]
    status = request.GET.get("status", "")
    if status not in statuses:
        status = ProposalStatus.PROPOSED.value if approver else ALL
    proposers = User.objects.filter(pk__in=visible.values("proposed_by")).order_by("username")
    form = ProposalFilterForm(request.GET, proposers=proposers)
    qs = visible
    if form.is_valid():
        f = form.cleaned_data
        if f["loan"]:
            qs = qs.filter(loan__loan_no__icontains=f["loan"].strip())
        if f["borrower"]:
            qs = qs.filter(loan__borrower__name__icontains=f["borrower"].strip())
        if f["proposer"]:
            qs = qs.filter(proposed_by_id=f["proposer"])
        for name, lookup in (
            ("effective_from", "effective_date__gte"),
            ("effective_to", "effective_date__lte"),
            ("maturity_from", "new_maturity__gte"),
            ("maturity_to", "new_maturity__lte"),
        ):
            if f[name]:
                qs = qs.filter(**{lookup: f[name]})
    else:
        qs = qs.none()  # the form names what is wrong
    counts = {
        row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("pk"))
    }
    counts[ALL] = sum(counts.values())
    if status != ALL:
        qs = qs.filter(status=status)
    page = Paginator(qs.select_related("loan__branch"), PER_PAGE).get_page(request.GET.get("page"))
    filtered = any(
        request.GET.get(name) for name in ProposalFilterForm.base_fields if name in request.GET
    )
    return render(
        request,
        "restructuring/proposal_list.html",
        {
            "form": form,
            "status": status,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in STATUS_TABS],
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "filtered": filtered,
            "waiting": selectors.waiting_count(request.user),
            "approver": approver,
            "can_propose": has_perm(request.user, "restructuring.propose"),
        },
    )


# --- a schedule version as CSV --------------------------------------------------------------


def loan_schedule_csv(request: HttpRequest, loan_no: str) -> HttpResponse:
    """A version (?version=N, else the one in force) as CSV; interest includes carried interest."""
    loan = loan_for(request.user, loan_no, ip=client_ip(request))
    versions = {v.number: v for v in schedule_versions(loan)}
    asked = request.GET.get("version", "")
    if asked:
        if not asked.isdigit() or int(asked) not in versions:
            raise Http404(asked)
        version = versions[int(asked)]
    elif loan.schedule_version in versions:
        version = versions[loan.schedule_version]
    elif versions:
        version = versions[max(versions)]
    else:
        raise Http404(loan_no)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", loan.loan_no)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe}-v{version.number}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    # The same columns and figures as `huifang export_schedule` (portfolio.exports).
    writer.writerow(SCHEDULE_HEADER)
    writer.writerows(schedule_rows(Loan.objects.filter(pk=loan.pk), version.number))
    return response
