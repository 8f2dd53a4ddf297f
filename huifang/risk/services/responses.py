"""Responses to a warning, each creating real work (called inside the warning services' transaction).

Default responses per level (the issue, "Warnings"):
- blue: monitor;
- yellow: the loan's risk level goes to high, so its follow-ups turn monthly
  (followup-policy.md: high risk = a monthly periodic step), and the branch's
  supervisors (reviewers) are told;
- orange: an on-site ad-hoc visit within 7 days, a review by the risk
  management department, restructuring or more collateral considered;
- red: the head of risk at once (the risk department, urgent), no further
  disbursement, collections or legal steps prepared.
Department work goes to huifang.departments (imported when used): when it is
not there, the response is kept as "could not be created" with the reason,
and the warning stands.
"""

import logging
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from huifang.audit.services import Actor, Change, record
from huifang.risk.models import Response, ResponseKind, ResponseStatus, Warning

log = logging.getLogger(__name__)

K = ResponseKind
DEFAULT_RESPONSES: dict[str, tuple[str, ...]] = {
    "blue": (K.MONITOR,),
    "yellow": (K.RISK_LEVEL,),
    "orange": (K.RISK_LEVEL, K.ADHOC_VISIT, K.DEPARTMENT_TASK, K.MORE_COLLATERAL),
    "red": (K.RISK_LEVEL, K.STOP_DISBURSEMENT, K.COLLECTIONS_PREP, K.DEPARTMENT_TASK),
}
ADHOC_VISIT_DAYS = 7
TASK_DAYS = {"yellow": 14, "orange": 7, "red": 3, "blue": 30}
# Which department each kind of department work goes to (departments' shipped codes).
DEPARTMENT_OF: dict[str, str] = {
    K.DEPARTMENT_TASK: "risk",
    K.COLLECTIONS_PREP: "collections",
    K.MORE_COLLATERAL: "credit",
}


def _link(warning: Warning) -> str:
    return reverse("risk_warning_detail", args=[warning.pk])


def _title(warning: Warning) -> str:
    return _("%(level)s：%(loan)s %(borrower)s") % {
        "level": warning.get_level_display(),
        "loan": warning.loan.loan_no,
        "borrower": warning.loan.borrower.name,
    }


def adhoc_visit_day(as_of: date, days: int = ADHOC_VISIT_DAYS) -> date:
    """The last working day within `days` days of as_of (the visit is due by then)."""
    from huifang.followups.services.calendar import load_calendar

    calendar = load_calendar()
    day = as_of + timedelta(days=days)
    while day > as_of + timedelta(days=1) and not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def _adhoc_visit(warning: Warning, *, as_of: date, actor: Actor) -> Any:
    from huifang.followups.models import SubjectRole, Visit, VisitChannel, VisitKind, VisitStatus

    loan = warning.loan
    visit = Visit.objects.create(
        loan=loan,
        branch_id=loan.branch_id,
        subject_role=SubjectRole.BORROWER,
        kind=VisitKind.ADHOC,
        due_date=adhoc_visit_day(as_of),
        channel=VisitChannel.ONSITE,
        status=VisitStatus.PLANNED,
        assignee_id=loan.officer_id,
        planned_by_policy=False,  # planning never replaces it
    )
    record(
        actor,
        Change(
            action="create",
            object_type="followups.visit",
            object_id=str(visit.pk),
            summary=f"{loan.loan_no} {visit.get_kind_display()} {visit.due_date}",
            after={
                "kind": visit.kind,
                "channel": visit.channel,
                "due_date": visit.due_date,
                "warning": warning.pk,
            },
        ),
    )
    return visit


def _department_task(
    warning: Warning, kind: str, *, title: str, body: str, due: date, actor: Actor
) -> tuple[str, str, str]:
    """(task id, status, note): a task in a department's queue, or why there is none."""
    department = DEPARTMENT_OF[kind]
    try:
        from huifang.departments.services import department_task_create
    except ImportError:
        return "", ResponseStatus.FAILED, _("部门模块不可用，未能创建部门任务")
    try:
        with transaction.atomic():
            task = department_task_create(
                department=department,
                title=title,
                body=body,
                loan=warning.loan,
                source_type="risk.warning",
                source_id=str(warning.pk),
                due_date=due,
                actor=actor,
            )
    except Exception as exc:  # the warning stands whatever the department queue says
        log.exception("department task for warning %s failed", warning.pk)
        return "", ResponseStatus.FAILED, _("未能创建部门任务：%(error)s") % {"error": exc}
    return str(getattr(task, "pk", task)), ResponseStatus.OPEN, ""


