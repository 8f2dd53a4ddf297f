"""A questionnaire definition as the templates show it: the answer form, the answers, the outline.

Plain values for the includes `questionnaires/_answer_form.html` and
`_answers_view.html` (through the template tags in questionnaire_tags); no ORM.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from huifang.questionnaires.answers import InvalidAnswer, display_answer, normalise, visible_keys
from huifang.questionnaires.answers import findings as find_risks
from huifang.questionnaires.definition import (
    CHOICE_TYPES,
    OPERATORS,
    SCALES,
    SEVERITIES,
    SIGNALS,
    TYPES,
)

# --- the answer form -------------------------------------------------------------------------


@dataclass
class Choice:
    value: str
    label: str
    checked: bool
    id: str
    url: str = ""  # a photo's thumbnail


@dataclass
class Field:
    key: str
    type: str
    name: str
    id: str
    label: str
    script: str
    help: str
    required: bool
    error: str
    hidden: bool
    value: str = ""
    choices: list[Choice] = field(default_factory=list)
    show_if: str = ""
    show_values: str = ""  # JSON list of the input values that show this question
    min: str = ""
    max: str = ""

    @property
    def group(self) -> bool:
        """Whether the inputs are a group of radio buttons or checkboxes (a fieldset)."""
        return self.type in ("yes_no", "single", "multiple", "rating", "nps", "photo")


@dataclass
class Section:
    key: str
    number: int
    title: str
    fields: list = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return all(f.hidden for f in self.fields)


def form_sections(
    definition: Any, answers: Any, errors: Any, prefix: Any, photos: Any
) -> list[Section]:
    """The answer form's sections; `answers` may be raw (a refused POST) or normalised."""
    if not isinstance(definition, dict):
        return []
    answers = answers if isinstance(answers, dict) else {}
    errors = errors if isinstance(errors, dict) else {}
    prefix = prefix or "q"
    photos = list(photos) if isinstance(photos, list | tuple) else []
    shown = visible_keys(definition, answers)
    sections = []
    for number, section in enumerate(definition.get("sections", []), 1):
        fields = [
            _field(q, answers.get(q["key"]), errors.get(q["key"], ""), prefix, photos, shown)
            for q in section.get("questions", [])
        ]
        sections.append(Section(section.get("key", ""), number, section.get("title", ""), fields))
    return sections


def _field(q: dict, raw: Any, error: str, prefix: str, photos: list, shown: set) -> Field:
    key, kind = q["key"], q["type"]
    name = f"{prefix}-{key}"
    try:
        value = normalise(q, raw) if raw not in (None, "", []) else None
    except InvalidAnswer:
        value = None
    f = Field(
        key=key,
        type=kind,
        name=name,
        id=f"id_{name}",
        label=q.get("label", ""),
        script=q.get("script", ""),
        help=q.get("help", ""),
        required=bool(q.get("required")),
        error=error,
        hidden=key not in shown,
        min=_number_text(q.get("min")),
        max=_number_text(q.get("max")),
    )
    if condition := q.get("show_if"):
        f.show_if = condition.get("question", "")
        wanted = condition["in"] if "in" in condition else [condition.get("equals")]
        f.show_values = json.dumps([_input_value(w) for w in wanted], ensure_ascii=False)
    if kind in ("yes_no", "single", "multiple", "rating", "nps"):
        f.choices = [
            Choice(v, label, _checked(v, value, raw), f"{f.id}_{i}")
            for i, (v, label) in enumerate(_options(q))
        ]
    elif kind == "photo":
        f.choices = [
            Choice(str(pid), str(label), _checked(str(pid), value, raw), f"{f.id}_{i}", str(url))
            for i, (pid, label, url) in enumerate(photos)
        ]
    else:
        # What was typed stays as typed, even when it was refused.
        f.value = raw if isinstance(raw, str) else ("" if value is None else str(value))
    return f


def _options(q: dict) -> list[tuple[str, str]]:
    kind = q["type"]
    if kind == "yes_no":
        return [("true", _("是")), ("false", _("否"))]
    if kind in SCALES:
        low, high = SCALES[kind]
        return [(str(n), str(n)) for n in range(low, high + 1)]
    return [(o["value"], o["label"]) for o in q.get("options") or []]


def _checked(choice: str, value: Any, raw: Any) -> bool:
    if value is not None:
        values = value if isinstance(value, list) else [value]
        return choice in {_input_value(v) for v in values}
    # A refused answer: tick what was ticked.
    raws = raw if isinstance(raw, list | tuple) else [raw]
    return choice in {str(r).strip() for r in raws if r is not None}


def _input_value(value: Any) -> str:
    """An answer value as its form input carries it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number_text(value: Any) -> str:
    return "" if value is None or isinstance(value, bool) else str(value)


# --- read-only answers -----------------------------------------------------------------------


@dataclass
class Flag:
    signal: str
    signal_label: str
    severity: str
    severity_label: str
    label: str


@dataclass
class Row:
    key: str
    type: str
    label: str
    answered: bool
    text: str
    flags: list[Flag]

    @property
    def severity(self) -> str:
        """The highest severity of the row's flags ("" without any)."""
        for level in ("high", "medium", "low"):
            if any(f.severity == level for f in self.flags):
                return level
        return ""


