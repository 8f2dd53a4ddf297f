"""The classification pages and the API, as a user sees them."""

import json
from datetime import date

from huifang.accounts.models import Role
from huifang.audit.services import Actor
from huifang.classification.models import ClassificationRun, LoanCategory
from huifang.classification.selectors import confirmed_categories
from huifang.classification.services import classify
from huifang.portfolio.models import Loan

SYSTEM_ACTOR = Actor(user_id=None, name="system", via="command")


def _classified():
    return classify(as_of=date(2025, 6, 1), actor=SYSTEM_ACTOR, trigger="command")


def _pk(no):
    return Loan.objects.get(loan_no=no).pk


def test_the_queue_shows_suggested_and_pending_categories_with_reasons(two_branches, client):
    _classified()
    client.force_login(two_branches[Role.RISK_MANAGER])
    page = client.get("/classification/").content.decode()
    assert "A-0001" in page and "B-0001" in page
    assert "次级" in page and "逾期天数：106" in page
    assert "审批通过" in page


def test_an_officer_sees_only_their_branch_and_cannot_approve(two_branches, client):
    _classified()
    client.force_login(two_branches[Role.OFFICER])
    page = client.get("/classification/").content.decode()
    assert "A-0001" in page and "B-0001" not in page
    assert 'value="approve"' not in page


def test_the_queue_filters_by_category(two_branches, client):
    _classified()
    client.force_login(two_branches[Role.RISK_MANAGER])
    page = client.get("/classification/?category=special_mention").content.decode()
    assert "B-0001" in page and "A-0001" not in page


def test_approving_from_the_queue(two_branches, client):
    _classified()
    client.force_login(two_branches[Role.RISK_MANAGER])
    response = client.post(
        "/classification/loans/A-0001/act/", {"action": "approve", "next": "list"}
    )
    assert response.status_code == 302 and response["Location"] == "/classification/"
    assert confirmed_categories([_pk("A-0001")]) == {_pk("A-0001"): "substandard"}


def test_a_change_without_a_reason_is_refused_with_a_message_and_nothing_changes(
    two_branches, client
):
    _classified()
    client.force_login(two_branches[Role.RISK_MANAGER])
    before = LoanCategory.objects.count()
    response = client.post(
        "/classification/loans/A-0001/act/", {"action": "change", "category": "loss"}
    )
    assert response.status_code == 422
    assert "调整分类必须填写理由" in response.content.decode()
    assert LoanCategory.objects.count() == before

    response = client.post(
        "/classification/loans/A-0001/act/",
        {"action": "change", "category": "loss", "reason": "法院已裁定破产"},
    )
    assert response.status_code == 302
    page = client.get("/classification/loans/A-0001/").content.decode()
    assert "法院已裁定破产" in page and "审批调整" in page and "损失" in page


def test_the_loan_page_shows_the_history_and_the_four_eyes_note(two_branches, client):
    _classified()
    manager = two_branches[Role.RISK_MANAGER]
    client.force_login(manager)
    client.post(
        "/classification/loans/A-0001/act/",
        {"action": "propose", "category": "doubtful", "reason": "借款人失联"},
    )
    page = client.get("/classification/loans/A-0001/").content.decode()
    assert "初分" in page and "借款人失联" in page
    assert "四眼原则" in page and 'value="approve"' not in page


def test_running_from_the_runs_page(two_branches, client):
    client.force_login(two_branches[Role.RISK_MANAGER])
    response = client.post("/classification/runs/new/", {"as_of": "2025-06-01"})
    assert response.status_code == 302
    run = ClassificationRun.objects.get()
    assert (run.as_of, run.trigger, run.loans) == (date(2025, 6, 1), "ui", 2)
    page = client.get("/classification/runs/").content.decode()
    assert "2025-06-01" in page


def test_a_bad_run_date_is_named_and_nothing_runs(two_branches, client):
    client.force_login(two_branches[Role.RISK_MANAGER])
    response = client.post("/classification/runs/new/", {"as_of": "2025-13-01"}, follow=True)
    assert "2025-13-01" in response.content.decode()
    assert not ClassificationRun.objects.exists()


# --- API ------------------------------------------------------------------------------------


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_api_runs_lists_and_decides(two_branches, client):
    manager = two_branches[Role.RISK_MANAGER]
    client.force_login(manager)
    created = _post(client, "/api/v1/classification/runs", {"as_of": "2025-06-01"})
    assert created.status_code == 201 and created.json()["loans"] == 2
    assert client.get("/api/v1/classification/runs").json()["count"] == 1

    suggestions = client.get("/api/v1/classification/suggestions?category=substandard").json()
    assert [s["loan_no"] for s in suggestions["items"]] == ["A-0001"]
    assert suggestions["items"][0]["reasons"] == ["dpd:106"]
    assert suggestions["items"][0]["reasons_text"] == ["逾期天数：106"]

    history = client.get("/api/v1/loans/A-0001/classification").json()
    assert history["pending"]["category"] == "substandard"
    assert history["confirmed"] is None

    decided = _post(client, "/api/v1/loans/A-0001/classification", {"action": "approve"})
    assert decided.status_code == 201
    assert decided.json()["confirmed"] == "substandard"
    assert [s["step"] for s in decided.json()["steps"]] == ["proposed", "approved"]


def test_the_api_names_what_is_wrong(two_branches, client):
    _classified()
    client.force_login(two_branches[Role.RISK_MANAGER])
    response = _post(
        client, "/api/v1/loans/A-0001/classification", {"action": "change", "category": "worse"}
    )
    assert response.status_code == 422
    assert "category" in response.json()["detail"]
    response = _post(client, "/api/v1/loans/A-0001/classification", {"action": "dance"})
    assert response.status_code == 422 and "action" in response.json()["detail"]
