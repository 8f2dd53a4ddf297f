"""Comparing restructuring options on a page: the columns, the chart, where errors go.

Shared by the simulator and the proposal's correction form (views.py).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from huifang.lib.charts import Chart, step_chart
from huifang.portfolio.models import Loan
from huifang.restructuring.forms import OptionForm, ProposalForm
from huifang.restructuring.simulate import (
    Basis,
    Outcome,
    Terms,
    balance_series,
    simulate,
)


@dataclass
class Column:
    """One outcome as a column of the comparison: its colour in the chart and what it offers."""

    outcome: Outcome
    colour: str = ""
    kind: str = "option"  # current | option | mine | alt
    adopt: int | None = None  # a suggested option's index, to put it into 我的方案
    pv_change: Decimal | None = None  # present value against the current schedule

    @property
    def has_carried(self) -> bool:
        return any(row.carried_interest for row in self.outcome.rows)


def compare(
    basis: Basis, effective: date, options: list[tuple[str, Terms, str]]
) -> tuple[list[Column], Chart | None]:
    """The current schedule and each (label, terms, kind) option, with the balance chart."""
    outcomes = simulate(basis, effective, [(label, terms) for label, terms, _k in options])
    chart = step_chart([(o.label, balance_series(o, effective)) for o in outcomes if o.ok])
    lines = iter(chart.lines if chart else [])
    current = outcomes[0]
    columns = []
    suggested = 0
    for index, outcome in enumerate(outcomes):
        kind = "current" if index == 0 else options[index - 1][2]
        column = Column(outcome, kind=kind)
        if outcome.ok and chart:
            column.colour = next(lines).colour
        if kind == "option":
            column.adopt = suggested
            suggested += 1
        if index and outcome.ok:
            column.pv_change = outcome.present_value - current.present_value
        columns.append(column)
    return columns, chart


def default_effective(basis: Basis, today: date) -> date:
    """Today, unless the last repayment or the current version is not yet behind it."""
    candidates = [today, basis.current_since + timedelta(days=1)]
    if basis.last_paid is not None:
        candidates.append(basis.last_paid + timedelta(days=1))
    return max(candidates)


def spread_errors(exc: ValidationError, main: ProposalForm, option: OptionForm) -> None:
    """A service's errors beside the field they name, in whichever form holds it."""
    if not hasattr(exc, "error_dict"):
        main.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        if field in option.fields:
            option.add_error(field, errors)
        elif field in main.fields:
            main.add_error(field, errors)
        else:
            main.add_error(None, errors)


def outcome_error(outcome: Outcome, main: ProposalForm, option: OptionForm) -> None:
    """A refused option typed by the user: its reason beside the field it concerns (once)."""
    if outcome.ok or not option.is_bound:
        return
    form: Any = option if outcome.error_field in option.fields else main
    field = outcome.error_field if outcome.error_field in form.fields else None
    if field is None or not form.has_error(field):
        form.add_error(field, outcome.error)


def loan_warnings(loan: Loan) -> list[Any]:
    from huifang.risk.models import Warning

    return list(Warning.objects.filter(loan=loan).order_by("-raised_at", "-pk"))


def open_warning_id(warnings: list[Any]) -> int | None:
    return next((w.pk for w in warnings if w.is_open), None)


def typed_option(form: OptionForm, effective: date | None) -> Terms | None:
    """The option a form holds: defaults when nothing was sent, None when it is invalid."""
    if effective is None:
        return None
    if not form.is_bound:
        return Terms(effective)
    return form.terms(effective) if form.is_valid() else None


def effective_from(main: ProposalForm, default: date) -> date | None:
    if not main.is_bound:
        return default
    main.is_valid()
    return None if main.has_error("effective_date") else main.cleaned_data.get("effective_date")