def _raise_risk_level(warning: Warning, *, as_of: date, actor: Actor) -> str:
    """High risk: the loan is re-planned at once, with monthly periodic visits."""
    from huifang.followups.services.planning import plan_followups
    from huifang.portfolio.services.loans import loan_update

    loan = warning.loan
    if loan.risk_level == "high":
        return _("风险等级已是“高”，按月回访")
    before = loan.get_risk_level_display()
    loan_update(loan=loan, actor=actor, risk_level="high")
    # The nightly planning would pick the loan up; the warning should not wait for it.
    plan_followups(as_of=as_of, actor=actor, trigger="risk")
    return _("风险等级由“%(before)s”调为“高”，回访计划已改为按月") % {"before": before}


def _notify_supervisors(warning: Warning) -> None:
    from huifang.accounts.models import Role, User
    from huifang.notifications.services import notify

    people = list(
        User.objects.filter(role=Role.REVIEWER, branch_id=warning.loan.branch_id, is_active=True)
    )
    title, link = _title(warning), _link(warning)
    body = _("回访频率已调整为按月，请关注。")
    transaction.on_commit(
        lambda: [
            notify(user=p, kind="risk_warning", title=title, body=body, link=link) for p in people
        ]
    )


def _notify_head_of_risk(warning: Warning) -> None:
    """At once: the risk department's inboxes, email and group robots (queued in this transaction,
    sent right after the commit for an urgent notice)."""
    try:
        from huifang.departments.services import department_notify
    except ImportError:
        log.warning("departments app missing: red warning %s not sent", warning.pk)
        return
    try:
        with transaction.atomic():
            department_notify(
                department="risk",
                title=_title(warning),
                body=_("红色预警：已停止放款，请立即处置。"),
                link=_link(warning),
                urgent=True,
            )
    except Exception:  # a notice never undoes the warning
        log.exception("red warning %s: the risk department was not notified", warning.pk)


def response_create(
    *,
    warning: Warning,
    kind: str,
    actor: Actor,
    by: Any = None,
    note: str = "",
    as_of: date,
) -> Response:
    """One response and the work it makes. Call inside the warning service's transaction."""
    level = warning.level
    due = as_of + timedelta(days=TASK_DAYS.get(level, 14))
    values: dict[str, Any] = {"status": ResponseStatus.OPEN, "note": note, "due_date": due}
    loan = warning.loan
    if kind == K.MONITOR:
        values["note"] = note or _("持续监测还款与经营情况")
    elif kind == K.ADHOC_VISIT:
        visit = _adhoc_visit(warning, as_of=as_of, actor=actor)
        values.update(visit=visit, due_date=visit.due_date)
        values["note"] = note or _("%(day)s 前实地回访") % {"day": visit.due_date.isoformat()}
    elif kind == K.RISK_LEVEL:
        values["note"] = note or _raise_risk_level(warning, as_of=as_of, actor=actor)
        values["status"] = ResponseStatus.DONE
    elif kind == K.STOP_DISBURSEMENT:
        if not warning.stop_disbursement:
            warning.stop_disbursement = True
            warning.save(update_fields=["stop_disbursement"])
        values["note"] = note or _("停止对该笔贷款继续放款")
        values["status"] = ResponseStatus.DONE
    elif kind in DEPARTMENT_OF:
        titles: dict[str, str] = {
            K.DEPARTMENT_TASK: _("风险复核：%(loan)s"),
            K.COLLECTIONS_PREP: _("准备催收或法律措施：%(loan)s"),
            K.MORE_COLLATERAL: _("考虑重组或追加担保：%(loan)s"),
        }
        title = titles[kind] % {"loan": loan.loan_no}
        body = note or _title(warning)
        task_id, status, problem = _department_task(
            warning, kind, title=title, body=body, due=due, actor=actor
        )
        values.update(
            department=DEPARTMENT_OF[kind], task_id=task_id, status=status, note=problem or note
        )
    else:
        raise ValueError(f"unknown response kind {kind!r}")
    response = Response.objects.create(
        warning=warning, kind=kind, created_by=by if getattr(by, "pk", None) else None, **values
    )
    record(
        actor,
        Change(
            action="respond",
            object_type="risk.warning",
            object_id=str(warning.pk),
            summary=f"{loan.loan_no} {response.get_kind_display()}",
            after={
                "kind": kind,
                "status": response.status,
                "visit": response.visit_id,
                "department": response.department,
                "task": response.task_id,
                "note": response.note,
            },
        ),
    )
    return response


def default_responses(*, warning: Warning, actor: Actor, as_of: date) -> list[Response]:
    made = [
        response_create(warning=warning, kind=kind, actor=actor, as_of=as_of)
        for kind in DEFAULT_RESPONSES[warning.level]
    ]
    if warning.level == "yellow":
        _notify_supervisors(warning)
    if warning.level == "red":
        _notify_head_of_risk(warning)
    return made
