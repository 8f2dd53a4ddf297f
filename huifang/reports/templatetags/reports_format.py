"""Display of questionnaire answers in the reports (a plain reading of schema.md's values)."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def answer_of(question: dict, answers: dict) -> str:
    """The answer to one question as text: option labels, 是/否, or — when not answered."""
    value = (answers or {}).get(question.get("key"))
    if value is None or value == "" or value == []:
        return "—"
    options = {
        str(o.get("value")): str(o.get("label", o.get("value")))
        for o in question.get("options", [])
    }
    kind = question.get("type")
    if kind == "yes_no":
        return _("是") if value is True else _("否") if value is False else str(value)
    if kind == "single":
        return options.get(str(value), str(value))
    if kind == "multiple" and isinstance(value, list):
        return "、".join(options.get(str(v), str(v)) for v in value)
    if kind == "photo" and isinstance(value, list):
        return _("%(n)d 张照片") % {"n": len(value)}
    if kind == "money":
        return f"¥{value}"
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