@dataclass
class AnswerSection:
    title: str
    rows: list[Row]


def answer_sections(definition: Any, answers: Any, found: Any = None) -> list[AnswerSection]:
    """The visible questions with their answers, each with its risk meanings."""
    if not isinstance(definition, dict):
        return []
    answers = answers if isinstance(answers, dict) else {}
    if not isinstance(found, list):
        found = find_risks(definition, answers)
    by_question: dict[str, list[Flag]] = {}
    for item in found:
        by_question.setdefault(item.get("question", ""), []).append(
            Flag(
                signal=item.get("signal", ""),
                signal_label=str(SIGNALS.get(item.get("signal"), item.get("signal", ""))),
                severity=item.get("severity", ""),
                severity_label=str(SEVERITIES.get(item.get("severity"), item.get("severity", ""))),
                label=item.get("label", ""),
            )
        )
    shown = visible_keys(definition, answers)
    result = []
    for section in definition.get("sections", []):
        rows = []
        for q in section.get("questions", []):
            if q["key"] not in shown:
                continue
            try:
                raw = answers.get(q["key"])
                value = normalise(q, raw) if raw not in (None, "", []) else None
            except InvalidAnswer:
                value = None
            text = ""
            if value is not None:
                text = value if q["type"] == "text" else display_answer(q, value)
            rows.append(
                Row(
                    key=q["key"],
                    type=q["type"],
                    label=q.get("label", ""),
                    answered=value is not None,
                    text=text,
                    flags=by_question.get(q["key"], []),
                )
            )
        if rows:
            result.append(AnswerSection(section.get("title", ""), rows))
    return result


# --- a version's outline (the admin pages) ---------------------------------------------------


@dataclass
class OutlineRow:
    number: int
    key: str
    type_label: str
    label: str
    script: str
    help: str
    required: bool
    options: str
    condition: str
    risks: list[str]


def outline(definition: Any) -> list[tuple[str, list[OutlineRow]]]:
    """Every question of a definition, with its options, condition and risk rules in words."""
    if not isinstance(definition, dict):
        return []
    questions = {
        q["key"]: q for s in definition.get("sections", []) for q in s.get("questions", [])
    }
    result = []
    number = 0
    for section in definition.get("sections", []):
        rows = []
        for q in section.get("questions", []):
            number += 1
            rows.append(
                OutlineRow(
                    number=number,
                    key=q["key"],
                    type_label=str(TYPES.get(q["type"], q["type"])),
                    label=q.get("label", ""),
                    script=q.get("script", ""),
                    help=q.get("help", ""),
                    required=bool(q.get("required")),
                    options=_options_text(q),
                    condition=_condition_text(q.get("show_if"), questions),
                    risks=[_risk_text(q, rule) for rule in q.get("risks") or []],
                )
            )
        result.append((section.get("title", ""), rows))
    return result


def _options_text(q: dict) -> str:
    parts = []
    if q["type"] in CHOICE_TYPES:
        parts.append(" / ".join(o["label"] for o in q.get("options") or []))
    if "min" in q:
        parts.append(_("最小 %(n)s") % {"n": q["min"]})
    if "max" in q:
        parts.append(_("最大 %(n)s") % {"n": q["max"]})
    return "；".join(parts)


def _value_text(q: dict | None, value: Any) -> str:
    if q is None:
        return str(value)
    if isinstance(value, list):
        return "、".join(_value_text(q, v) for v in value)
    if q["type"] == "yes_no":
        return _("是") if value is True else _("否") if value is False else str(value)
    if q["type"] in CHOICE_TYPES:
        labels = {o["value"]: o["label"] for o in q.get("options") or []}
        return str(labels.get(value, value))
    return str(value)


def _condition_text(condition: Any, questions: dict) -> str:
    if not condition:
        return ""
    target = questions.get(condition.get("question"))
    name = target.get("label", "") if target else condition.get("question", "")
    if "in" in condition:
        return _("当“%(q)s”为 %(v)s 之一时显示") % {
            "q": name,
            "v": _value_text(target, condition["in"]),
        }
    return _("当“%(q)s”为“%(v)s”时显示") % {
        "q": name,
        "v": _value_text(target, condition.get("equals")),
    }


def _risk_text(q: dict, rule: dict) -> str:
    when = rule.get("when") or {}
    ((operator, value),) = when.items() if len(when) == 1 else (("", ""),)
    text = _("回答%(op)s“%(value)s” → %(signal)s（%(severity)s）") % {
        "op": OPERATORS.get(operator, operator),
        "value": _value_text(q, value),
        "signal": SIGNALS.get(str(rule.get("signal")), rule.get("signal")),
        "severity": SEVERITIES.get(str(rule.get("severity")), rule.get("severity")),
    }
    return text + (f"：{rule['label']}" if rule.get("label") else "")
