"""Restructuring arithmetic (还款计划调整), restructuring.md: the pure core.

Plain functions on plain values (Decimal, date, int), built on loanmath.py: the
old schedule is only read, never changed; the result is the new version's
installments from the effective date on. Refusals raise ValueError with a
Chinese message naming what is wrong (plain text: this module has no gettext).
"""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, localcontext
from typing import NamedTuple

from huifang.lib.dates import add_months
from huifang.portfolio.loanmath import (
    _SPEC_CONTEXT,
    MAX_TERM_MONTHS,
    METHODS,
    ZERO,
    Installment,
    Payment,
    _amortise,
    allocate,
    round_cents,
)


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
    states = allocate(schedule, before).states
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
    raise ValueError(
        f"目标月供 {target} 元过低：{MAX_TERM_MONTHS} 个月以内的任何期限都无法达到"
        f"（{MAX_TERM_MONTHS} 个月的月供为 {_instalment(principal, r, MAX_TERM_MONTHS)} 元）"
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
        raise ValueError(f"生效日 {effective} 必须晚于放款日 {disbursement}")
    last_paid = max((p.paid_date for p in repayments), default=None)
    if last_paid is not None and effective <= last_paid:
        raise ValueError(f"生效日 {effective} 必须晚于最后一次还款日 {last_paid}")
    if not isinstance(rate, Decimal) or not rate.is_finite() or not 0 <= rate < 1:
        raise ValueError(f"年利率 {rate} 无效：必须不小于 0 且小于 1（如 0.0435）")
    if method not in METHODS:
        raise ValueError(f"还款方式 {method!r} 无效，可选：{'、'.join(METHODS)}")
    for name, value in (("展期月数", extend_months), ("只还息月数", months)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} {value!r} 无效：必须是不小于 0 的整数")
    if target_instalment is not None:
        if method != "equal_installment":
            raise ValueError("目标月供只适用于等额本息还款方式")
        if extend_months:
            raise ValueError("指定目标月供时期限由月供推算，不能同时指定展期月数")

    outstanding, overdue = outstanding_at(schedule, repayments, effective)
    base = outstanding + overdue if capitalise_overdue_interest else outstanding
    carried = ZERO if capitalise_overdue_interest else overdue
    if base <= 0:
        raise ValueError(f"生效日 {effective} 时已无未还本金，无需调整还款计划")

    with localcontext(_SPEC_CONTEXT):
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
            raise ValueError(f"调整后期限 {term} 个月超过上限 {MAX_TERM_MONTHS} 个月")
        if months >= term:
            raise ValueError(f"只还息月数 {months} 必须少于调整后期限 {term} 个月")

        interest_only = round_cents(base * r)
        rows = [(k, ZERO, interest_only, base) for k in range(1, months + 1)]
        if method == "bullet":
            interest = round_cents(base * rate * (term - months) / 12)
            rows.append((term, base, interest, ZERO))
        else:
            amortised = _amortise(base, r, term - months, method)
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
