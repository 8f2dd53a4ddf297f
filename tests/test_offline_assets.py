"""Institutions run Huifang on intranets: no page may load anything from outside."""

import re

import pytest

ASSET = re.compile(r'(?:src|href)\s*=\s*"([^"]+)"')
PAGES = ["/login/", "/loans/", "/visits/", "/visits/calendar/", "/inbox/", "/api/v1/docs"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_reference_only_local_assets(two_branches, client, path):
    client.force_login(two_branches["admin"])
    html = client.get(path).content.decode()
    external = [url for url in ASSET.findall(html) if url.startswith(("http:", "https:", "//"))]
    assert external == []


def test_the_stylesheet_is_served_locally(two_branches, client):
    response = client.get("/static/huifang/app.css")
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert "@import" not in css and "url(http" not in css
