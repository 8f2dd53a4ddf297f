"""The borrower's online questionnaire: single-use, expiring, unguessable links."""

from datetime import timedelta

from django.utils import timezone

from huifang.audit.services import actor_for
from huifang.followups.models import OnlineLink, VisitStatus
from huifang.followups.services.online import online_link_issue, token_hash
from huifang.reviews.models import Submission


def _issue(work):
    officer = work["officer"]
    return online_link_issue(visit=work["visit"], user=officer, actor=actor_for(officer))


def test_the_link_stores_only_a_hash_of_a_long_random_token(work):
    issued = _issue(work)
    assert len(issued.token) >= 40
    link = OnlineLink.objects.get()
    assert link.token_hash == token_hash(issued.token) and issued.token not in link.token_hash


def test_a_borrower_answers_once_and_the_answers_go_to_review(work, client):
    issued = _issue(work)
    page = client.get(f"/q/{issued.token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "资金是否按合同用途使用" in html and "张*" in html and "张伟" not in html
    assert "A-0001" not in html  # nothing but the questionnaire

    done = client.post(f"/q/{issued.token}/", {"q-funds_ok": "yes", "q-score": "5"})
    assert done.status_code == 200 and "提交成功" in done.content.decode()
    visit = work["visit"]
    visit.refresh_from_db()
    assert visit.status == VisitStatus.SUBMITTED
    sub = Submission.objects.get(visit=visit)
    assert sub.received_online and sub.submitted_by is None
    assert sub.answers == {"funds_ok": True, "score": 5}

    again = client.get(f"/q/{issued.token}/")
    assert again.status_code == 410 and "已经提交过" in again.content.decode()
    repost = client.post(f"/q/{issued.token}/", {"q-funds_ok": "no", "q-actual_use": "x"})
    assert repost.status_code == 410
    assert Submission.objects.count() == 1


def test_missing_answers_are_shown_and_spend_nothing(work, client):
    issued = _issue(work)
    response = client.post(f"/q/{issued.token}/", {"q-funds_ok": "no"})
    assert response.status_code == 422
    assert OnlineLink.objects.get().used_at is None
    assert not Submission.objects.exists()


def test_forged_expired_and_revoked_links_get_a_clear_page(work, client):
    assert client.get("/q/not-a-real-token-at-all/").status_code == 404
    old = _issue(work)
    new = _issue(work)  # a new link revokes the old one
    revoked = client.get(f"/q/{old.token}/")
    assert revoked.status_code == 410 and "作废" in revoked.content.decode()
    OnlineLink.objects.filter(token_hash=token_hash(new.token)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    expired = client.get(f"/q/{new.token}/")
    assert expired.status_code == 410 and "过期" in expired.content.decode()
    assert not Submission.objects.exists()


def test_the_page_is_rate_limited_per_address(work, client):
    for _ in range(30):
        client.get("/q/guessing/")
    assert client.get("/q/guessing/").status_code == 429
