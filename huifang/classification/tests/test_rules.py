"""The floors' rule set as data an admin extends: versions, the page and the API."""

import json
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from huifang.accounts.models import Role
from huifang.audit.models import AuditEvent
from huifang.audit.services import Actor, actor_for
from huifang.classification.floors import DEFAULT_RULES
from huifang.classification.models import RuleSetVersion, Suggestion
from huifang.classification.selectors import current_rules
from huifang.classification.services import classify, rules_save
from huifang.followups.models import Visit
from huifang.portfolio.models import Loan
from huifang.risk.models import Signal

SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")
AS_OF = date(2025, 6, 1)  # B-0001: special_mention by DPD alone
LEGAL_RISK_FLOOR = {"signals": {"fund_misuse": "special_mention", "legal_risk": "doubtful"}}


def _save(user, rules, note="测试"):
    return rules_save(rules=rules, note=note, user=user, actor=actor_for(user))


def _suggestion(no="B-0001"):
    run = classify(as_of=AS_OF, actor=SYSTEM_ACTOR, trigger="command")
    return Suggestion.objects.get(run=run, loan__loan_no=no)


def _legal_risk_signal(no="B-0001"):
    """A legal_risk signal the risk app raised from a visit of the loan."""
    loan = Loan.objects.get(loan_no=no)
    return Signal.objects.create(
        loan=loan,
        source="note",
        code="legal_risk",
        severity="high",
        evidence="借款人被起诉",
        visit=Visit.objects.filter(loan=loan).order_by("pk").first(),
        raised_at=datetime(2025, 5, 1, tzinfo=UTC),
    )


def test_with_no_version_saved_the_default_rules_apply(two_branches):
    assert current_rules() == DEFAULT_RULES


def test_a_saved_signal_floor_changes_the_next_suggestion(two_branches):
    # given a legal_risk signal from a visit, which the default rules ignore
    signal = _legal_risk_signal()
    assert _suggestion().category == "special_mention"

    # when a risk manager saves "legal_risk -> at least doubtful"
    version = _save(two_branches[Role.RISK_MANAGER], LEGAL_RISK_FLOOR)

    # then the next run suggests doubtful, naming the signal; the DPD floor still applies
    suggestion = _suggestion()
    assert version.number == 1
    assert suggestion.category == "doubtful"
    assert f"legal_risk:visit {signal.visit_id}" in suggestion.reasons
    assert any(reason.startswith("dpd:") for reason in suggestion.reasons)


def test_each_save_is_a_new_audited_version_and_old_ones_are_kept(two_branches):
    admin = two_branches[Role.ADMIN]
    first = _save(admin, LEGAL_RISK_FLOOR, note="涉诉至少可疑")
    second = _save(admin, {"warnings": {"red": "doubtful", "orange": "special_mention"}})

    assert [v.number for v in RuleSetVersion.objects.all()] == [2, 1]
    first.refresh_from_db()
    assert first.rules["signals"]["legal_risk"] == "doubtful"
    assert current_rules()["warnings"]["red"] == "doubtful"
    assert current_rules()["signals"] == DEFAULT_RULES["signals"]
    events = AuditEvent.objects.filter(object_type="classification.rulesetversion")
    assert sorted(e.object_id for e in events) == sorted([str(first.pk), str(second.pk)])
    assert all(e.actor_id == admin.pk for e in events)


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"dpd": [[1, "special_mention"], [181, "substandard"]]}, "不能修改或删除"),
        ({"dpd": []}, "不能修改或删除"),
        ({"signals": {}}, "fund_misuse 是默认规则"),
        ({"warnings": {"red": "normal", "orange": "special_mention"}}, "warnings red"),
        ({"colour": {}}, "未知的规则部分"),
        (
            {"signals": {"fund_misuse": "special_mention", "no_such_signal": "loss"}},
            "no_such_signal",
        ),
        ({"signals": {"fund_misuse": "worst"}}, "分类“worst”无效"),
        (DEFAULT_RULES, "没有保存新版本"),
    ],
)
def test_bad_or_weaker_rules_are_refused_and_nothing_changes(two_branches, rules, message):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        _save(two_branches[Role.RISK_MANAGER], rules)
    assert not RuleSetVersion.objects.exists()
    assert current_rules() == DEFAULT_RULES
    assert AuditEvent.objects.count() == before


