"""Answers to a questionnaire: which questions show, what a raw answer means, what it signals.

Raw answers come from a form (`answers_from_post`: strings and lists of strings),
from the API (JSON values) or from storage (already normalised); every function
here accepts all three. Normalised values are those of schema.md ("Types and the
normalised answer value").
"""

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from huifang.questionnaires.definition import (
    CHOICE_TYPES,
    NUMERIC_TYPES,
    SCALES,
    SIGNALS,
    as_decimal,
    iter_questions,
)

TEXT_MAX = 2000
PHOTOS_MAX = 50
NUMBER_LIMIT = Decimal(10) ** 13  # above a trillion yuan is a typing slip, not an answer
NUMBER_PLACES = 6
YES = {"true", "yes", "y", "1", "on", "是"}
NO = {"false", "no", "n", "0", "off", "否"}
DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class InvalidAnswer(ValueError):
    pass


# --- the public functions (schema.md) --------------------------------------------------------


def visible_keys(definition: dict, answers: Mapping[str, Any]) -> set[str]:
    """The questions shown for these answers (show_if on earlier, themselves shown, questions)."""
    return _walk(definition, answers, complete=False)[0]


def clean_answers(
    definition: dict, raw: Mapping[str, Any], *, complete: bool
) -> tuple[dict, dict[str, str]]:
    """The normalised answers of the visible questions, and {question key: Chinese message}.

    Answers of hidden questions and of unknown keys are dropped; `complete` also
    asks every visible required question to be answered (a draft need not be).
    """
    _visible, values, errors = _walk(definition, raw, complete=complete)
    return values, errors


def findings(definition: dict, answers: Mapping[str, Any]) -> list[dict]:
    """The risk meanings of the answers: one item per matching rule of a visible answered question."""
    _visible, values, _errors = _walk(definition, answers, complete=False)
    found = []
    for question in iter_questions(definition):
        key = question.get("key")
        if key not in values:
            continue
        for rule in question.get("risks") or []:
            if _matches(question, rule.get("when") or {}, values[key]):
                found.append(
                    {
                        "signal": rule["signal"],
                        "severity": rule["severity"],
                        "question": key,
                        "answer": values[key],
                        "label": rule.get("label") or str(SIGNALS.get(rule["signal"], "")),
                    }
                )
    return found


def answers_text(definition: dict, answers: Mapping[str, Any]) -> str:
    """One "题目：回答" line per visible answered question, options by their labels."""
    _visible, values, _errors = _walk(definition, answers, complete=False)
    return "\n".join(
        f"{question['label']}：{display_answer(question, values[question['key']])}"
        for question in iter_questions(definition)
        if question.get("key") in values
    )


def answers_from_post(definition: dict, data: Any, prefix: str = "q") -> dict:
    """The raw answers in a submitted form: inputs named "{prefix}-{key}" (repeated for lists)."""
    raw: dict[str, Any] = {}
    for question in iter_questions(definition):
        name = f"{prefix}-{question['key']}"
        if name not in data:
            continue
        if question.get("type") in ("multiple", "photo"):
            values = data.getlist(name) if hasattr(data, "getlist") else data[name]
            raw[question["key"]] = [v for v in _as_list(values) if not _blank(v)]
        else:
            raw[question["key"]] = data.get(name)
    return raw


def display_answer(question: dict, value: Any) -> str:
    """A normalised answer as a person reads it."""
    kind = question.get("type")
    if kind == "yes_no":
        return _("是") if value else _("否")
    if kind in CHOICE_TYPES:
        labels = {o["value"]: o["label"] for o in question.get("options") or []}
        chosen = value if isinstance(value, list) else [value]
        return "、".join(str(labels.get(v, v)) for v in chosen)
    if kind == "money":
        return _("%(amount)s 元") % {"amount": _grouped(value)}
    if kind in SCALES:
        return _("%(n)s 分") % {"n": value}
    if kind == "photo":
        return _("%(n)d 张照片") % {"n": len(value)}
    if kind == "text":
        return " ".join(str(value).split())
    return str(value)


