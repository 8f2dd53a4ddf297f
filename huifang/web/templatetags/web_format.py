"""Display of money, rates and days past due in the pages."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import template

from huifang.web.views.loans import LOAN_AUDIT_TYPES

register = template.Library()

HUNDRED = Decimal(100)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value: object) -> str:
    """Yuan with thousands separators and exactly two decimals: 1,066,289.17."""
    amount = _decimal(value)
    return "" if amount is None else f"{amount:,.2f}"


@register.filter
def percent(value: object) -> str:
    """A rate stored as a fraction, as a percentage with at least two decimals: 0.0435 -> 4.35%."""
    rate = _decimal(value)
    if rate is None:
        return ""
    shown = (rate * HUNDRED).normalize()
    if shown.as_tuple().exponent > -2:  # type: ignore[operator]
        shown = shown.quantize(Decimal("0.01"))
    return f"{shown:f}%"


@register.filter
def dpd_class(days: int) -> str:
    """The badge colour for days past due: calm when current, red from the first day late."""
    if not days:
        return "badge-ok"
    return "badge-danger" if days > 30 else "badge-warn-red"


@register.filter
def risk_class(level: str) -> str:
    return {"low": "badge-ok", "medium": "badge-warn", "high": "badge-danger"}.get(level, "")


@register.filter
def status_class(status: str) -> str:
    return {
        "active": "badge-info",
        "closed": "badge-muted",
        "written_off": "badge-danger",
        "cancelled": "badge-muted",
        "validated": "badge-info",
        "applied": "badge-ok",
        "rejected": "badge-danger",
        "discarded": "badge-muted",
        # visits
        "planned": "badge-info",
        "in_progress": "badge-warn",
        "submitted": "badge-info",
        "returned": "badge-warn-red",
        "approved": "badge-ok",
    }.get(status, "")


@register.filter
def days_late(due: date, today: date) -> int:
    """Whole days from a due date to today: how late an open visit is."""
    return (today - due).days


@register.filter
def is_loan_event(event) -> bool:
    """An audit event whose object_id is a contract number, so that it can link to the loan."""
    return bool(event.object_id) and event.object_type in LOAN_AUDIT_TYPES
