"""System checks of the reports app: PDFs need a CJK font on the server."""

from typing import Any

from django.core.checks import Warning as CheckWarning

from huifang.lib import pdf


def cjk_font_check(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    """Warn when no font with Chinese glyphs is installed: PDFs would show boxes instead of text."""
    if pdf.cjk_font_available():
        return []
    return [
        CheckWarning(
            f"PDF 中的中文需要 CJK 字体：apt-get install {pdf.CJK_FONT_PACKAGE} "
            "(no CJK font installed: Chinese text in PDFs would print as empty boxes)",
            hint=f"Install a CJK font (Debian/Ubuntu: apt-get install {pdf.CJK_FONT_PACKAGE}, "
            "or `make system-deps`); the PDF downloads answer with an explanation until then.",
            id="huifang.reports.W001",
        )
    ]
