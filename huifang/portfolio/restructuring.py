"""Restructuring arithmetic (还款计划调整), restructuring.md: the pure core.

Plain functions on plain values (Decimal, date, int), built on loanmath.py: the
old schedule is only read, never changed; the result is the new version's
installments from the effective date on. Refusals raise RestructuringError (a
ValueError) with a translatable message naming what is wrong and the input it
concerns.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, localcontext
from typing import NamedTuple

from django.utils.translation import gettext as _

from huifang.lib.dates import add_months
from huifang.portfolio.loanmath import (
    MAX_TERM_MONTHS,
    METHODS,
    SPEC_CONTEXT,
    ZERO,
    Installment,
    Payment,
    allocate,
    amortise,
    round_cents,
)


class RestructuringError(ValueError):
    """Terms restructuring.md refuses; `field` names the input (or "" for the whole)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class RestructuredInstallment(NamedTuple):
    """One period of the new version.

    carried_interest is the overdue interest carried, unchanged and interest-free,
    to the first due date when it is not capitalised (its own line; 0 elsewhere).
    """

    period: int
    due_date: date
    principal: Decimal
    interest: Decimal
    balance: Decimal
    carried_interest: Decimal = ZERO

    @property
    def payment(self) -> Decimal:
        return self.principal + self.interest + self.carried_interest


def outstanding_at(
    schedule: Sequence[Installment], repayments: Iterable[Payment], effective: date
) -> tuple[Decimal, Decimal]:
    """(O, overdue interest) at the effective date, restructuring.md steps 1-2.

    The repayments made before `effective` go through the waterfall of
    loan-math.md; O is the schedule's principal they did not cover, the overdue
    interest the interest of installments due before `effective` they did not cover.
    """
    before = [p for p in repayments if p.paid_date < effective]
    states = [s for s in allocate(schedule, before).states if not s.settled]
    outstanding = sum((s.principal_due_left for s in states), ZERO)
    overdue = sum((s.interest_due_left for s in states if s.installment.due_date < effective), ZERO)
    return outstanding, overdue


def _instalment(principal: Decimal, r: Decimal, term: int) -> Decimal:
    """The first-period payment of an equal-instalment schedule of `term` months (A)."""
    if r == 0:
        return round_cents(principal / term)  # "r == 0: as equal_principal"
    growth = (1 + r) ** term
    return round_cents(principal * r * growth / (growth - 1))


def _solve_term(principal: Decimal, r: Decimal, target: Decimal) -> int:
    """restructuring.md step 5: the smallest N - G (<= 360) with A <= target."""
    for n in range(1, MAX_TERM_MONTHS + 1):
        if _instalment(principal, r, n) <= target:
            return n
    raise RestructuringError(
        _(
            "目标月供 %(target)s 元过低：%(max)s 个月以内的任何期限都无法达到"
            "（%(max)s 个月的月供为 %(least)s 元）"
        )
        % {
            "target": target,
            "max": MAX_TERM_MONTHS,
            "least": _instalment(principal, r, MAX_TERM_MONTHS),
        },
        "target_instalment",
    )


def restructure(
    *,
    schedule: Sequence[Installment],
    repayments: Iterable[Payment],
    disbursement: date,
    maturity: date,
    annual_rate: Decimal,
    method: str,
    effective: date,
    extend_months: int = 0,
    interest_only_months: int = 0,
    new_rate: Decimal | None = None,
    new_method: str | None = None,
    capitalise_overdue_interest: bool = False,
    target_instalment: Decimal | None = None,
) -> list[RestructuredInstallment]:
    """The new version's installments, restructuring.md steps 1-5.

    Period k is due on add_months(effective, k). Periods 1..G are interest only;
    G+1..N repay the base by the new method as loan-math.md. A bullet repayment is
    one row, period N, on the new maturity, with interest for the N - G months.
    With target_instalment (equal instalment only) the term N is G plus the solved
    months, so extend_months must then be 0.
    """
    repayments = list(repayments)
    rate = annual_rate if new_rate is None else new_rate
    method = method if new_method is None else new_method
    months = interest_only_months

    if effective <= disbursement:
        raise RestructuringError(
            _("生效日 %(effective)s 必须晚于放款日 %(disbursement)s")
            % {"effective": effective, "disbursement": disbursement},
            "effective_date",
        )
    last_paid = max((p.paid_date for p in repayments), default=None)
    if last_paid is not None and effective <= last_paid:
        raise RestructuringError(
            _("生效日 %(effective)s 必须晚于最后一次还款日 %(paid)s")
            % {"effective": effective, "paid": last_paid},
            "effective_date",
        )
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate < 1:
        raise RestructuringError(
            _("年利率 %(rate)s 无效：必须不小于 0 且小于 1（如 0.0435）") % {"rate": rate},
            "new_rate",
        )
    if method not in METHODS:
        raise RestructuringError(
            _("还款方式 %(method)s 无效，可选：%(choices)s")
            % {"method": method, "choices": "、".join(METHODS)},
            "new_method",
        )
    for field, name, value in (
        ("extend_months", _("展期月数"), extend_months),
        ("interest_only_months", _("只还息月数"), months),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RestructuringError(
                _("%(name)s %(value)s 无效：必须是不小于 0 的整数")
                % {"name": name, "value": value},
                field,
            )
    if target_instalment is not None:
        if method != "equal_installment":
            raise RestructuringError(_("目标月供只适用于等额本息还款方式"), "target_instalment")
        if extend_months:
            raise RestructuringError(
                _("指定目标月供时期限由月供推算，不能同时指定展期月数"), "extend_months"
            )

    outstanding, overdue = outstanding_at(schedule, repayments, effective)
    base = outstanding + overdue if capitalise_overdue_interest else outstanding
    carried = ZERO if capitalise_overdue_interest else overdue
    if base <= 0:
        raise RestructuringError(
            _("生效日 %(effective)s 时已无未还本金，无需调整还款计划") % {"effective": effective},
            "effective_date",
        )

    with localcontext(SPEC_CONTEXT):
        r = rate / 12
        if target_instalment is not None:
            term = months + _solve_term(base, r, target_instalment)
        else:
            # Step 3: the largest m with add_months(E, m) <= M, at least 1, plus the extension.
            remaining = 0
            while add_months(effective, remaining + 1) <= maturity:
                remaining += 1
            term = max(remaining, 1) + extend_months
        if term > MAX_TERM_MONTHS:
            raise RestructuringError(
                _("调整后期限 %(term)s 个月超过上限 %(max)s 个月")
                % {"term": term, "max": MAX_TERM_MONTHS},
                "extend_months",
            )
        if months >= term:
            raise RestructuringError(
                _("只还息月数 %(months)s 必须少于调整后期限 %(term)s 个月")
                % {"months": months, "term": term},
                "interest_only_months",
            )

        interest_only = round_cents(base * r)
        rows = [(k, ZERO, interest_only, base) for k in range(1, months + 1)]
        if method == "bullet":
            interest = round_cents(base * rate * (term - months) / 12)
            rows.append((term, base, interest, ZERO))
        else:
            amortised = amortise(base, r, term - months, method)
            rows += [(months + j, p, i, b) for j, (p, i, b) in enumerate(amortised, start=1)]

    return [
        RestructuredInstallment(
            period=k,
            due_date=add_months(effective, k),
            principal=p,
            interest=i,
            balance=b,
            carried_interest=carried if n == 0 else ZERO,
        )
        for n, (k, p, i, b) in enumerate(rows)
    ]
