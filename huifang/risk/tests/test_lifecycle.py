"""A risk manager handles a warning: acknowledge, respond, escalate, lift; nothing is deleted."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from huifang.accounts.models import Role, User
from huifang.audit.models import AuditEvent
from huifang.audit.services import actor_for
from huifang.risk.models import OPEN_WARNING, Signal, Warning
from huifang.risk.services import (
    signal_raise,
    warning_acknowledge,
    warning_escalate,
    warning_lift,
    warning_respond,
)
from huifang.risk.tests.factories import SYSTEM

LATER = date(2099, 1, 31)


@pytest.fixture
def blue(two_branches, loan_a) -> Warning:
    """A blue warning on A-0001, from a medium signal an officer raised by hand."""
    officer = two_branches["officer"]
    signal_raise(
        loan=loan_a,
        code="business_decline",
        severity="medium",
        evidence="门店大门紧闭，邻居说已两周未营业",
        user=officer,
        actor=actor_for(officer),
        as_of=date(2025, 3, 10),
    )
    return Warning.objects.get(loan=loan_a)


def test_a_signal_raised_by_hand_raises_a_blue_warning(blue, two_branches):
    assert blue.level == "blue" and blue.status == "raised"
    (signal,) = blue.signals.all()
    assert signal.raised_by == two_branches["officer"] and signal.source == "manual"
    assert blue.responses.get().kind == "monitor"


def test_acknowledge_respond_and_lift(blue, two_branches, loan_a):
    rm = two_branches["risk_manager"]
    actor = actor_for(rm)

    warning_acknowledge(warning=blue, owner=rm, deadline=LATER, user=rm, actor=actor)
    blue.refresh_from_db()
    assert (blue.status, blue.owner, blue.deadline) == ("acknowledged", rm, LATER)

    response = warning_respond(
        warning=blue, kind="adhoc_visit", note="上门核实经营", user=rm, actor=actor
    )
    blue.refresh_from_db()
    assert blue.status == "responding"
    assert response.visit.kind == "adhoc" and response.visit.loan == loan_a
    assert response.created_by == rm

    warning_lift(warning=blue, reason="上门核实：门店装修，已恢复营业", user=rm, actor=actor)
    blue.refresh_from_db()
    assert blue.status == "lifted" and blue.closed_by == rm
    assert blue.close_reason == "上门核实：门店装修，已恢复营业"
    # the signals that caused it close with it; nothing is deleted
    assert not Signal.objects.filter(loan=loan_a, status="open").exists()
    assert Signal.objects.filter(loan=loan_a).count() == 1
    assert list(blue.events.values_list("action", flat=True)) == [
        "raised",
        "acknowledged",
        "responded",
        "lifted",
    ]
    actions = set(
        AuditEvent.objects.filter(object_type="risk.warning", object_id=str(blue.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"warning_raise", "warning_acknowledge", "respond", "warning_lift"} <= actions
    # and a lifted warning cannot be handled any more
    with pytest.raises(ValidationError, match="已解除"):
        warning_respond(warning=blue, kind="monitor", note="", user=rm, actor=actor)


def test_lifting_needs_a_reason(blue, two_branches):
    rm = two_branches["risk_manager"]
    with pytest.raises(ValidationError) as exc:
        warning_lift(warning=blue, reason="  ", user=rm, actor=actor_for(rm))
    assert "reason" in exc.value.message_dict
    blue.refresh_from_db()
    assert blue.is_open


@pytest.mark.parametrize("role", ["officer", "reviewer", "admin", "auditor"])
def test_only_a_risk_manager_handles_warnings(blue, two_branches, role):
    user = two_branches[role]
    with pytest.raises(PermissionDenied):
        warning_lift(warning=blue, reason="无风险", user=user, actor=actor_for(user))
    with pytest.raises(PermissionDenied):
        warning_acknowledge(
            warning=blue, owner=user, deadline=LATER, user=user, actor=actor_for(user)
        )
    blue.refresh_from_db()
    assert blue.status == "raised"


def test_acknowledging_checks_owner_and_deadline(blue, two_branches):
    rm = two_branches["risk_manager"]
    officer_b = User.objects.get(username="officer_b")
    cases = [
        (two_branches["auditor"], LATER, "owner"),
        (officer_b, LATER, "owner"),  # another branch's officer
        (rm, timezone.localdate() - timedelta(days=1), "deadline"),
        (rm, None, "deadline"),
    ]
    for owner, deadline, field in cases:
        with pytest.raises(ValidationError) as exc:
            warning_acknowledge(
                warning=blue, owner=owner, deadline=deadline, user=rm, actor=actor_for(rm)
            )
        assert field in exc.value.message_dict
    blue.refresh_from_db()
    assert blue.status == "raised" and blue.owner is None


def test_escalating_by_hand(blue, two_branches, loan_a):
    rm = two_branches["risk_manager"]
    with pytest.raises(ValidationError) as exc:
        warning_escalate(warning=blue, level="blue", reason="x", user=rm, actor=actor_for(rm))
    assert "level" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        warning_escalate(warning=blue, level="orange", reason="", user=rm, actor=actor_for(rm))
    assert "reason" in exc.value.message_dict

    orange = warning_escalate(
        warning=blue,
        level="orange",
        reason="借款人承认挪用部分资金",
        user=rm,
        actor=actor_for(rm),
        as_of=date(2025, 3, 11),
    )
    blue.refresh_from_db()
    assert blue.status == "escalated" and blue.close_reason == "借款人承认挪用部分资金"
    assert orange.level == "orange" and orange.escalated_from == blue
    assert orange.raised_by == rm
    assert list(orange.signals.all()) == list(blue.signals.all())
    assert Warning.objects.filter(loan=loan_a, status__in=OPEN_WARNING).get() == orange
    assert orange.responses.filter(kind="adhoc_visit").exists()


def test_raising_a_signal_checks_what_is_typed_and_who_types_it(two_branches, loan_a):
    officer = two_branches["officer"]
    with pytest.raises(ValidationError) as exc:
        signal_raise(
            loan=loan_a,
            code="no_such",
            severity="huge",
            evidence=" ",
            user=officer,
            actor=actor_for(officer),
        )
    assert {"code", "severity", "evidence"} <= set(exc.value.message_dict)
    officer_b = User.objects.get(username="officer_b")
    with pytest.raises(PermissionDenied):
        signal_raise(
            loan=loan_a,
            code="other_risk",
            severity="low",
            evidence="别的机构的贷款",
            user=officer_b,
            actor=actor_for(officer_b),
        )
    admin = two_branches[Role.ADMIN]
    with pytest.raises(PermissionDenied):
        signal_raise(
            loan=loan_a,
            code="other_risk",
            severity="low",
            evidence="管理员不登记信号",
            user=admin,
            actor=actor_for(admin),
        )
    assert not Signal.objects.exists()


def test_a_responded_department_task_without_the_departments_app_is_kept_as_failed(
    blue, two_branches
):
    from huifang.risk.tests.factories import departments_ready

    rm = two_branches["risk_manager"]
    response = warning_respond(
        warning=blue, kind="collections_prep", note="准备诉讼材料", user=rm, actor=SYSTEM
    )
    if departments_ready():
        assert response.status == "open" and response.department == "collections"
        assert response.task_id
    else:
        assert response.status == "failed" and "部门" in response.note
