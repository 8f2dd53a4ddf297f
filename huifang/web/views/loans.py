"""The loan pages: list, detail, edit, and recording a repayment."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huifang.accounts.gate import has_perm, require
from huifang.accounts.services import request_actor
from huifang.audit.models import AuditEvent
from huifang.portfolio import loanmath, selectors
from huifang.portfolio.models import LoanStatus, ScheduleVersion
from huifang.portfolio.services.loans import loan_update
from huifang.portfolio.services.repayments import record_repayments
from huifang.restructuring.selectors import observation_of, proposals_for
from huifang.web.forms import LoanEditForm, LoanFilterForm, RepaymentForm
from huifang.web.views import signed_in_user

LOANS_PER_PAGE = 50
LOAN_AUDIT_TYPES = ("portfolio.loan", "portfolio.repayment", "portfolio.loanparty")
LOAN_AUDIT_LIMIT = 200

# Installment states shown in 逾期情况 (overdue wins over partly paid: it is what needs acting on).
PAID, PARTIAL, OVERDUE, NOT_DUE, NOTHING_DUE, SETTLED = (
    "paid",
    "partial",
    "overdue",
    "not_due",
    "nothing_due",
    "settled",
)
STATE_LABELS = {
    PAID: gettext_lazy("已还清"),
    PARTIAL: gettext_lazy("部分还款"),
    OVERDUE: gettext_lazy("逾期"),
    NOT_DUE: gettext_lazy("未到期"),
    NOTHING_DUE: gettext_lazy("无应还款"),
    # What a restructuring moved into the new version's outstanding principal.
    SETTLED: gettext_lazy("未还部分已转入调整后计划"),
}
STATE_BADGES = {
    PAID: "badge-ok",
    PARTIAL: "badge-warn",
    OVERDUE: "badge-danger",
    NOT_DUE: "badge-muted",
    NOTHING_DUE: "badge-muted",
    SETTLED: "badge-muted",
}


@dataclass(frozen=True)
class InstallmentRow:
    """One installment of the schedule in force with what has been paid on it."""

    period: int
    due_date: date
    payment: Decimal
    interest_paid: Decimal
    principal_paid: Decimal
    left: Decimal
    overdue_days: int
    state: str

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def badge(self) -> str:
        return STATE_BADGES[self.state]


def installment_rows(allocation: loanmath.Allocation, today: date) -> list[InstallmentRow]:
    rows = []
    for s in allocation.states:
        inst = s.installment
        paid = s.interest_paid + s.principal_paid
        if inst.payment == 0:
            state = NOTHING_DUE
        elif s.settled:
            state = SETTLED
        elif s.is_covered:
            state = PAID
        elif inst.due_date < today:
            state = OVERDUE
        elif paid > 0:
            state = PARTIAL
        else:
            state = NOT_DUE
        rows.append(
            InstallmentRow(
                period=inst.period,
                due_date=inst.due_date,
                payment=inst.payment,
                interest_paid=s.interest_paid,
                principal_paid=s.principal_paid,
                left=loanmath.ZERO if s.settled else inst.payment - paid,
                overdue_days=(today - inst.due_date).days if state == OVERDUE else 0,
                state=state,
            )
        )
    return rows


def loan_list(request: HttpRequest) -> HttpResponse:
    visible = selectors.loans_for(request.user)
    form = LoanFilterForm(request.GET, visible=visible)
    loans = selectors.loan_search(
        visible, **form.search_args(), as_of=timezone.localdate()
    ).select_related("borrower", "branch", "officer")
    page = Paginator(loans, LOANS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/loan_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def loan_detail(request: HttpRequest, loan_no: str) -> HttpResponse:
    loan = selectors.loan_for(request.user, loan_no)
    today = timezone.localdate()
    versions = selectors.schedule_versions(loan)
    shown = _version_shown(versions, request.GET.get("version"), loan.schedule_version)
    allocation = selectors.loan_allocation(loan)
    rows = installment_rows(allocation, today)
    overdue = [r for r in rows if r.state == OVERDUE]
    # The installment table opens scrolled to the first one not yet paid (static/huifang/app.js).
    first_open = next(
        (i for i, r in enumerate(rows) if r.state in (OVERDUE, PARTIAL, NOT_DUE)), None
    )
    can_write = selectors.loans_for(request.user, write=True).filter(pk=loan.pk).exists()
    proposals = list(proposals_for(request.user).filter(loan=loan).select_related("version"))
    installments = list(shown.installments.all()) if shown else []
    audit_events = None
    if has_perm(request.user, "audit.read"):
        audit_events = list(
            AuditEvent.objects.filter(
                object_type__in=LOAN_AUDIT_TYPES, object_id=loan.loan_no
            ).order_by("-id")[:LOAN_AUDIT_LIMIT]
        )
    return render(
        request,
        "web/loan_detail.html",
        {
            "loan": loan,
            "borrower": loan.borrower,
            "show_pii": has_perm(request.user, "pii.read"),
            "parties": list(loan.parties.all()),
            "collateral": list(loan.collateral.select_related("custodian")),
            "versions": versions,
            "shown_version": shown,
            "installments": installments,
            # restructuring.md: overdue interest carried to the first period, as its own column.
            "shown_carried": any(i.carried_interest for i in installments),
            "proposals": proposals,
            "version_proposals": {p.version_id: p for p in proposals if p.version_id},
            "observation": observation_of(loan, today, allocation),
            "can_restructure": can_write
            and loan.status == LoanStatus.ACTIVE
            and has_perm(request.user, "restructuring.propose"),
            "repayments": list(
                loan.repayments.select_related("recorded_by").order_by("paid_date", "id")
            ),
            "dpd": loanmath.days_past_due(allocation, today),
            "allocation": allocation,
            "installment_rows": rows,
            "first_open": first_open,
            "overdue": {
                "count": len(overdue),
                "amount": sum((r.left for r in overdue), Decimal(0)),
            },
            "today": today,
            "can_write": can_write,
            "can_record": can_write and has_perm(request.user, "repayment.record"),
            "audit_events": audit_events,
            "audit_limit": LOAN_AUDIT_LIMIT,
        },
    )


def _version_shown(
    versions: list[ScheduleVersion], asked: str | None, current: int
) -> ScheduleVersion | None:
    """The version asked for in ?version=N, else the one in force (old versions stay readable)."""
    by_number = {v.number: v for v in versions}
    if asked and asked.isdigit() and int(asked) in by_number:
        return by_number[int(asked)]
    return by_number.get(current) or (versions[-1] if versions else None)


def loan_edit(request: HttpRequest, loan_no: str) -> HttpResponse:
    loan = selectors.loan_for(request.user, loan_no, write=True)
    form = LoanEditForm(request.POST or None, loan=loan)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            if changes:
                loan_update(loan=loan, actor=request_actor(request), **changes)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if changes:
                messages.success(request, _("贷款 %(no)s 已更新。") % {"no": loan.loan_no})
            else:
                messages.info(request, _("没有任何修改。"))
            return redirect("loan_detail", loan_no=loan.loan_no)
    return render(request, "web/loan_edit.html", {"loan": loan, "form": form})


def repayment_new(request: HttpRequest, loan_no: str) -> HttpResponse:
    require(request.user, "repayment.record")
    loan = selectors.loan_for(request.user, loan_no, write=True)
    form = RepaymentForm(request.POST or None, loan=loan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            record_repayments(
                [(loan, data["paid_date"], data["amount"])],
                actor=request_actor(request),
                by=signed_in_user(request),
                source="manual",
                note=data["note"],
            )
        messages.success(
            request,
            _("已登记 %(date)s 还款 ¥%(amount)s。")
            % {"date": data["paid_date"].isoformat(), "amount": f"{data['amount']:,.2f}"},
        )
        return redirect("loan_detail", loan_no=loan.loan_no)
    return render(request, "web/repayment_new.html", {"loan": loan, "form": form})