# --- walking the questions in order ----------------------------------------------------------


def _walk(
    definition: dict, raw: Mapping[str, Any], *, complete: bool
) -> tuple[set[str], dict, dict[str, str]]:
    visible: set[str] = set()
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in iter_questions(definition):
        key = question.get("key")
        if not isinstance(key, str) or not _shown(question.get("show_if"), values):
            continue
        visible.add(key)
        value = raw.get(key)
        if _blank(value):
            if complete and question.get("required"):
                errors[key] = _("此题为必答题")
            continue
        try:
            values[key] = normalise(question, value)
        except InvalidAnswer as exc:
            errors[key] = str(exc)
    return visible, values, errors


def _shown(condition: Any, values: dict) -> bool:
    """Whether a show_if holds; `values` holds only shown, validly answered questions."""
    if not condition:
        return True
    key = condition.get("question")
    if key not in values:
        return False
    answer = values[key]
    wanted = condition["in"] if "in" in condition else [condition.get("equals")]
    if isinstance(answer, list):  # a multiple choice: shown when any wanted option is ticked
        return any(w in answer for w in wanted)
    return any(_same(answer, w) for w in wanted)


def _same(answer: Any, wanted: Any) -> bool:
    # A yes/no answer is never equal to 1 or 0, as Python would have it.
    return type(answer) is type(wanted) and answer == wanted


def _matches(question: dict, when: dict, answer: Any) -> bool:
    if len(when) != 1:
        return False
    ((operator, target),) = when.items()
    if operator == "contains":
        return isinstance(answer, list) and target in answer
    if operator == "in":
        return isinstance(target, list) and any(_equal(question, answer, t) for t in target)
    if operator == "equals":
        return _equal(question, answer, target)
    if operator == "not_equals":
        return not _equal(question, answer, target)
    number, limit = as_decimal(answer), as_decimal(target)
    if number is None or limit is None:
        return False
    return {
        "lt": number < limit,
        "lte": number <= limit,
        "gt": number > limit,
        "gte": number >= limit,
    }.get(operator, False)


def _equal(question: dict, answer: Any, target: Any) -> bool:
    if question.get("type") in (*NUMERIC_TYPES, *SCALES):
        number, wanted = as_decimal(answer), as_decimal(target)
        return number is not None and number == wanted
    return _same(answer, target)


# --- normalising one answer ----------------------------------------------------------------


def normalise(question: dict, value: Any) -> Any:
    """The normalised value of a non-blank raw answer; InvalidAnswer with a Chinese message if wrong."""
    kind = question.get("type")
    if kind == "yes_no":
        return _yes_no(value)
    if kind == "single":
        return _single(question, value)
    if kind == "multiple":
        return _multiple(question, value)
    if kind in NUMERIC_TYPES:
        return _number(question, value)
    if kind == "date":
        return _date(value)
    if kind == "text":
        return _text(value)
    if kind in SCALES:
        return _scale(kind, value)
    if kind == "photo":
        return _photos(value)
    raise InvalidAnswer(_("未知的题型"))


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in YES:
            return True
        if word in NO:
            return False
    raise InvalidAnswer(_("请选择“是”或“否”"))


def _single(question: dict, value: Any) -> str:
    values = [o["value"] for o in question.get("options") or []]
    if isinstance(value, str) and value.strip() in values:
        return value.strip()
    raise InvalidAnswer(_("请从选项中选择一项"))


def _multiple(question: dict, value: Any) -> list[str]:
    values = [o["value"] for o in question.get("options") or []]
    chosen = set()
    for item in _as_list(value):
        if _blank(item):
            continue
        if not isinstance(item, str) or item.strip() not in values:
            raise InvalidAnswer(_("“%(value)s”不是本题的选项") % {"value": item})
        chosen.add(item.strip())
    return [v for v in values if v in chosen]


