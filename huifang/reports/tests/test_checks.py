"""The system check that warns when PDFs could not show Chinese."""

from django.core.checks import run_checks

from huifang.lib import pdf


def test_no_warning_with_a_cjk_font_installed(monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_available", lambda: True)
    assert not [m for m in run_checks() if m.id == "huifang.reports.W001"]


def test_a_missing_cjk_font_is_a_clear_warning(monkeypatch):
    monkeypatch.setattr(pdf, "cjk_font_available", lambda: False)
    warnings = [m for m in run_checks() if m.id == "huifang.reports.W001"]
    assert len(warnings) == 1
    assert "PDF 中的中文需要 CJK 字体：apt-get install fonts-noto-cjk" in warnings[0].msg
    assert "CJK font" in warnings[0].msg
