"""The questionnaire definition format and its answers: pure functions, no ORM (schema.md).

A QuestionnaireVersion.definition is {"sections": [{"key", "title", "questions": [...]}]};
each question has a key unique in the questionnaire, a type (TYPES), a label, an
optional script (话术) the officer reads out, help, required, options (single and
multiple), min/max (number and money), show_if (on the answer of an earlier shown
question) and risks (when an answer means a warning signal).

The definition itself is checked in `definition`, answers in `answers`; this module
is the one others import.
"""

from huifang.questionnaires.answers import (
    answers_from_post,
    answers_text,
    clean_answers,
    display_answer,
    findings,
    visible_keys,
)
from huifang.questionnaires.definition import (
    OPERATORS,
    RISK_OPERATORS,
    SEVERITIES,
    SIGNALS,
    TYPES,
    DefinitionError,
    iter_questions,
    validate_definition,
)

__all__ = [
    "OPERATORS",
    "RISK_OPERATORS",
    "SEVERITIES",
    "SIGNALS",
    "TYPES",
    "DefinitionError",
    "answers_from_post",
    "answers_text",
    "clean_answers",
    "display_answer",
    "findings",
    "iter_questions",
    "validate_definition",
    "visible_keys",
]