def _number(question: dict, value: Any) -> str:
    money = question.get("type") == "money"
    number = _parse_decimal(value, money=money)
    if money:
        if number.normalize().as_tuple().exponent < -2:  # type: ignore[operator]
            raise InvalidAnswer(_("金额最多两位小数"))
        number = number.quantize(Decimal("0.01"))
    elif number.normalize().as_tuple().exponent < -NUMBER_PLACES:  # type: ignore[operator]
        raise InvalidAnswer(_("最多 %(n)d 位小数") % {"n": NUMBER_PLACES})
    if abs(number) >= NUMBER_LIMIT:
        raise InvalidAnswer(_("数值过大"))
    low = as_decimal(question.get("min"))
    high = as_decimal(question.get("max"))
    if low is None and money:
        low = Decimal(0)
    if low is not None and number < low:
        raise InvalidAnswer(_("不能小于 %(n)s") % {"n": _plain(low)})
    if high is not None and number > high:
        raise InvalidAnswer(_("不能大于 %(n)s") % {"n": _plain(high)})
    if number == 0:
        number = abs(number)  # no "-0"
    return format(number, "f") if money else _plain(number)


def _parse_decimal(value: Any, *, money: bool) -> Decimal:
    wrong = _("请填写金额（元），如 1200 或 1200.50") if money else _("请填写数字")
    if isinstance(value, bool):
        raise InvalidAnswer(wrong)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        text = re.sub(r"[,\s]", "", text).removesuffix("元")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidAnswer(wrong) from None
    else:
        raise InvalidAnswer(wrong)
    if not number.is_finite():
        raise InvalidAnswer(wrong)
    return number


def _plain(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 12.5, 10, 0.003."""
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


def _grouped(value: Any) -> str:
    number = as_decimal(value)
    return f"{number:,.2f}" if number is not None else str(value)


def _date(value: Any) -> str:
    wrong = _("请填写日期，如 2025-06-30")
    if isinstance(value, datetime):
        raise InvalidAnswer(wrong)
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        match = DATE_TEXT.match(unicodedata.normalize("NFKC", value).strip())
        if not match:
            raise InvalidAnswer(wrong)
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise InvalidAnswer(_("没有这一天：%(text)s") % {"text": value.strip()}) from None
    else:
        raise InvalidAnswer(wrong)
    if not 1900 <= day.year <= 2100:
        raise InvalidAnswer(_("日期应在 1900 年到 2100 年之间"))
    return day.isoformat()


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer(_("请填写文字"))
    text = value.strip()
    if len(text) > TEXT_MAX:
        raise InvalidAnswer(
            _("不能超过 %(n)d 个字（当前 %(len)d 个）") % {"n": TEXT_MAX, "len": len(text)}
        )
    return text


def _scale(kind: str, value: Any) -> int:
    low, high = SCALES[kind]
    wrong = _("请选择 %(low)d 到 %(high)d 分") % {"low": low, "high": high}
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value)
    number = as_decimal(value)
    if number is None or number != number.to_integral_value() or not low <= number <= high:
        raise InvalidAnswer(wrong)
    return int(number)


def _photos(value: Any) -> list[int]:
    ids: list[int] = []
    for item in _as_list(value):
        if _blank(item):
            continue
        if isinstance(item, str) and item.strip().isdecimal():
            item = int(item.strip())
        if not isinstance(item, int) or isinstance(item, bool) or item <= 0:
            raise InvalidAnswer(_("照片编号无效"))
        if item not in ids:
            ids.append(item)
    if len(ids) > PHOTOS_MAX:
        raise InvalidAnswer(_("最多选择 %(n)d 张照片") % {"n": PHOTOS_MAX})
    return ids


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_blank(item) for item in value)
    return False
