"""The risk pages as a person uses them."""

from datetime import date

import pytest

from huifang.audit.services import actor_for
from huifang.risk.models import LexiconTerm, Signal, Warning, WarningRule
from huifang.risk.services import risk_from_repayments, signal_raise
from huifang.risk.tests.factories import SYSTEM


@pytest.fixture
def red(loan_a) -> Warning:
    risk_from_repayments(as_of=date(2025, 5, 20), actor=SYSTEM)
    return Warning.objects.get(loan=loan_a)


def test_the_dashboard_counts_open_warnings_by_level_branch_and_officer(red, client, two_branches):
    client.force_login(two_branches["risk_manager"])
    page = client.get("/risk/").content.decode()
    assert "风险看板" in page and "红色预警" in page
    assert "甲分行" in page and two_branches["officer"].username in page
    assert "迁徙矩阵" in page and "A-0001" in page


def test_the_officer_of_another_branch_sees_none_of_its_warnings(red, client):
    from huifang.accounts.models import User

    client.force_login(User.objects.get(username="officer_b"))
    assert "A-0001" not in client.get("/risk/warnings/").content.decode()
    assert "A-0001" not in client.get("/risk/").content.decode()
    assert client.get(f"/risk/warnings/{red.pk}/").status_code == 403


def test_the_warning_list_filters(red, client, two_branches):
    client.force_login(two_branches["auditor"])
    assert "A-0001" in client.get("/risk/warnings/").content.decode()
    assert "A-0001" in client.get("/risk/warnings/?level=red").content.decode()
    assert "A-0001" not in client.get("/risk/warnings/?level=blue").content.decode()
    assert "A-0001" not in client.get("/risk/warnings/?status=lifted").content.decode()


def test_the_warning_page_shows_evidence_responses_and_the_stop(red, client, two_branches):
    client.force_login(two_branches["risk_manager"])
    page = client.get(f"/risk/warnings/{red.pk}/").content.decode()
    assert "停止放款" in page and "逾期超过90天" in page
    assert "截至 2025-05-20 逾期 94 天" in page
    assert "准备催收或法律措施" in page
    assert f'action="/risk/warnings/{red.pk}/lift/"' in page


def test_an_auditor_reads_the_warning_without_the_forms(red, client, two_branches):
    client.force_login(two_branches["auditor"])
    page = client.get(f"/risk/warnings/{red.pk}/").content.decode()
    assert "停止放款" in page and "/lift/" not in page


def test_lifting_without_a_reason_is_refused_and_changes_nothing(red, client, two_branches):
    client.force_login(two_branches["risk_manager"])
    response = client.post(f"/risk/warnings/{red.pk}/lift/", {"reason": ""})
    assert response.status_code == 422
    assert "解除原因" in response.content.decode()
    red.refresh_from_db()
    assert red.is_open


def test_acknowledge_then_lift_through_the_page(red, client, two_branches):
    rm = two_branches["risk_manager"]
    client.force_login(rm)
    response = client.post(
        f"/risk/warnings/{red.pk}/acknowledge/", {"owner": rm.pk, "deadline": "2099-01-31"}
    )
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.owner == rm and red.status == "acknowledged"
    bad = client.post(
        f"/risk/warnings/{red.pk}/acknowledge/", {"owner": rm.pk, "deadline": "31/01"}
    )
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.content.decode()
    response = client.post(f"/risk/warnings/{red.pk}/lift/", {"reason": "已全部结清"})
    assert response.status_code == 302
    red.refresh_from_db()
    assert red.status == "lifted"
    assert "已解除" in client.get(f"/risk/warnings/{red.pk}/").content.decode()


def test_escalating_through_the_page_goes_to_the_new_warning(loan_a, client, two_branches):
    officer = two_branches["officer"]
    signal_raise(
        loan=loan_a,
        code="business_decline",
        severity="medium",
        evidence="店面缩小一半",
        user=officer,
        actor=actor_for(officer),
        as_of=date(2025, 3, 10),
    )
    blue = Warning.objects.get(loan=loan_a)
    client.force_login(two_branches["risk_manager"])
    response = client.post(
        f"/risk/warnings/{blue.pk}/escalate/", {"level": "orange", "reason": "承认挪用"}
    )
    orange = Warning.objects.get(loan=loan_a, level="orange")
    assert response.status_code == 302 and response["Location"] == f"/risk/warnings/{orange.pk}/"
    page = client.get(f"/risk/warnings/{blue.pk}/").content.decode()
    assert "这条预警已升级为" in page


