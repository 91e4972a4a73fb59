"""Browser tests: one in-process server and one Chromium for the whole session, a fresh context per test."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from quiz import create_app
from quiz import db
from quiz import live_bank

from .support import PEOPLE
from .support import finish_quiz

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
# Test tools cannot download their own browser on every machine this runs on, so we drive Debian's.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    # Every test in this folder is a browser test, so `-m e2e` (or `-m "not e2e"`) selects it.
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


class QuietHandler(WSGIRequestHandler):
    """No access log: pytest would show hundreds of lines of it with every failure."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    database = tmp_path_factory.mktemp("e2e") / "quiz.db"
    app = create_app(
        {
            "SECRET_KEY": "e2e",
            "DATABASE_URL": f"sqlite:///{database}",
            # Every test posts from 127.0.0.1; tests/test_security.py covers the limits.
            "RATELIMIT_ENABLED": False,
        }
    )
    yield app
    db.dispose(app)


@pytest.fixture(scope="session")
def bank(app):
    return live_bank.of(app).current()


@pytest.fixture(scope="session")
def live_server(app):
    """The app on a free loopback port, served by a threaded Werkzeug server in this process."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser(live_server):
    # Depends on the server so it is torn down first: the browser closes its keep-alive
    # connections before the server's sockets go, and no ResourceWarning is left behind.
    if not CHROMIUM.exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it with `sudo apt-get install chromium` "
            "(Debian/Ubuntu) or point E2E_CHROMIUM at a Chromium binary; `make test` installs it when run as root"
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_context(browser, base_url):
    """Make browser contexts (each its own cookie jar, so its own quiz session); closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A desktop page that records console errors (a CSP violation shows up there)."""
    page = new_context().new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page


def _answered_context(browser, base_url, bank, finish):
    context = browser.new_context(base_url=base_url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    finish_quiz(context, bank, finish=finish)
    return context


@pytest.fixture(scope="session")
def finished(browser, base_url, bank):
    """A browser context that has finished the quiz, so /report leads to its report. Read only."""
    context = _answered_context(browser, base_url, bank, finish=True)
    yield context
    context.close()


@pytest.fixture(scope="session")
def finished_as(browser, base_url, bank):
    """finished_as(person): a browser context that finished the quiz with the answers of one of
    PEOPLE (support.py), made on first use and kept for the session. Read only."""
    made = {}

    def context_for(person: str):
        if person not in made:
            context = browser.new_context(base_url=base_url, viewport=DESKTOP)
            context.set_default_timeout(10_000)
            finish_quiz(context, bank, answers=PEOPLE[person])
            made[person] = context
        return made[person]

    yield context_for
    for context in made.values():
        context.close()


@pytest.fixture(scope="session")
def answered(browser, base_url, bank):
    """A browser context with every page answered but the quiz not sent, so every page opens. Read only."""
    context = _answered_context(browser, base_url, bank, finish=False)
    yield context
    context.close()


@pytest.fixture
def open_page(finished, answered, new_context):
    """Open a page as someone who has answered everything: quiz pages before sending the last
    one, /report after; "error" is page 2 sent with nothing answered, in a fresh context."""
    pages = []

    def open_(where, context=None):
        if where == "error":
            page = (context or new_context()).new_page()
            page.goto("/quiz/2")
            page.get_by_role("button", name="Next").click()
            # autofocus lands after the first render: wait for it, or a key press races it
            expect(page.locator(".error-summary")).to_be_focused()
        else:
            page = (context or (answered if where.startswith("/quiz/") else finished)).new_page()
            response = page.goto(where)
            assert response.status == (404 if where == "/no-such-page" else 200), f"{where}: {response.status}"
            if where.startswith("/quiz/"):
                assert page.url.endswith(where), f"{where} led to {page.url}"
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()
