"""Recording, submitting and reviewing a visit through the API (bearer tokens)."""

import json

from huifang.followups.models import OnlineLink


def _call(client, method, path, body=None):
    return client.generic(
        method,
        f"/api/v1{path}",
        json.dumps(body) if body is not None else "",
        content_type="application/json",
    )


def test_the_whole_round_through_the_api(work, client):
    visit, officer = work["visit"], work["officer"]
    client.force_login(officer)

    record = _call(client, "GET", f"/visits/{visit.pk}/record").json()
    assert record["revision"] == 0 and record["status"] == "planned"

    saved = _call(
        client,
        "PUT",
        f"/visits/{visit.pk}/record",
        {"revision": 0, "answers": {"funds_ok": False}, "notes": "资金被挪用于炒股"},
    )
    assert saved.status_code == 200, saved.content
    # the missing required answer is named when submitting
    refused = _call(
        client, "POST", f"/visits/{visit.pk}/submit", {"revision": saved.json()["revision"]}
    )
    assert refused.status_code == 422 and "q-actual_use" in refused.json()["detail"]

    saved = _call(
        client,
        "PUT",
        f"/visits/{visit.pk}/record",
        {
            "revision": saved.json()["revision"],
            "answers": {"funds_ok": False, "actual_use": "炒股"},
        },
    )
    stale = _call(client, "PUT", f"/visits/{visit.pk}/record", {"revision": 1, "notes": "旧"})
    assert stale.status_code == 422
    submitted = _call(
        client, "POST", f"/visits/{visit.pk}/submit", {"revision": saved.json()["revision"]}
    )
    assert submitted.status_code == 201
    assert [f["signal"] for f in submitted.json()["findings"]] == ["fund_misuse"]

    client.force_login(work["reviewer"])
    queue = _call(client, "GET", "/reviews/queue").json()
    assert [item["visit"] for item in queue["items"]] == [visit.pk]
    reviewed = _call(client, "POST", f"/visits/{visit.pk}/review", {"decision": "approved"})
    assert reviewed.status_code == 200
    assert reviewed.json()["review"]["decision"] == "approved"
    rounds = _call(client, "GET", f"/visits/{visit.pk}/submissions").json()
    assert [r["round"] for r in rounds] == [1]


def test_an_officer_cannot_approve_through_the_api(work, client):
    visit = work["visit"]
    client.force_login(work["officer_a2"])
    response = _call(client, "POST", f"/visits/{visit.pk}/review", {"decision": "approved"})
    assert response.status_code == 403


def test_the_online_link_is_returned_once(work, client):
    visit = work["visit"]
    client.force_login(work["officer"])
    response = _call(client, "POST", f"/visits/{visit.pk}/online-link")
    assert response.status_code == 201
    url = response.json()["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token not in OnlineLink.objects.get().token_hash
    client.logout()
    assert client.get(f"/q/{token}/").status_code == 200