def test_raising_a_signal_by_hand(loan_a, client, two_branches):
    client.force_login(two_branches["officer"])
    form = client.get("/risk/signals/new/?loan=A-0001")
    assert form.status_code == 200 and 'value="A-0001"' in form.content.decode()
    empty = client.post(
        "/risk/signals/new/",
        {"loan": "A-0001", "code": "business_decline", "severity": "medium", "evidence": ""},
    )
    assert empty.status_code == 422 and "依据" in empty.content.decode()
    unknown = client.post(
        "/risk/signals/new/",
        {"loan": "X-404", "code": "business_decline", "severity": "medium", "evidence": "x"},
    )
    assert unknown.status_code == 422 and "没有这个借款合同编号" in unknown.content.decode()
    assert not Signal.objects.exists()
    response = client.post(
        "/risk/signals/new/",
        {
            "loan": "A-0001",
            "code": "business_decline",
            "severity": "medium",
            "evidence": "厂区停了一半生产线",
        },
    )
    warning = Warning.objects.get(loan=loan_a)
    assert response.status_code == 302 and response["Location"] == f"/risk/warnings/{warning.pk}/"
    page = client.get("/risk/signals/?loan=A-0001").content.decode()
    assert "厂区停了一半生产线" in page


def test_the_lexicon_page_previews_what_a_text_raises(db, client, two_branches):
    client.force_login(two_branches["risk_manager"])
    page = client.get("/risk/lexicon/", {"text": "企业未停产，但已拖欠工资两个月"}).content.decode()
    assert "<mark>拖欠工资</mark>" in page and "<mark>停产</mark>" not in page
    assert "黄色预警" in page  # a high repayment-ability signal


def test_adding_a_term_through_the_page(db, client, two_branches):
    client.force_login(two_branches["admin"])
    response = client.post(
        "/risk/lexicon/",
        {"term": "关门", "code": "business_decline", "severity": "medium", "active": "on"},
    )
    assert response.status_code == 302
    assert LexiconTerm.objects.get(term="关门").active
    bad = client.post(
        "/risk/lexicon/", {"term": "没有", "code": "business_decline", "severity": "low"}
    )
    assert bad.status_code == 422 and "否定词" in bad.content.decode()


def test_a_rule_with_bad_json_is_refused_with_where(db, client, two_branches):
    client.force_login(two_branches["risk_manager"])
    response = client.post(
        "/risk/rules/",
        {"code": "x1", "name": "测试", "level": "blue", "conditions": '{"dpd_min": }'},
    )
    assert response.status_code == 422 and "不是有效的 JSON" in response.content.decode()
    unknown = client.post(
        "/risk/rules/",
        {"code": "x1", "name": "测试", "level": "blue", "conditions": '{"days": 3}'},
    )
    assert unknown.status_code == 422 and "未知的条件" in unknown.content.decode()
    assert not WarningRule.objects.filter(code="x1").exists()
    rules_page = client.get("/risk/rules/", {"dpd": "95"}).content.decode()
    assert "逾期超过90天" in rules_page and "红色预警" in rules_page


def test_the_dashboard_shows_a_dash_before_anything_is_classified(db, client, two_branches):
    client.force_login(two_branches["officer"])
    page = client.get("/risk/").content.decode()
    assert "五级分类" in page
    assert '<th scope="row">正常</th><td class="num">—</td>' in page


def test_the_loan_risk_panel_shows_the_open_warning_and_the_stop(red, loan_a, rf, two_branches):
    from django.template import Context, Template

    request = rf.get("/loans/A-0001/")
    template = Template("{% load risk_tags %}{% loan_risk_panel loan %}")
    request.user = two_branches["officer"]
    html = template.render(Context({"request": request, "loan": loan_a}))
    assert "红色预警" in html and "停止放款" in html and f"/risk/warnings/{red.pk}/" in html
    assert "登记预警信号" in html
    request.user = two_branches["auditor"]
    html = template.render(Context({"request": request, "loan": loan_a}))
    assert "红色预警" in html and "登记预警信号" not in html
