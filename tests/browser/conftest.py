"""Browser tests: the real pages in headless Chromium (Playwright), served by pytest-django's
live_server over a transactional test database (SQLite or PostgreSQL, as DATABASE_URL says).

Chromium is the Debian package at /usr/bin/chromium (HUIFANG_CHROMIUM overrides), never a
downloaded build. Without it the browser tests are skipped, saying why — except under CI=true,
where they fail: CI installs it (.ci/run), so a missing browser there is a broken set-up.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

CHROMIUM = os.environ.get("HUIFANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "data" / "screenshots"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/browser/ carries the `browser` marker (deselect: -m "not browser"),
    and runs on a transactional database that starts with what the migrations put there (the
    default policy, the shipped questionnaires), which a flush after another test removed."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run; .ci/run installs chromium)")
    pytest.skip(f"{reason}: browser tests skipped (Debian: apt-get install chromium)")


def _chromium() -> str:
    path = shutil.which(CHROMIUM)
    if path is None:
        _unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    path = _chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in this thread, and Django's
    # ORM refuses to run inside one; the tests' own ORM calls are synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    wrappers = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            _keep_connections(wrappers)
            chromium = playwright.chromium.launch(
                executable_path=path, headless=True, args=CHROMIUM_FLAGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _keep_connections(wrappers: dict[str, Any]) -> None:
    """Give Django back its database connections after Playwright has started.

    Django keeps connections in context-local storage, and starting Playwright's sync API
    leaves this thread in another context: the ORM would open fresh connections that know
    nothing of the test database set-up (e.g. the serialized data that restores what the
    migrations created after a transactional test). Put the original ones back.
    """
    for alias, wrapper in wrappers.items():
        if connections[alias] is not wrapper:
            connections[alias] = wrapper


def _context(browser: Any, live_server: Any, **options: Any) -> Any:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)

    # An intranet application: a request for anything but the live server is refused.
    def only_local(route: Any) -> None:
        if route.request.url.startswith((live_server.url, "data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    return context


@pytest.fixture
def page(browser: Any, live_server: Any, audit_purge_permit: None) -> Iterator[Any]:
    """A desktop-sized page (1280×800)."""
    context = _context(browser, live_server, viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Any, live_server: Any, audit_purge_permit: None) -> Iterator[Any]:
    """A phone-sized page (390×844, touch, zh-CN): how officers use Huifang in the field."""
    context = _context(
        browser,
        live_server,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield context.new_page()
    context.close()


def login(page: Any, live_server: Any, username: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert "/login/" not in page.url, f"login as {username} failed: still at {page.url}"


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under data/screenshots/ (git-ignored) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
