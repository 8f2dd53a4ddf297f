"""The visit page: what the assignee may do there, and what a failed submit keeps."""

from huifang.followups.models import VisitRecord, VisitStatus


def test_only_the_assignee_gets_the_forms(work, client):
    visit = work["visit"]
    client.force_login(work["officer"])
    mine = client.get(f"/visits/{visit.pk}/").content.decode()
    assert 'name="q-funds_ok"' in mine and "提交审核" in mine and "请问贷款主要用在哪里" in mine
    client.force_login(work["officer_a2"])
    theirs = client.get(f"/visits/{visit.pk}/")
    assert theirs.status_code == 200 and 'name="q-funds_ok"' not in theirs.content.decode()
    refused = client.post(f"/visits/{visit.pk}/record/", {"revision": "0", "action": "save"})
    assert refused.status_code == 403


def test_a_failed_submit_keeps_the_draft_and_names_the_missing_answer(work, client):
    visit = work["visit"]
    client.force_login(work["officer"])
    response = client.post(
        f"/visits/{visit.pk}/record/",
        {"revision": "0", "action": "submit", "q-funds_ok": "no", "notes": "借款人说资金周转困难"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "草稿已保存，但未能提交" in page
    assert "借款人说资金周转困难" in page
    rec = VisitRecord.objects.get(visit=visit)
    assert rec.answers == {"funds_ok": False} and rec.notes == "借款人说资金周转困难"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS


def test_a_bad_answer_is_refused_and_what_was_typed_stays(work, client):
    visit = work["visit"]
    client.force_login(work["officer"])
    response = client.post(
        f"/visits/{visit.pk}/record/",
        {"revision": "0", "action": "save", "q-funds_ok": "yes", "q-score": "9", "notes": "保留我"},
    )
    assert response.status_code == 422
    assert "未保存" in response.content.decode() and "保留我" in response.content.decode()
    assert not VisitRecord.objects.filter(visit=visit, notes="保留我").exists()


def test_a_submitted_visit_shows_its_round_and_no_forms(work, client):
    visit = work["visit"]
    client.force_login(work["officer"])
    client.post(
        f"/visits/{visit.pk}/record/",
        {"revision": "0", "action": "submit", "q-funds_ok": "yes", "notes": "经营正常"},
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert "第 1 轮提交" in page and 'name="q-funds_ok"' not in page
