"""The simulator (试算) and the proposal form (提交申请) for one loan (还款计划调整).

Works without JavaScript: 试算 and 采用此方案 are submit buttons of the same form, the
chart is inline SVG and each option's installments fold into <details>.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from huifang.accounts.gate import require
from huifang.accounts.services import client_ip, request_actor
from huifang.portfolio.selectors import loan_dpd, loan_for
from huifang.restructuring.comparison import (
    Column,
    compare,
    default_effective,
    effective_from,
    loan_warnings,
    open_warning_id,
    outcome_error,
    spread_errors,
    typed_option,
)
from huifang.restructuring.forms import (
    TERM_FIELDS,
    OptionForm,
    ProposalForm,
    option_data,
)
from huifang.restructuring.models import OPEN_STATUSES
from huifang.restructuring.services import (
    proposal_create,
)
from huifang.restructuring.simulate import (
    basis_for,
    suggested_options,
)
from huifang.web.views import signed_in_user

ALT_PREFIX = "alt"  # the second option column (方案B)


def restructuring_new(request: HttpRequest, loan_no: str) -> HttpResponse:
    """试算 and 提交申请 for one loan (the loan must be one the user may change)."""
    ip = client_ip(request)
    require(request.user, "restructuring.propose", ip=ip)
    loan = loan_for(request.user, loan_no, write=True, ip=ip)
    today = timezone.localdate()
    basis = basis_for(loan)
    default = default_effective(basis, today)
    warnings = loan_warnings(loan)
    data: QueryDict | None = None
    if request.method == "POST":
        data = request.POST
    elif "effective_date" in request.GET:
        data = request.GET
    action = data.get("action", "") if data is not None else ""
    initial = {
        "effective_date": default,
        "warning": open_warning_id(warnings),
        "financial_difficulty": True,
    }
    main = ProposalForm(data, initial=initial, warnings=warnings)
    effective = effective_from(main, default)
    suggested = suggested_options(basis, effective) if effective else []

    adopt = data.get("adopt", "") if data is not None else ""
    if data is not None and adopt.isdigit() and int(adopt) < len(suggested):
        # 采用此方案: the suggested option's terms become 我的方案's fields; the rest stays typed.
        data = data.copy()
        for name in TERM_FIELDS:
            data.pop(name, None)
        data.update(option_data(suggested[int(adopt)][1]))
        action = ""
    mine = OptionForm(data)
    alt = OptionForm(data, prefix=ALT_PREFIX)

    status = 200
    if request.method == "POST" and action == "submit":
        main_ok, mine_ok = main.is_valid(), mine.is_valid()
        if main_ok and not main.cleaned_data["reason"].strip():
            # The service says so too; here it is said with the other fields' errors at once.
            main.add_error("reason", _("请写明调整原因（借款人的情况、协商经过）"))
            main_ok = False
        if main_ok and mine_ok and effective is not None:
            try:
                proposal = proposal_create(
                    loan=loan,
                    terms=mine.terms(effective),
                    reason=main.cleaned_data["reason"],
                    financial_difficulty=main.cleaned_data["financial_difficulty"],
                    warning_id=main.cleaned_data["warning"],
                    user=signed_in_user(request),
                    actor=request_actor(request),
                )
            except ValidationError as exc:
                spread_errors(exc, main, mine)
            else:
                messages.success(
                    request,
                    _("还款计划调整申请 #%(id)s 已提交，等待风险经理审批。") % {"id": proposal.pk},
                )
                return redirect("restructuring_detail", proposal.pk)
        status = 422

    columns: list[Column] = []
    chart = None
    if effective is not None:
        options = [(label, terms, "option") for label, terms in suggested]
        mine_terms = typed_option(mine, effective)
        if mine_terms is not None:
            options.append((_("我的方案"), mine_terms, "mine"))
        if alt.is_bound and not alt.blank():
            alt_terms = typed_option(alt, effective)
            if alt_terms is not None:
                options.append((_("方案B"), alt_terms, "alt"))
        columns, chart = compare(basis, effective, options)
        for column in columns:
            if column.kind == "mine":
                outcome_error(column.outcome, main, mine)
            elif column.kind == "alt":
                outcome_error(column.outcome, main, alt)

    return render(
        request,
        "restructuring/simulator.html",
        {
            "loan": loan,
            "basis": basis,
            "dpd": loan_dpd(loan, today),
            "today": today,
            "default_effective": default,
            "effective": effective,
            "form": main,
            "mine": mine,
            "alt": alt,
            "alt_open": alt.is_bound and not alt.blank(),
            "columns": columns,
            "chart": chart,
            "open_proposal": loan.restructuring_proposals.filter(status__in=OPEN_STATUSES).first(),
        },
        status=status,
    )
