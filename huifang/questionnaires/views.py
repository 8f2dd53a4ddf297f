"""The questionnaire pages (admins): the list, a questionnaire and its versions, the builder."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from huifang.accounts.gate import require
from huifang.accounts.services import client_ip, request_actor
from huifang.followups.models import SubjectRole, VisitChannel
from huifang.questionnaires.definition import CONDITION_TYPES
from huifang.questionnaires.forms import QuestionnaireForm, definition_text
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion
from huifang.questionnaires.schema import (
    OPERATORS,
    RISK_OPERATORS,
    SEVERITIES,
    SIGNALS,
    TYPES,
    DefinitionError,
    validate_definition,
)
from huifang.questionnaires.services import questionnaire_save

# A new questionnaire starts with one section of one question, to be edited.
STARTER = {
    "sections": [
        {
            "key": "main",
            "title": "基本情况",
            "questions": [
                {
                    "key": "q1",
                    "type": "yes_no",
                    "label": "经营是否正常？",
                    "script": "请问您目前的经营情况正常吗？",
                    "required": True,
                }
            ],
        }
    ]
}


def _gate(request: HttpRequest) -> None:
    require(request.user, "questionnaire.manage", ip=client_ip(request))


def _labels(choices, values: list[str]) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(v, v)) for v in values]


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    questionnaire: Questionnaire
    roles: list[str]
    channels: list[str]
    version: int | None
    updated_at: datetime


def questionnaire_list(request: HttpRequest) -> HttpResponse:
    _gate(request)
    questionnaires = Questionnaire.objects.annotate(latest=Max("versions__number")).order_by(
        "-is_active", "code"
    )
    rows = [
        Row(
            questionnaire=q,
            roles=_labels(SubjectRole, q.subject_roles),
            channels=_labels(VisitChannel, q.channels),
            version=q.latest,  # type: ignore[attr-defined]
            updated_at=q.updated_at,
        )
        for q in questionnaires
    ]
    return render(request, "questionnaires/questionnaire_list.html", {"rows": rows})


def questionnaire_detail(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    _gate(request)
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id)
    return _render_version(request, questionnaire, questionnaire.current_version())


def questionnaire_version(request: HttpRequest, questionnaire_id: int, number: int) -> HttpResponse:
    _gate(request)
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id)
    version = get_object_or_404(
        QuestionnaireVersion.objects.select_related("created_by"),
        questionnaire=questionnaire,
        number=number,
    )
    return _render_version(request, questionnaire, version)


def _render_version(
    request: HttpRequest, questionnaire: Questionnaire, version: QuestionnaireVersion | None
) -> HttpResponse:
    history = questionnaire.versions.select_related("created_by").order_by("-number")
    latest = history.first()
    return render(
        request,
        "questionnaires/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "version": version,
            "is_latest": version is not None and latest is not None and version.pk == latest.pk,
            "history": history,
            "roles": _labels(SubjectRole, questionnaire.subject_roles),
            "channels": _labels(VisitChannel, questionnaire.channels),
        },
    )


# --- the builder ---------------------------------------------------------------------------


def questionnaire_new(request: HttpRequest) -> HttpResponse:
    _gate(request)
    initial: dict = {"is_active": True, "definition": definition_text(STARTER)}
    source = None
    if (copy_id := request.GET.get("copy", "")).isdecimal():
        source = Questionnaire.objects.filter(pk=int(copy_id)).first()
    if source is not None and (version := source.current_version()) is not None:
        initial.update(
            subject_roles=source.subject_roles,
            channels=source.channels,
            definition=definition_text(version.definition),
            note=_("复制自%(name)s第%(n)d版") % {"name": source.name, "n": version.number},
        )
    return _editor(request, None, initial)


def questionnaire_edit(request: HttpRequest, questionnaire_id: int) -> HttpResponse:
    _gate(request)
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id)
    version = questionnaire.current_version()
    initial = {
        "name": questionnaire.name,
        "code": questionnaire.code,
        "description": questionnaire.description,
        "subject_roles": questionnaire.subject_roles,
        "channels": questionnaire.channels,
        "is_active": questionnaire.is_active,
        "definition": definition_text(version.definition if version else STARTER),
    }
    return _editor(request, questionnaire, initial)


def _editor(
    request: HttpRequest, questionnaire: Questionnaire | None, initial: dict
) -> HttpResponse:
    """Preview shows the form as officers will see it; Save stores it (a new version if changed).

    A refused save shows the page again with every problem and everything as typed.
    """
    form = QuestionnaireForm(request.POST or None, initial=initial, creating=questionnaire is None)
    preview = None
    problems: list[tuple[str, str]] = []  # (where, message) of the definition
    if request.method == "POST" and form.is_valid():
        definition = form.cleaned_data["definition"]
        if "preview" in request.POST:
            try:
                validate_definition(definition)
                preview = definition
            except DefinitionError as exc:
                problems = exc.problems
        else:
            current = questionnaire.current_version() if questionnaire else None
            try:
                version = questionnaire_save(
                    questionnaire=questionnaire,
                    fields=form.service_fields(),
                    definition=definition,
                    note=form.cleaned_data["note"],
                    user=request.user,
                    actor=request_actor(request),
                )
            except ValidationError as exc:
                problems = _add_errors(form, exc)
            else:
                messages.success(request, _saved_message(questionnaire, current, version))
                return redirect("questionnaire_detail", version.questionnaire_id)
    # JSON that does not parse: the form's own error, with no place.
    problems = [("", str(e)) for e in form.errors.get("definition", [])] + problems
    return render(
        request,
        "questionnaires/questionnaire_edit.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "problems": problems,
            "preview": preview,
            "builder": _builder_config([where for where, _m in problems]),
            "sources": Questionnaire.objects.order_by("code") if questionnaire is None else (),
        },
    )


def _saved_message(
    questionnaire: Questionnaire | None,
    before: QuestionnaireVersion | None,
    version: QuestionnaireVersion,
) -> str:
    if questionnaire is None:
        return _("已创建问卷（第 1 版）。")
    if before is not None and before.pk == version.pk:
        return _("已保存。问卷内容没有变化，仍为第 %(n)d 版。") % {"n": version.number}
    return _("已保存为第 %(n)d 版。新开始的回访使用新版本，已开始的回访仍按原版本记录。") % {
        "n": version.number
    }


def _add_errors(form: QuestionnaireForm, exc: ValidationError) -> list[tuple[str, str]]:
    """Put the service's errors on the form; return the definition's problems (where, message)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return []
    problems = []
    for name, errors in exc.error_dict.items():
        if name == "definition":
            for error in errors:
                params = error.params or {}
                problems.append((params.get("where", ""), params.get("message", error.message)))
        else:
            form.add_error(name if name in form.fields else None, errors)
    if problems:
        form.add_error(None, _("问卷内容有问题，见下方列表。"))
    return problems


