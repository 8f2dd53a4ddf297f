"""The questionnaire definition format: its vocabulary, and the check an admin's edit must pass.

The format is the shared contract of /work/shared (schema.md); `schema` re-exports
everything here. Every problem is named by where it is, counted as the admin sees
the questionnaire ("第2节第3题（经营收入）：选项"), so that a long list of problems
can be fixed one by one.
"""

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TYPES: dict[str, Any] = {
    "yes_no": gettext_lazy("是/否"),
    "single": gettext_lazy("单选"),
    "multiple": gettext_lazy("多选"),
    "number": gettext_lazy("数字"),
    "money": gettext_lazy("金额"),
    "date": gettext_lazy("日期"),
    "text": gettext_lazy("文字"),
    "rating": gettext_lazy("评分（1–5）"),
    "nps": gettext_lazy("推荐度（0–10）"),
    "photo": gettext_lazy("照片"),
}
SIGNALS: dict[str, Any] = {
    "fund_misuse": gettext_lazy("资金挪用"),
    "business_decline": gettext_lazy("经营下滑"),
    "repayment_ability": gettext_lazy("还款能力下降"),
    "repayment_willingness": gettext_lazy("还款意愿不足"),
    "guarantor_risk": gettext_lazy("担保人风险"),
    "collateral_risk": gettext_lazy("抵押物风险"),
    "contact_failure": gettext_lazy("联系失败"),
    "borrower_dissatisfied": gettext_lazy("客户不满意"),
    "other_risk": gettext_lazy("其他风险"),
}
SEVERITIES: dict[str, Any] = {
    "low": gettext_lazy("低"),
    "medium": gettext_lazy("中"),
    "high": gettext_lazy("高"),
}
OPERATORS: dict[str, Any] = {
    "equals": gettext_lazy("等于"),
    "not_equals": gettext_lazy("不等于"),
    "in": gettext_lazy("属于其中之一"),
    "lt": gettext_lazy("小于"),
    "lte": gettext_lazy("小于等于"),
    "gt": gettext_lazy("大于"),
    "gte": gettext_lazy("大于等于"),
    "contains": gettext_lazy("包含"),
}
# Which risk operators each type accepts (the rest cannot carry a risk meaning).
RISK_OPERATORS: dict[str, tuple[str, ...]] = {
    "yes_no": ("equals", "not_equals"),
    "single": ("equals", "not_equals", "in"),
    "multiple": ("contains",),
    "number": ("equals", "not_equals", "lt", "lte", "gt", "gte"),
    "money": ("equals", "not_equals", "lt", "lte", "gt", "gte"),
    "rating": ("equals", "not_equals", "in", "lt", "lte", "gt", "gte"),
    "nps": ("equals", "not_equals", "in", "lt", "lte", "gt", "gte"),
}
# The types a show_if condition may look at ("equals" or "in").
CONDITION_TYPES = ("yes_no", "single", "multiple", "rating", "nps")
CHOICE_TYPES = ("single", "multiple")
NUMERIC_TYPES = ("number", "money")
SCALES = {"rating": (1, 5), "nps": (0, 10)}

KEY = re.compile(r"^[a-z0-9_]{1,50}$")
SECTION_FIELDS = ("key", "title", "questions")
QUESTION_FIELDS = (
    "key",
    "type",
    "label",
    "script",
    "help",
    "required",
    "options",
    "min",
    "max",
    "show_if",
    "risks",
)
# Generous bounds that stop a pasted document from becoming a page nobody can fill in.
MAX_SECTIONS = 30
MAX_QUESTIONS = 200
MAX_OPTIONS = 50
MAX_RISKS = 10
LENGTHS = {"title": 100, "label": 200, "script": 1000, "help": 300, "option": 100, "risk": 100}


class DefinitionError(Exception):
    """A definition that breaks the format; `problems` lists every (where, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}：{message}" for where, message in problems))
        self.problems = problems


def iter_questions(definition: dict) -> Iterator[dict]:
    """Every question of a (valid) definition, in order."""
    for section in definition.get("sections", []):
        yield from section.get("questions", [])


def as_decimal(value: Any) -> Decimal | None:
    """A number written in a definition (a JSON number or a numeric string), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def validate_definition(data: Any) -> None:
    """Raise DefinitionError listing every problem of `data`; return quietly when it is valid."""
    problems: list[tuple[str, str]] = []
    _Checker(problems.append).definition(data)
    if problems:
        raise DefinitionError(problems)


