"""The floors' rule set as data: a new version, checked and audited (classification.md)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from huifang.accounts.gate import require
from huifang.audit.services import Actor, Change, record
from huifang.classification.floors import RulesError, validate_rules
from huifang.classification.models import RuleSetVersion
from huifang.classification.selectors import current_rules
from huifang.classification.services.workflow import invalid
from huifang.risk.codes import SignalCode

MAX_NOTE = 200


def rules_save(*, rules: Any, note: str, user: Any, actor: Actor) -> RuleSetVersion:
    """A new version of the floors' rule set (admins and risk managers), audited.

    classification.md: "The rule set is data an admin can extend"; the DPD
    table and the default floors cannot be weakened (floors.validate_rules).
    Nothing is saved when the rules are wrong or unchanged.
    """
    require(user, "risk.rules", via=actor.via, ip=actor.ip)
    try:
        checked = validate_rules(rules)
    except RulesError as exc:
        raise invalid("rules", str(exc)) from exc
    known = set(SignalCode.values)
    unknown = sorted(set(checked["signals"]) - known)
    if unknown:
        raise invalid(
            "rules",
            _("未知的风险信号代码：%(codes)s（可用：%(known)s）。")
            % {"codes": "、".join(unknown), "known": "、".join(sorted(known))},
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise invalid("note", _("说明最多 %(n)d 个字。") % {"n": MAX_NOTE})
    with transaction.atomic():
        latest = RuleSetVersion.objects.select_for_update().order_by("-number").first()
        before = current_rules()
        if checked == before:
            raise invalid("rules", _("规则与当前生效的规则相同，没有保存新版本。"))
        version = RuleSetVersion.objects.create(
            number=(latest.number if latest else 0) + 1,
            rules=checked,
            note=note,
            created_by_id=actor.user_id,
        )
        record(
            actor,
            Change(
                action="classification_rules_save",
                object_type="classification.rulesetversion",
                object_id=str(version.pk),
                summary=f"五级分类规则第 {version.number} 版" + (f"：{note}" if note else ""),
                before={"rules": before},
                after={"number": version.number, "rules": checked, "note": note},
            ),
        )
    return version
