"""The seed's restructuring in a real browser: an officer compares options on a phone and
proposes; a risk manager approves at a desk; the loan shows the new version."""

from huifang.restructuring.models import Proposal
from huifang.restructuring.tests.conftest import seed_loan  # noqa: F401
from tests.browser.conftest import login, screenshot
from tests.conftest import PASSWORD


def test_an_officer_proposes_on_a_phone_and_a_risk_manager_approves(
    seed_loan,  # noqa: F811
    phone_page,
    page,
    live_server,
):
    # given the officer of the five-year loan, on a phone
    login(phone_page, live_server, "officer_a", PASSWORD)
    phone_page.goto(f"{live_server.url}/loans/R-0001/")

    # when they open the simulator from the loan page
    with phone_page.expect_navigation():
        phone_page.get_by_role("link", name="调整还款计划").click()

    # then the current schedule and the suggested options are compared, with the chart,
    # and nothing but the wide table and chart (which scroll in their cards) is wider than the screen
    assert phone_page.get_by_text("只还息12个月并展期12个月").first.is_visible()
    assert phone_page.locator("svg").first.is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone_page, "restructuring_simulator_phone")

    # when they adopt "12 months interest-only and 12 more months", give the reason and propose
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="采用此方案").first.click()
    assert phone_page.locator("input[name=extend_months]").input_value() == "12"
    assert phone_page.locator("input[name=interest_only_months]").input_value() == "12"
    phone_page.fill(
        "textarea[name=reason]", "订单减少三成，经营收入下降，协商只还息12个月并展期12个月"
    )
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="提交申请").click()

    # then the proposal waits for a risk manager
    proposal = Proposal.objects.get()
    assert phone_page.url.endswith(f"/restructuring/{proposal.pk}/")
    assert "待审批" in phone_page.locator("main").inner_text()

    # when a risk manager approves it at a desk
    login(page, live_server, "risk_manager_a", PASSWORD)
    page.goto(f"{live_server.url}/restructuring/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"#{proposal.pk}", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="批准").click()

    # then the loan governs by version 2 from the effective date, the old one readable
    assert "已批准" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/loans/R-0001/")
    text = page.locator("main").inner_text()
    assert "第 2 版" in text and "重组观察期" in text
    screenshot(page, "restructuring_loan_after_approval")