class _Checker:
    def __init__(self, report: Any) -> None:
        self.err = lambda where, message: report((where, message))
        self.seen: dict[str, dict] = {}  # question key -> question, in order so far
        self.count = 0

    # --- the document and its sections ----------------------------------------------------

    def definition(self, data: Any) -> None:
        where = _("问卷")
        if not isinstance(data, dict):
            self.err(where, _("内容必须是一个 JSON 对象（含 sections）"))
            return
        for name in sorted(set(data) - {"sections"}):
            self.err(where, _("未知字段“%(field)s”") % {"field": name})
        sections = data.get("sections")
        if not isinstance(sections, list) or not sections:
            self.err(where, _("至少需要一节（sections 不能为空）"))
            return
        if len(sections) > MAX_SECTIONS:
            self.err(where, _("最多 %(n)d 节") % {"n": MAX_SECTIONS})
        keys: set[str] = set()
        for number, section in enumerate(sections, 1):
            self.section(number, section, keys)
        if self.count > MAX_QUESTIONS:
            self.err(
                where,
                _("最多 %(n)d 题（当前 %(count)d 题）") % {"n": MAX_QUESTIONS, "count": self.count},
            )

    def section(self, number: int, section: Any, keys: set[str]) -> None:
        if not isinstance(section, dict):
            self.err(_("第%(n)d节") % {"n": number}, _("必须是一个对象"))
            return
        title = section.get("title")
        where = _section_where(number, title)
        for name in sorted(set(section) - set(SECTION_FIELDS)):
            self.err(where, _("未知字段“%(field)s”") % {"field": name})
        key = section.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            self.err(f"{where}：" + _("代码"), _key_message(key))
        elif key in keys:
            self.err(f"{where}：" + _("代码"), _("与前面的节重复：“%(key)s”") % {"key": key})
        else:
            keys.add(key)
        self.text(title, f"{where}：" + _("标题"), LENGTHS["title"], required=True)
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            self.err(where, _("每节至少需要一道题"))
            return
        for q_number, question in enumerate(questions, 1):
            self.count += 1
            self.question(number, q_number, question)

    # --- questions ------------------------------------------------------------------------

    def question(self, s: int, n: int, question: Any) -> None:
        if not isinstance(question, dict):
            self.err(_("第%(s)d节第%(n)d题") % {"s": s, "n": n}, _("必须是一个对象"))
            return
        where = _question_where(s, n, question.get("label"))
        at = f"{where}："
        for name in sorted(set(question) - set(QUESTION_FIELDS)):
            self.err(where, _("未知字段“%(field)s”") % {"field": name})
        key: Any = question.get("key")
        key_ok = isinstance(key, str) and bool(KEY.match(key))
        if not key_ok:
            self.err(at + _("代码"), _key_message(key))
        elif key in self.seen:
            self.err(at + _("代码"), _("与前面的题目重复：“%(key)s”") % {"key": key})
        kind = question.get("type")
        if kind not in TYPES:
            self.err(
                at + _("题型"),
                _("“%(value)s”不是可用的题型（可用：%(allowed)s）")
                % {"value": _shown(kind), "allowed": "、".join(TYPES)},
            )
        self.text(question.get("label"), at + _("题目"), LENGTHS["label"], required=True)
        self.text(question.get("script"), at + _("话术"), LENGTHS["script"])
        self.text(question.get("help"), at + _("提示"), LENGTHS["help"])
        if "required" in question and not isinstance(question["required"], bool):
            self.err(at + _("必答"), _("必须是 true 或 false"))
        self.options(question, kind, at)
        self.bounds(question, kind, at)
        if "show_if" in question:
            self.show_if(question["show_if"], at + _("显示条件"))
        self.risks(question, kind, at)
        if key_ok and key not in self.seen:
            self.seen[key] = question

    def text(self, value: Any, where: str, limit: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.err(where, _("不能为空"))
            return
        if not isinstance(value, str):
            self.err(where, _("必须是文字"))
        elif required and not value.strip():
            self.err(where, _("不能为空"))
        elif len(value) > limit:
            self.err(
                where, _("不能超过 %(n)d 个字（当前 %(len)d 个）") % {"n": limit, "len": len(value)}
            )

    def options(self, question: dict, kind: Any, at: str) -> None:
        options = question.get("options")
        if kind not in CHOICE_TYPES:
            if options is not None:
                self.err(at + _("选项"), _("只有单选题和多选题可以设置选项"))
            return
        what = _("单选题") if kind == "single" else _("多选题")
        if not isinstance(options, list) or len(options) < 2:
            self.err(at + _("选项"), _("%(what)s至少需要两个选项") % {"what": what})
            if not isinstance(options, list):
                return
        if len(options) > MAX_OPTIONS:
            self.err(at + _("选项"), _("最多 %(n)d 个选项") % {"n": MAX_OPTIONS})
        values: set[str] = set()
        for i, option in enumerate(options, 1):
            where = at + _("第%(n)d个选项") % {"n": i}
            if not isinstance(option, dict):
                self.err(where, _("必须是含 value 和 label 的对象"))
                continue
            for name in sorted(set(option) - {"value", "label"}):
                self.err(where, _("未知字段“%(field)s”") % {"field": name})
            value = option.get("value")
            if not isinstance(value, str) or not value.strip() or len(value) > 50:
                self.err(where + _("的值"), _("必须是 1 到 50 个字符的文字"))
            elif value in values:
                self.err(where + _("的值"), _("与前面的选项重复：“%(value)s”") % {"value": value})
            else:
                values.add(value)
            self.text(option.get("label"), where + _("的名称"), LENGTHS["option"], required=True)

    def bounds(self, question: dict, kind: Any, at: str) -> None:
        given = {name: question[name] for name in ("min", "max") if name in question}
        if not given:
            return
        if kind not in NUMERIC_TYPES:
            self.err(at + _("取值范围"), _("只有数字题和金额题可以设置最小值、最大值"))
            return
        numbers = {}
        for name, value in given.items():
            number = as_decimal(value)
            label = _("最小值") if name == "min" else _("最大值")
            if number is None:
                self.err(at + label, _("必须是数字（当前为 %(value)s）") % {"value": _shown(value)})
            else:
                numbers[name] = number
        if "min" in numbers and "max" in numbers and numbers["min"] > numbers["max"]:
            self.err(at + _("取值范围"), _("最小值不能大于最大值"))

    def show_if(self, condition: Any, where: str) -> None:
        if not isinstance(condition, dict):
            self.err(where, _('必须是形如 {"question": 代码, "equals": 值} 的对象'))
            return
        for name in sorted(set(condition) - {"question", "equals", "in"}):
            self.err(where, _("未知字段“%(field)s”") % {"field": name})
        target_key = condition.get("question")
        target = self.seen.get(target_key) if isinstance(target_key, str) else None
        if target is None:
            self.err(
                where,
                _("引用的题目“%(key)s”不存在或不在本题之前") % {"key": _shown(target_key)},
            )
            return
        if target.get("type") not in CONDITION_TYPES:
            self.err(where, _("只能根据是否题、单选题、多选题、评分题或推荐度题的回答显示"))
            return
        operators = [name for name in ("equals", "in") if name in condition]
        if len(operators) != 1:
            self.err(where, _("必须且只能设置 equals 或 in 中的一个"))
            return
        value = condition[operators[0]]
        if operators[0] == "in":
            if not isinstance(value, list) or not value:
                self.err(where, _("in 必须是非空的列表"))
                return
            for item in value:
                self.answer_value(target, item, where)
        else:
            self.answer_value(target, value, where)

    def answer_value(self, target: dict, value: Any, where: str) -> bool:
        """Whether `value` is one answer the target question can have; reports it if not."""
        kind = str(target.get("type"))
        if kind == "yes_no":
            ok = isinstance(value, bool)
            message = _("“%(value)s”不是是否题的回答（应为 true 或 false）")
        elif kind in CHOICE_TYPES:
            values = [o.get("value") for o in target.get("options") or [] if isinstance(o, dict)]
            ok = isinstance(value, str) and value in values
            message = _("“%(value)s”不是题目“%(label)s”的选项值")
        else:
            low, high = SCALES[kind]
            ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
            message = _("“%(value)s”不在题目“%(label)s”的分值范围内") + f"（{low}–{high}）"
        if not ok:
            self.err(where, message % {"value": _shown(value), "label": target.get("label", "")})
        return ok

    def risks(self, question: dict, kind: Any, at: str) -> None:
        risks = question.get("risks")
        if risks is None:
            return
        if not isinstance(risks, list):
            self.err(at + _("风险规则"), _("必须是列表"))
            return
        if risks and kind in TYPES and kind not in RISK_OPERATORS:
            self.err(at + _("风险规则"), _("%(type)s题不能设置风险规则") % {"type": TYPES[kind]})
            return
        if len(risks) > MAX_RISKS:
            self.err(at + _("风险规则"), _("最多 %(n)d 条") % {"n": MAX_RISKS})
        for i, rule in enumerate(risks, 1):
            self.risk(question, kind, rule, at + _("第%(n)d条风险规则") % {"n": i})

    def risk(self, question: dict, kind: Any, rule: Any, where: str) -> None:
        if not isinstance(rule, dict):
            self.err(where, _("必须是含 when、signal、severity 的对象"))
            return
        for name in sorted(set(rule) - {"when", "signal", "severity", "label"}):
            self.err(where, _("未知字段“%(field)s”") % {"field": name})
        if rule.get("signal") not in SIGNALS:
            self.err(
                where + _("的信号"),
                _("“%(value)s”不是可用的预警信号（可用：%(allowed)s）")
                % {"value": _shown(rule.get("signal")), "allowed": "、".join(SIGNALS)},
            )
        if rule.get("severity") not in SEVERITIES:
            self.err(where + _("的严重程度"), _("必须是 low、medium 或 high"))
        self.text(rule.get("label"), where + _("的说明"), LENGTHS["risk"])
        when = rule.get("when")
        if not isinstance(when, dict) or len(when) != 1:
            self.err(where + _("的条件"), _('必须是只含一个运算符的对象，如 {"equals": false}'))
            return
        ((operator, value),) = when.items()
        if kind not in RISK_OPERATORS:
            return  # the type is already reported
        if operator not in RISK_OPERATORS[kind]:
            self.err(
                where + _("的条件"),
                _("%(type)s题不能使用运算符“%(op)s”（可用：%(allowed)s）")
                % {"type": TYPES[kind], "op": operator, "allowed": "、".join(RISK_OPERATORS[kind])},
            )
            return
        at = where + _("的条件")
        if operator in ("lt", "lte", "gt", "gte") or kind in NUMERIC_TYPES:
            if as_decimal(value) is None:
                self.err(at, _("必须是数字（当前为 %(value)s）") % {"value": _shown(value)})
        elif operator == "in":
            if not isinstance(value, list) or not value:
                self.err(at, _("in 必须是非空的列表"))
            else:
                for item in value:
                    self.answer_value(question, item, at)
        else:
            self.answer_value(question, value, at)


def _section_where(number: int, title: Any) -> str:
    return _("第%(n)d节") % {"n": number} + _named(title)


def _question_where(section: int, number: int, label: Any) -> str:
    return _("第%(s)d节第%(n)d题") % {"s": section, "n": number} + _named(label)


def _named(text: Any) -> str:
    """（text）, shortened to 20 characters; nothing when there is no text."""
    name = text.strip() if isinstance(text, str) else ""
    if len(name) > 20:
        name = name[:20] + "…"
    return f"（{name}）" if name else ""


def _key_message(key: Any) -> str:
    if key is None or key == "":
        return _("不能为空（小写字母、数字和下划线）")
    return _("“%(key)s”只能由小写字母、数字和下划线组成，最长 50 个字符") % {"key": _shown(key)}


def _shown(value: Any) -> str:
    if value is None:
        return _("空")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
