"""The risk API: signals, warnings and their lifecycle, the lexicon and the rules."""

from huifang.risk.models import Warning
from huifang.risk.selectors import open_warning_levels


def test_raise_a_signal_then_handle_its_warning_through_the_api(loan_a, client, two_branches):
    client.force_login(two_branches["officer"])
    created = client.post(
        "/api/v1/risk/signals",
        {
            "loan_no": "A-0001",
            "code": "legal_risk",
            "severity": "high",
            "evidence": "裁判文书网：借款人被列为被执行人",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["raised_by"] == "officer_a"
    assert open_warning_levels([loan_a.pk]) == {loan_a.pk: {"red"}}

    items = client.get("/api/v1/risk/warnings?status=open").json()["items"]
    assert [(w["loan_no"], w["level"]) for w in items] == [("A-0001", "red")]
    warning_id = items[0]["id"]
    detail = client.get(f"/api/v1/risk/warnings/{warning_id}").json()
    assert detail["stop_disbursement"] is True
    assert detail["signals"][0]["evidence"] == "裁判文书网：借款人被列为被执行人"
    assert {r["kind"] for r in detail["responses"]} >= {"stop_disbursement", "collections_prep"}
    # an officer may not handle it
    assert (
        client.post(
            f"/api/v1/risk/warnings/{warning_id}/lift",
            {"reason": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )

    client.force_login(two_branches["risk_manager"])
    unknown = client.post(
        f"/api/v1/risk/warnings/{warning_id}/acknowledge",
        {"owner": "nobody", "deadline": "2099-01-31"},
        content_type="application/json",
    )
    assert unknown.status_code == 422 and "owner" in unknown.json()["detail"]
    ack = client.post(
        f"/api/v1/risk/warnings/{warning_id}/acknowledge",
        {"owner": "risk_manager_a", "deadline": "2099-01-31"},
        content_type="application/json",
    )
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    responded = client.post(
        f"/api/v1/risk/warnings/{warning_id}/respond",
        {"kind": "adhoc_visit", "note": "上门核实"},
        content_type="application/json",
    )
    assert responded.status_code == 201 and responded.json()["visit"]
    lifted = client.post(
        f"/api/v1/risk/warnings/{warning_id}/lift",
        {"reason": "法院已撤销执行"},
        content_type="application/json",
    )
    assert lifted.status_code == 200 and lifted.json()["status"] == "lifted"
    assert open_warning_levels([loan_a.pk]) == {}
    events = [e["action"] for e in lifted.json()["events"]]
    assert events == ["raised", "acknowledged", "responded", "lifted"]


def test_escalate_through_the_api_returns_the_new_warning(loan_a, client, two_branches):
    blue = Warning.objects.create(loan=loan_a, level="blue")
    client.force_login(two_branches["risk_manager"])
    response = client.post(
        f"/api/v1/risk/warnings/{blue.pk}/escalate",
        {"level": "purple", "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {"level", "reason"} <= set(response.json()["detail"])
    response = client.post(
        f"/api/v1/risk/warnings/{blue.pk}/escalate",
        {"level": "yellow", "reason": "三次联系失败"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["level"] == "yellow"
    assert response.json()["escalated_from"] == blue.pk


def test_lexicon_and_rules_through_the_api(db, client, two_branches):
    client.force_login(two_branches["admin"])
    terms = client.get("/api/v1/risk/lexicon").json()
    assert any(t["term"] == "停产" for t in terms)
    saved = client.post(
        "/api/v1/risk/lexicon",
        {"term": "关停", "code": "business_decline", "severity": "high"},
        content_type="application/json",
    )
    assert saved.status_code == 200 and saved.json()["term"] == "关停"
    bad = client.post(
        "/api/v1/risk/rules",
        {"code": "r1", "name": "测试", "level": "red", "conditions": {"dpd_min": "x"}},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "conditions" in bad.json()["detail"]
    rules = client.get("/api/v1/risk/rules").json()
    assert [r["code"] for r in rules][-1] == "overdue_90_plus"