def test_unchanged_rules_make_no_new_version(two_branches):
    manager = two_branches[Role.RISK_MANAGER]
    _save(manager, LEGAL_RISK_FLOOR)
    with pytest.raises(ValidationError, match="没有保存新版本"):
        _save(manager, LEGAL_RISK_FLOOR)
    assert RuleSetVersion.objects.count() == 1


def test_an_officer_cannot_save_rules(two_branches):
    with pytest.raises(PermissionDenied):
        _save(two_branches[Role.OFFICER], LEGAL_RISK_FLOOR)
    assert not RuleSetVersion.objects.exists()


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_the_floors_in_chinese_and_a_prefilled_form(two_branches, client):
    client.force_login(two_branches[Role.RISK_MANAGER])
    page = client.get("/classification/rules/").content.decode()
    assert "逾期 91–270 天：至少次级" in page
    assert "逾期 361 天及以上：至少损失" in page
    assert "存在未解除的红色预警：至少次级" in page
    assert "&quot;fund_misuse&quot;: &quot;special_mention&quot;" in page  # the textarea
    assert "legal_risk" in page  # the example
    assert 'href="/classification/rules/"' in page  # the tab


def test_the_rules_tab_is_hidden_from_an_officer(two_branches, client):
    client.force_login(two_branches[Role.OFFICER])
    assert "/classification/rules/" not in client.get("/classification/").content.decode()
    assert client.get("/classification/rules/").status_code == 403


def test_saving_from_the_page_adds_a_version(two_branches, client):
    client.force_login(two_branches[Role.ADMIN])
    response = client.post(
        "/classification/rules/", {"rules": json.dumps(LEGAL_RISK_FLOOR), "note": "涉诉"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已保存分类规则第 1 版" in page
    assert "当前规则（第 1 版）" in page
    assert "经审核的回访确认风险信号“涉诉/被执行”（legal_risk）：至少可疑" in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"signals": {"legal_risk": ', "不是有效的 JSON：第 1 行"),
        ('{"dpd": [[1, "special_mention"]]}', "不能修改或删除"),
    ],
)
def test_a_bad_rule_set_on_the_page_is_shown_again_with_the_message(
    two_branches, client, text, message
):
    client.force_login(two_branches[Role.RISK_MANAGER])
    response = client.post("/classification/rules/", {"rules": text, "note": "错误"})
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert "&quot;dpd&quot;" in page or "legal_risk" in page  # what was typed
    assert 'value="错误"' in page
    assert not RuleSetVersion.objects.exists()


# --- the API ------------------------------------------------------------------------------


def test_the_api_reads_and_saves_versions(two_branches, client):
    client.force_login(two_branches[Role.RISK_MANAGER])
    current = client.get("/api/v1/classification/rules").json()
    assert current["version"] == 0 and current["rules"] == DEFAULT_RULES

    response = client.post(
        "/api/v1/classification/rules",
        {"rules": LEGAL_RISK_FLOOR, "note": "接口"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["version"] == 1
    assert response.json()["rules"]["signals"]["legal_risk"] == "doubtful"
    assert client.get("/api/v1/classification/rules").json()["version"] == 1


def test_the_api_refuses_weaker_rules_with_422(two_branches, client):
    client.force_login(two_branches[Role.ADMIN])
    response = client.post(
        "/api/v1/classification/rules",
        {"rules": {"dpd": [[1, "normal"]]}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "不能修改或删除" in response.json()["detail"]["rules"][0]
    assert not RuleSetVersion.objects.exists()
