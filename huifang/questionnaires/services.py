"""Questionnaires: which one a visit uses, and an admin saving one (a new version when the content changes)."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huifang.audit.services import Actor, Change, record
from huifang.followups.models import SubjectRole, VisitChannel
from huifang.questionnaires.models import Questionnaire, QuestionnaireVersion
from huifang.questionnaires.schema import DefinitionError, validate_definition

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
FIELDS = ("code", "name", "description", "subject_roles", "channels", "is_active")
OBJECT_TYPE = "questionnaires.questionnaire"


# --- which questionnaire a visit uses --------------------------------------------------------


def questionnaire_for(*, subject_role: str, channel: str) -> QuestionnaireVersion:
    """The latest version of the most specific active questionnaire for a visit's subject and channel.

    One naming both the role and the channel beats one naming only the role, which beats
    one naming only the channel, which beats one for every role and channel (both lists
    empty); among equals, the one naming fewer roles and channels, then the first code.
    """
    candidates = []
    for questionnaire in Questionnaire.objects.filter(is_active=True):
        roles, channels = questionnaire.subject_roles or [], questionnaire.channels or []
        if (roles and subject_role not in roles) or (channels and channel not in channels):
            continue
        rank = (not (roles and channels), not roles, not channels, len(roles) + len(channels))
        candidates.append((rank, questionnaire.code, questionnaire))
    for _rank, _code, questionnaire in sorted(candidates, key=lambda c: c[:2]):
        version = questionnaire.versions.order_by("-number").first()
        if version is not None:
            return version
    raise ValidationError(
        _("没有适用于%(role)s%(channel)s回访的启用问卷，请联系管理员在“回访问卷”中设置。")
        % {
            "role": _label(SubjectRole, subject_role),
            "channel": _label(VisitChannel, channel),
        }
    )


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


# --- saving ----------------------------------------------------------------------------------


def questionnaire_save(
    *,
    questionnaire: Questionnaire | None,
    fields: dict,
    definition: dict,
    note: str,
    user: Any,
    actor: Actor,
) -> QuestionnaireVersion:
    """Create a questionnaire (version 1), or change one: a new version when the definition changed.

    `fields` holds any of FIELDS (a new questionnaire needs code and name). Versions are
    never edited; an unchanged definition keeps the current version, and saving nothing
    new at all writes nothing. Raises ValidationError ({field: messages}, the definition's
    problems under "definition") having changed nothing. The caller checks the permission.
    """
    cleaned = _clean_fields(fields, creating=questionnaire is None)
    try:
        validate_definition(definition)
    except DefinitionError as exc:
        raise ValidationError(
            {
                "definition": [
                    # "where：message", the two parts kept apart in params for the builder page
                    ValidationError("%(where)s：%(message)s", params={"where": w, "message": m})
                    for w, m in exc.problems
                ]
            }
        ) from None
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("修改说明不能超过 200 个字")})
    created_by = user.pk if getattr(user, "is_authenticated", False) and user.pk else None
    with transaction.atomic():
        if questionnaire is None:
            return _create(cleaned, definition, note, created_by, actor)
        return _update(questionnaire, cleaned, definition, note, created_by, actor)


def _create(
    cleaned: dict, definition: dict, note: str, created_by: int | None, actor: Actor
) -> QuestionnaireVersion:
    if Questionnaire.objects.filter(code=cleaned["code"]).exists():
        raise ValidationError({"code": _("问卷代码“%(code)s”已被使用") % {"code": cleaned["code"]}})
    now = timezone.now()
    questionnaire = Questionnaire.objects.create(**cleaned, created_at=now, updated_at=now)
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        definition=definition,
        note=note,
        created_by_id=created_by,
        created_at=now,
    )
    record(
        actor,
        Change(
            action="create",
            object_type=OBJECT_TYPE,
            object_id=str(questionnaire.pk),
            summary=f"{questionnaire.name}（{questionnaire.code}）第1版",
            after={**_field_values(questionnaire), "version": 1, "note": note},
        ),
    )
    return version


def _update(
    questionnaire: Questionnaire,
    cleaned: dict,
    definition: dict,
    note: str,
    created_by: int | None,
    actor: Actor,
) -> QuestionnaireVersion:
    # Serialises two admins saving the same questionnaire (SQLite: the IMMEDIATE transaction).
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if "code" in cleaned and cleaned["code"] != locked.code:
        raise ValidationError({"code": _("问卷代码创建后不能修改")})
    before = _field_values(locked)
    changed = {name for name, value in cleaned.items() if before[name] != value}
    current = locked.versions.order_by("-number").first()
    new_content = current is None or current.definition != definition
    if not changed and not new_content:
        return current  # type: ignore[return-value]
    now = timezone.now()
    for name in changed:
        setattr(locked, name, cleaned[name])
    locked.updated_at = now
    locked.save()
    version = current
    if new_content:
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = QuestionnaireVersion.objects.create(
            questionnaire=locked,
            number=number,
            definition=definition,
            note=note,
            created_by_id=created_by,
            created_at=now,
        )
    assert version is not None
    parts = [_("字段：%(names)s") % {"names": "、".join(sorted(changed))}] if changed else []
    if new_content:
        parts.append(_("第%(n)d版") % {"n": version.number} + (f"（{note}）" if note else ""))
    record(
        actor,
        Change(
            action="update",
            object_type=OBJECT_TYPE,
            object_id=str(locked.pk),
            summary=f"{locked.name}: " + "; ".join(parts),
            before={
                **{name: before[name] for name in sorted(changed)},
                "version": current.number if current else None,
            },
            after={
                **{name: cleaned[name] for name in sorted(changed)},
                "version": version.number,
                "note": note if new_content else "",
            },
        ),
    )
    return version


def _field_values(questionnaire: Questionnaire) -> dict:
    return {name: getattr(questionnaire, name) for name in FIELDS}


def _clean_fields(fields: dict, *, creating: bool) -> dict:
    """The questionnaire's own fields, checked; ValidationError naming each wrong one."""
    errors: dict[str, str] = {}
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        errors["__all__"] = _("未知字段：%(names)s") % {"names": "、".join(unknown)}
    cleaned: dict[str, Any] = {}
    for name in FIELDS:
        if name not in fields:
            if creating and name in ("code", "name"):
                errors[name] = _("必须填写")
            continue
        try:
            cleaned[name] = _CLEANERS[name](fields[name])
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _code(value: Any) -> str:
    code = value.strip() if isinstance(value, str) else ""
    if not CODE.match(code):
        raise ValueError(
            _("代码只能由小写字母、数字、连字符和下划线组成，以字母或数字开头，最长 50 个字符")
        )
    return code


def _name(value: Any) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name:
        raise ValueError(_("名称不能为空"))
    if len(name) > 100:
        raise ValueError(_("名称不能超过 100 个字"))
    return name


def _description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(_("说明必须是文字"))
    if len(value.strip()) > 2000:
        raise ValueError(_("说明不能超过 2000 个字"))
    return value.strip()


def _choices(allowed: Any, what: Any):
    def clean(value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(_("%(what)s必须是列表") % {"what": what})
        wrong = [v for v in value if v not in allowed.values]
        if wrong:
            raise ValueError(
                _("%(what)s中“%(values)s”不是可用的值（可用：%(allowed)s）")
                % {"what": what, "values": "、".join(wrong), "allowed": "、".join(allowed.values)}
            )
        # Stored in the order of the choices, once each: equal lists compare equal.
        return [v for v in allowed.values if v in value]

    return clean


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(_("启用必须是 true 或 false"))
    return value


_CLEANERS = {
    "code": _code,
    "name": _name,
    "description": _description,
    "subject_roles": _choices(SubjectRole, gettext_lazy("回访对象")),
    "channels": _choices(VisitChannel, gettext_lazy("渠道")),
    "is_active": _active,
}
