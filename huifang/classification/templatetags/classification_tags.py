"""Category names and badge colours for the classification pages."""

from django import template

from huifang.classification.floors import category_label

register = template.Library()

BADGES = {
    "normal": "badge-ok",
    "special_mention": "badge-warn",
    "substandard": "badge-warn-red",
    "doubtful": "badge-danger",
    "loss": "badge-danger",
}


@register.filter
def category_name(category: str | None) -> str:
    return category_label(category) if category else ""


@register.filter
def category_class(category: str | None) -> str:
    return BADGES.get(category or "", "badge-muted")


@register.simple_tag(takes_context=True)
def can_edit_rules(context) -> bool:
    """Whether the user may see the rules tab (risk.rules: admins and risk managers)."""
    from huifang.accounts.gate import has_perm

    request = context.get("request")
    return bool(request is not None and has_perm(request.user, "risk.rules"))
