"""HTML templates to PDF with WeasyPrint, offline: A4, numbered pages, Chinese fonts.

Huifang runs on intranets, so a PDF never fetches anything from the network:
the only resources it may load are the project's own static files (served from
Django's staticfiles finders, without HTTP) and `data:` URLs. Chinese text
needs a CJK font installed on the server (fonts-noto-cjk); without one the
glyphs come out as empty boxes, so callers check `cjk_font_available()` first.
"""

import functools
import shutil
import subprocess
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# The fonts the PDFs ask for, best first; fontconfig falls back to any font with the glyphs.
CJK_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", sans-serif'
# What to install when no CJK font is found (Debian/Ubuntu).
CJK_FONT_PACKAGE = "fonts-noto-cjk"
# The documents' own origin: relative URLs resolve against it, and nothing else is served.
LOCAL_BASE_URL = "http://huifang.local/"


class NonLocalResource(ValueError):
    """A PDF asked for something that is not one of the project's static files."""


@functools.cache
def cjk_font_available() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (`fc-list :lang=zh family`).

    Asked once per process: after installing a font, restart the server.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        found = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return found.returncode == 0 and bool(found.stdout.strip())


def _static_path(url: str, base_url: str) -> str | None:
    """The file behind a URL of one of our static files, or None when it is anything else."""
    parts, base = urlsplit(url), urlsplit(base_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path.removeprefix(prefix))
    if not relative or ".." in relative.split("/"):
        return None
    found = finders.find(relative)
    return found if isinstance(found, str) else None


def _fetcher(base_url: str) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        """Serves /static/ from the finders and `data:` URLs; refuses everything else."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url, base_url)
            if path is None:
                raise NonLocalResource(f"refused non-local resource in a PDF: {url}")
            with open(path, "rb") as f:
                body = f.read()
            content_type = "text/css" if path.endswith(".css") else None
            return URLFetcherResponse(
                url, body, {"Content-Type": content_type} if content_type else None
            )

    return LocalFetcher(allowed_protocols=("data", "http", "https"))


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_css() -> str:
    """A4 pages, numbered in the footer ("第 N 页 / 共 M 页"), text in a CJK font."""
    before, _sep, rest = _("第 {page} 页 / 共 {pages} 页").partition("{page}")
    middle, _sep, after = rest.partition("{pages}")
    footer = (
        f"{_css_string(before)} counter(page) {_css_string(middle)} counter(pages) "
        f"{_css_string(after)}"
    )
    return f"""
@page {{
  size: A4;
  margin: 16mm 14mm 18mm 14mm;
  @bottom-center {{
    content: {footer};
    font-family: {CJK_FONT_FAMILY};
    font-size: 8.5pt;
    color: #555;
  }}
}}
html {{ font-family: {CJK_FONT_FAMILY}; }}
"""


def render_pdf(template_name: str, context: dict, *, request: HttpRequest | None = None) -> bytes:
    """Render a template to a PDF (A4, page numbers, CJK fonts), fetching nothing from outside."""
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, context, request=request)
    fetcher = _fetcher(LOCAL_BASE_URL)
    document = HTML(string=html, base_url=LOCAL_BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[CSS(string=page_css(), url_fetcher=fetcher)])
