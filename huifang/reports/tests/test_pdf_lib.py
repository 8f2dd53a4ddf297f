"""huifang.lib.pdf: A4, numbered pages, CJK text, and nothing fetched from outside."""

import pypdfium2 as pdfium
import pytest
from django.template import engines

from huifang.lib import pdf
from huifang.reports.tests.conftest import pdf_fonts, pdf_text

pytestmark = pytest.mark.skipif(
    not pdf.cjk_font_available(), reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)

A4_POINTS = (595.28, 841.89)


@pytest.fixture
def template_dir(tmp_path):
    engine = engines["django"].engine
    engine.dirs = [*engine.dirs, str(tmp_path)]
    engine.__dict__.pop("template_loaders", None)
    yield tmp_path
    engine.dirs = [d for d in engine.dirs if d != str(tmp_path)]
    engine.__dict__.pop("template_loaders", None)


def write(directory, body: str) -> str:
    (directory / "t.html").write_text(
        "{% load static %}<!DOCTYPE html><html><head>"
        '<link rel="stylesheet" href="{% static \'reports/print.css\' %}"></head>'
        f'<body class="pdf">{body}</body></html>',
        encoding="utf-8",
    )
    return "t.html"


def test_a_pdf_is_a4_with_numbered_pages_in_a_cjk_font(template_dir):
    # given a two-page document in Chinese
    name = write(
        template_dir, '<h1>回访材料包</h1><p>张伟</p><p style="break-before: page">第二页</p>'
    )

    # when it is rendered
    data = pdf.render_pdf(name, {})

    # then it is an A4 PDF of two pages, each numbered "第 N 页 / 共 2 页", in an embedded CJK font
    assert data.startswith(b"%PDF-")
    document = pdfium.PdfDocument(data)
    assert len(document) == 2
    width, height = document[0].get_size()
    document.close()
    assert (round(width, 1), round(height, 1)) == (round(A4_POINTS[0], 1), round(A4_POINTS[1], 1))
    text = pdf_text(data)
    assert "回访材料包" in text and "张伟" in text
    assert "第 1 页 / 共 2 页" in text and "第 2 页 / 共 2 页" in text
    assert any("CJK" in font and embedded for font, embedded in pdf_fonts(data))


def test_only_local_static_files_are_fetched(template_dir, caplog):
    # given a document that links our stylesheet, an image on the internet and a local file
    name = write(
        template_dir,
        '<p>外部资源</p><img src="http://example.com/tracker.png">'
        '<img src="file:///etc/passwd"><img src="/static/../settings.py">',
    )

    # when it is rendered
    data = pdf.render_pdf(name, {})

    # then it still renders, and every outside resource was refused, not fetched
    assert "外部资源" in pdf_text(data)
    refused = [r.getMessage() for r in caplog.records if "refused non-local" in r.getMessage()]
    assert len(refused) == 3
    for url in ("http://example.com/tracker.png", "file:///etc/passwd", "/settings.py"):
        assert any(url in message for message in refused)


def test_the_fetcher_serves_static_files_from_the_finders():
    fetcher = pdf._fetcher(pdf.LOCAL_BASE_URL)
    response = fetcher(pdf.LOCAL_BASE_URL + "static/reports/print.css")
    assert b"body.pdf" in response.read()
    for url in (
        "http://example.com/static/reports/print.css",  # right path, other host
        pdf.LOCAL_BASE_URL + "media/x.png",  # not a static file
        pdf.LOCAL_BASE_URL + "static/reports/missing.css",
        "file:///etc/hostname",
    ):
        with pytest.raises(ValueError):
            fetcher(url)


def test_the_cjk_font_check_asks_fontconfig():
    pdf.cjk_font_available.cache_clear()
    assert pdf.cjk_font_available() is True
