"""The visit's whole life in the real browser (issue 4, "Done when").

An officer opens today's visit on a phone, reads the visit pack, answers and submits; a
reviewer returns it; the officer corrects and resubmits; another reviewer approves; the
archive finds it by a Chinese word from the notes. And a borrower answers through the
online link on a phone, after which the link is spent.
"""

from django.utils import timezone

from huifang.accounts.models import User
from huifang.audit.services import actor_for
from huifang.followups.services.online import online_link_issue
from huifang.reviews.models import Review, Submission
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD

NOTES = "借款人经营的面馆生意兴隆，新增两名员工，资金用于购置厨房设备。"


def _today(work):
    visit = work["visit"]
    visit.due_date = timezone.localdate()
    visit.save(update_fields=["due_date"])
    for name in ("officer_a2", "reviewer_a2"):
        user = User.objects.get(username=name)
        user.set_password(PASSWORD)
        user.save()
    return visit


def test_officer_submits_reviewer_returns_officer_resubmits_another_approves(
    work, phone_page, page, live_server
):
    visit = _today(work)
    officer = phone_page

    # an officer opens today's visit from 我的回访 on a phone
    login(officer, live_server, "officer_a", PASSWORD)
    officer.goto(f"{live_server.url}/visits/")
    today = officer.locator("#today")
    assert "A-0001" in today.inner_text()
    today.locator("[data-visit-link]").first.click()
    officer.wait_for_url(f"**/visits/{visit.pk}/")

    # reads the visit pack
    officer.click("text=回访材料包")
    officer.wait_for_url(f"**/visits/{visit.pk}/pack/")
    assert "张伟" in officer.content()
    officer.go_back()

    # answers and submits
    officer.locator("[name=q-funds_ok][value]").first.check()
    officer.fill("#notes", "借款人经营的面馆生意一般。")
    with officer.expect_navigation():
        officer.click("button[value=submit]")
    assert officer.locator("[data-visit-status]").get_attribute("data-visit-status") == "submitted"
    screenshot(officer, "visit_submitted_phone")

    # a reviewer returns it with a comment
    login(page, live_server, "reviewer_a", PASSWORD)
    page.goto(f"{live_server.url}/reviews/")
    page.click(f"a[href='/reviews/{visit.pk}/']")
    assert "面馆生意一般" in page.content()
    page.fill("#comment", "请写明员工人数和资金用途")
    page.click("button[value=returned]")
    page.wait_for_url("**/reviews/")
    screenshot(page, "review_queue_desktop")

    # the officer sees why, corrects and resubmits
    officer.goto(f"{live_server.url}/visits/{visit.pk}/")
    assert "请写明员工人数和资金用途" in officer.content()
    officer.fill("#notes", NOTES)
    with officer.expect_navigation():
        officer.click("button[value=submit]")
    assert officer.locator("[data-visit-status]").get_attribute("data-visit-status") == "submitted"

    # another reviewer approves it
    page.context.clear_cookies()
    login(page, live_server, "reviewer_a2", PASSWORD)
    page.goto(f"{live_server.url}/reviews/{visit.pk}/")
    screenshot(page, "review_detail_desktop")
    page.click("button[value=approved]")
    page.wait_for_url("**/reviews/")
    visit.refresh_from_db()
    assert visit.status == "approved"
    assert [r.decision for r in Review.objects.order_by("decided_at")] == ["returned", "approved"]
    assert Submission.objects.filter(visit=visit).count() == 2

    # the archive finds it by a Chinese word from the notes
    page.goto(f"{live_server.url}/archive/")
    page.fill("input[name=q]", "面馆")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "A-0001" in page.locator("main").inner_text()
    screenshot(page, "archive_search_desktop")


def test_a_borrower_answers_on_a_phone_and_the_link_is_spent(work, phone_page, live_server):
    visit = _today(work)
    officer = work["officer"]
    issued = online_link_issue(visit=visit, user=officer, actor=actor_for(officer))
    url = f"{live_server.url}/q/{issued.token}/"

    phone_page.goto(url)
    assert "资金是否按合同用途使用" in phone_page.content()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone_page, "online_questionnaire_phone")
    phone_page.locator("[name=q-funds_ok][value]").first.check()
    with phone_page.expect_navigation():
        phone_page.click("button[type=submit]")
    assert "提交成功" in phone_page.content()

    visit.refresh_from_db()
    assert visit.status == "submitted"
    assert Submission.objects.get(visit=visit).received_online

    again = phone_page.goto(url)
    assert again.status == 410
    assert "已经提交过" in phone_page.content()
