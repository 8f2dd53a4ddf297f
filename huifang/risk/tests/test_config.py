"""The shipped lexicon and rules, and editing them (admins and risk managers)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huifang.audit.models import AuditEvent
from huifang.audit.services import actor_for
from huifang.risk.lexicon import DEFAULT_TERMS
from huifang.risk.models import LexiconTerm, Signal, WarningRule
from huifang.risk.rules import DEFAULT_RULES
from huifang.risk.services import lexicon_term_save, risk_from_submission, warning_rule_save
from huifang.risk.tests.factories import SYSTEM, approved_round


def test_the_data_migration_ships_the_default_lexicon_and_rules(db):
    shipped = set(LexiconTerm.objects.values_list("term", "code", "severity"))
    assert shipped == {(t.term, t.code, t.severity) for t in DEFAULT_TERMS}
    rules = list(
        WarningRule.objects.order_by("position").values_list("code", "level", "conditions")
    )
    assert rules == [(r.code, r.level, r.conditions) for r in DEFAULT_RULES]


def test_a_new_term_raises_its_signal_from_the_next_notes(work):
    rm = work["risk_manager"]
    lexicon_term_save(
        term="停业", code="business_decline", severity="high", user=rm, actor=actor_for(rm)
    )
    submission = approved_round(work, notes="店铺已停业，门口贴了转让告示")
    (signal,) = risk_from_submission(submission=submission, actor=SYSTEM)
    assert (signal.code, signal.source) == ("business_decline", "note")
    assert "店铺已停业" in signal.evidence
    assert AuditEvent.objects.filter(object_type="risk.lexiconterm", action="create").exists()


def test_negated_notes_raise_nothing(work):
    submission = approved_round(
        work, notes="企业未停产，没有裁员，并未发现转移资产，借款人否认拖欠工资。"
    )
    assert risk_from_submission(submission=submission, actor=SYSTEM) == []
    assert not Signal.objects.exists()


def test_a_disabled_term_raises_nothing(work):
    admin = work["admin"]
    lexicon_term_save(
        term="停产", code="business_decline", severity="high", active=False, user=admin,
        actor=actor_for(admin),
    )  # fmt: skip
    submission = approved_round(work, notes="工厂已停产")
    assert risk_from_submission(submission=submission, actor=SYSTEM) == []


def test_lexicon_edits_are_checked_and_gated(work):
    rm = work["risk_manager"]
    with pytest.raises(ValidationError) as exc:
        lexicon_term_save(term="未", code="nothing", severity="x", user=rm, actor=actor_for(rm))
    assert {"term", "code", "severity"} <= set(exc.value.message_dict)
    officer = work["officer"]
    with pytest.raises(PermissionDenied):
        lexicon_term_save(
            term="停业", code="business_decline", severity="high", user=officer,
            actor=actor_for(officer),
        )  # fmt: skip
    assert not LexiconTerm.objects.filter(term="停业").exists()


def test_a_rule_is_added_changed_and_checked(work):
    admin = work["admin"]
    rule = warning_rule_save(
        code="overdue_long",
        name="逾期超过 5 天",
        level="blue",
        conditions={"dpd_min": 5},
        user=admin,
        actor=actor_for(admin),
    )
    assert rule.position > WarningRule.objects.exclude(pk=rule.pk).order_by("-position")[0].position
    warning_rule_save(
        code="overdue_long",
        name="逾期超过 5 天",
        level="yellow",
        conditions={"dpd_min": 5},
        user=admin,
        actor=actor_for(admin),
    )
    rule.refresh_from_db()
    assert rule.level == "yellow"
    with pytest.raises(ValidationError) as exc:
        warning_rule_save(
            code="bad rule!",
            name="",
            level="purple",
            conditions={"dpd_minimum": 5},
            user=admin,
            actor=actor_for(admin),
        )
    errors = exc.value.message_dict
    assert {"code", "name", "level", "conditions"} <= set(errors)
    assert "dpd_minimum" in errors["conditions"][0]
