"""The risk panel other pages include: `{% load risk_tags %}{% loan_risk_panel loan %}`."""

from typing import Any

from django import template

from huifang.accounts.gate import has_perm
from huifang.risk.models import OPEN_WARNING, Signal, SignalStatus, Warning

register = template.Library()


@register.inclusion_tag("risk/_loan_risk.html", takes_context=True)
def loan_risk_panel(context: dict, loan: Any) -> dict[str, Any]:
    """A loan's open warning (with the stop on disbursement) and open signals, for its page.

    The caller's page already passed the gate for the loan; the panel adds risk.read.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not has_perm(user, "risk.read"):
        return {"show": False}
    return {
        "show": True,
        "loan": loan,
        "warning": Warning.objects.filter(loan=loan, status__in=OPEN_WARNING).first(),
        "signals": Signal.objects.filter(loan=loan, status=SignalStatus.OPEN).count(),
        "can_raise": has_perm(user, "signal.raise"),
    }
