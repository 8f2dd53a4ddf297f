"""Template tags of the questionnaire includes: `{% load questionnaire_tags %}`."""

from typing import Any

from django import template

from huifang.questionnaires import rendering

register = template.Library()


@register.simple_tag
def questionnaire_form(
    definition: Any, answers: Any = None, errors: Any = None, prefix: Any = "q", photos: Any = None
) -> list[rendering.Section]:
    """The sections of the answer form (see questionnaires/_answer_form.html)."""
    return rendering.form_sections(definition, answers, errors, prefix, photos)


@register.simple_tag
def questionnaire_answers(
    definition: Any, answers: Any = None, findings: Any = None
) -> list[rendering.AnswerSection]:
    """The visible questions and their answers; the findings are worked out when not given."""
    return rendering.answer_sections(definition, answers, findings)


@register.simple_tag
def questionnaire_outline(definition: Any) -> list:
    return rendering.outline(definition)
