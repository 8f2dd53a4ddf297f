"""The visit pack in a real browser: read on a phone in the field, downloaded as a PDF at a desk."""

import pytest

from huifang.lib import pdf
from huifang.reports.tests.conftest import PASSWORD, TODAY, at, history, pdf_text  # noqa: F401
from tests.browser.conftest import login, screenshot


@pytest.fixture
def today(time_machine):
    # The clock runs on (the live server and the browser session need time to pass).
    time_machine.move_to(at(TODAY), tick=True)
    return TODAY


def test_an_officer_reads_the_pack_on_a_phone(history, phone_page, live_server):  # noqa: F811
    # given the officer of a loan with an overdue installment and an earlier visit's findings
    login(phone_page, live_server, "officer_a", PASSWORD)

    # when they open the pack of their next visit on a phone
    phone_page.goto(f"{live_server.url}/visits/{history.fresh.pk}/pack/")

    # then it reads in Chinese, the risks and the questions are there, and nothing is wider
    # than the screen (wide tables scroll inside their cards)
    assert "回访材料包" in phone_page.locator("h1").inner_text()
    assert phone_page.locator("#risks").get_by_text("资金未按合同约定用途使用").is_visible()
    questions = phone_page.locator("#questions")
    assert questions.get_by_text("贷款资金是否按合同约定用途使用？").first.is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone_page, "visit_pack_phone")


@pytest.mark.skipif(not pdf.cjk_font_available(), reason="no CJK font installed")
def test_the_download_button_gives_the_pdf(history, page, live_server):  # noqa: F811
    login(page, live_server, "officer_a", PASSWORD)
    page.goto(f"{live_server.url}/visits/{history.fresh.pk}/pack/")
    screenshot(page, "visit_pack_desktop")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    path = download.value.path()
    data = open(path, "rb").read()
    assert data.startswith(b"%PDF-")
    assert "张伟" in pdf_text(data)
    assert download.value.suggested_filename.endswith(".pdf")
