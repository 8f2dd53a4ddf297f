"""What an evidence flag says, in words a reviewer reads."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from huifang.evidence.models import EvidenceFlag, FlagKind


def flag_text(flag: EvidenceFlag) -> str:
    """The flag's finding in a sentence: which other visits, how far, what time."""
    detail = flag.detail or {}
    if flag.kind in (FlagKind.REUSED_PHOTO, FlagKind.DUPLICATE_FILE):
        return _matches_text(flag.kind, detail.get("matches") or [])
    if flag.kind == FlagKind.OFF_HOURS:
        when = detail.get("occurred_at", "")
        if not detail.get("working_day", True):
            return _("回访时间 %(when)s 不是工作日。") % {"when": when}
        return _("回访时间 %(when)s 不在工作时间 %(hours)s 内。") % {
            "when": when,
            "hours": detail.get("hours", ""),
        }
    if flag.kind == FlagKind.FAR_FROM_SITE:
        return _("回访位置距借款人经营地址约 %(distance)s 米，超过允许的 %(max)s 米。") % {
            "distance": f"{detail.get('distance_m', 0):,}",
            "max": f"{detail.get('max_distance_m', 0):,}",
        }
    if flag.kind == FlagKind.NO_LOCATION:
        return _("实地回访没有记录定位，无法核对回访地点。")
    if flag.kind == FlagKind.NO_SITE_LOCATION:
        return _("借款人经营地址未设坐标，无法核对回访地点与经营地址的距离。")
    return flag.get_kind_display()


def _matches_text(kind: str, matches: list[dict]) -> str:
    where = "、".join(
        _("%(loan_no)s 的回访（%(when)s 上传）")
        % {"loan_no": m["loan_no"], "when": m["uploaded_at"]}
        for m in matches
    )
    if kind == FlagKind.REUSED_PHOTO:
        return ngettext(
            "与 %(where)s中的照片高度相似。",
            "与 %(where)s中的照片高度相似（共 %(count)d 处）。",
            len(matches),
        ) % {"where": where, "count": len(matches)}
    return ngettext(
        "与 %(where)s中的文件完全相同。",
        "与 %(where)s中的文件完全相同（共 %(count)d 处）。",
        len(matches),
    ) % {"where": where, "count": len(matches)}