def _builder_config(problem_places: list[str]) -> dict:
    """What the builder script needs: the vocabulary and its words, in the user's language."""
    return {
        "types": [[code, str(label)] for code, label in TYPES.items()],
        "signals": [[code, str(label)] for code, label in SIGNALS.items()],
        "severities": [[code, str(label)] for code, label in SEVERITIES.items()],
        "operators": {code: str(label) for code, label in OPERATORS.items()},
        "risk_operators": RISK_OPERATORS,
        "condition_types": list(CONDITION_TYPES),
        "problems": problem_places,
        "text": _builder_text(),
    }


def _builder_text() -> dict[str, str]:
    return {
        "section": _("第 %s 节"),
        "section_title": _("节标题"),
        "section_key": _("节代码"),
        "add_section": _("添加一节"),
        "add_question": _("添加题目"),
        "move_up": _("上移"),
        "move_down": _("下移"),
        "remove": _("删除"),
        "confirm_section": _("删除这一节及其中的所有题目？"),
        "confirm_question": _("删除这道题？"),
        "label": _("题目（记录的内容）"),
        "key": _("代码"),
        "type": _("题型"),
        "required": _("必答"),
        "script": _("话术（客户经理读出的内容）"),
        "help": _("提示"),
        "options": _("选项"),
        "option_value": _("值（英文代码）"),
        "option_label": _("名称"),
        "add_option": _("添加选项"),
        "min": _("最小值"),
        "max": _("最大值"),
        "show_if": _("显示条件"),
        "always": _("始终显示"),
        "shows_when": _("回答为以下之一时显示："),
        "no_targets": _("本题之前没有可作为条件的题目（是否、单选、多选、评分、推荐度题）。"),
        "risks": _("风险规则"),
        "add_risk": _("添加风险规则"),
        "operator": _("条件"),
        "value": _("值"),
        "signal": _("预警信号"),
        "severity": _("严重程度"),
        "risk_label": _("说明"),
        "values_hint": _("多个值用逗号分隔"),
        "no_risks": _("该题型不能设置风险规则。"),
        "yes": _("是"),
        "no": _("否"),
        "untitled": _("（未填写题目）"),
        "required_badge": _("必答"),
        "conditional_badge": _("有条件"),
        "risk_badge": _("风险 %s"),
        "problem_badge": _("有问题"),
        "json_invalid": _(
            "JSON 格式有误，结构化编辑器无法显示。请在下方“高级：直接编辑 JSON”中改正后再预览或保存。"
        ),
        "empty": _("还没有内容，点击“添加一节”开始。"),
        "expand": _("全部展开"),
        "collapse": _("全部收起"),
        "new_section": _("新的一节"),
        "new_question": _("新题目"),
    }
