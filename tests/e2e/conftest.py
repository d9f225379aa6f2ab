"""Browser journeys: Playwright for Python driving Debian's Chromium against the live server.

Chromium comes from the system (`apt-get install chromium`), never downloaded at run time.
Screenshots of each journey's key pages are saved under artifacts/screenshots/, and a failing
journey leaves one of the page as it was when it failed.

The live server runs in a thread of this process: it shares the test database (pytest-django
makes every test that uses it transactional, so each request commits for real and on_commit
work such as automatic issuance runs) and sees `settings` changes made by a test.
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
INSTALL_HINT = "install it with `apt-get install chromium`"

# Playwright's sync API drives its own event loop from this thread, which trips Django's
# async-safety check on the ORM calls the tests make to set up data; those calls are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_failed_pages = pytest.StashKey[object]()


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


class _OneRequestAtATime(WSGIServer):
    """The live server, serving one request at a time.

    With SQLite the test database is in memory: one connection, which the live server's
    request threads share. Two requests at once (a double click on a form without JavaScript)
    would use it from two threads together and fail inside SQLite ("not an error" on a
    savepoint). On PostgreSQL every thread has its own connection and the threaded server
    stays, so the double-click journeys meet real concurrency there.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        # The server thread itself already uses the shared connections; no thread per request.
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server_on_sqlite(django_db_setup):
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        LiveServerThread.server_class = _OneRequestAtATime
    yield


def _chromium() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        pytest.skip(f"Chromium not found at {CHROMIUM}: {INSTALL_HINT}")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.skip("Playwright for Python is missing: `pip install -e '.[dev]'`")

    # Auto-waiting assertions; the first PDF render of a run can take a couple of seconds.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _new_page(request, browser, live_server, **options):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        accept_downloads=True,
        **options,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    # A JavaScript error on a page (htmx, Bootstrap, inline scripts) fails the journey.
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    # So does anything the Content Security Policy blocks (Chromium reports it on the console).
    page.on(
        "console",
        lambda message: (
            errors.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    request.node.stash.setdefault(_failed_pages, []).append(page)
    return context, page, errors


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context (no cookies) on the live server, JavaScript on."""
    context, page, errors = _new_page(request, browser, live_server)
    yield page
    context.close()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


@pytest.fixture
def page_without_js(request, browser, live_server):
    """The same, with JavaScript off: pages must work as plain forms."""
    context, page, _errors = _new_page(request, browser, live_server, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def site_url(settings, live_server):
    """Absolute links the app writes (verification URLs in PDFs, emails) point at the live
    server, so a journey can follow them."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def shot(request):
    """Save a full-page screenshot named after the test and a step."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}--{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def pdf_picture(request):
    """Save a PDF's first page as a PNG beside the screenshots, to look at what was printed."""

    def take(pdf: bytes, step: str) -> Path:
        from certificates.rendering import pdf_first_page_png

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}--{step}.png"
        path.write_bytes(pdf_first_page_png(pdf, width=1200))
        return path

    return take


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(item.stash.get(_failed_pages, []), start=1):
            # A page that is already closed must not hide the real failure.
            with contextlib.suppress(Exception):
                page.screenshot(
                    path=str(SCREENSHOTS / f"{item.name}--FAILED-{number}.png"), full_page=True
                )
    return report


def log_in(page, email: str, password: str = "password"):
    """Log in through the login form, as a person does, and wait to land past it."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
