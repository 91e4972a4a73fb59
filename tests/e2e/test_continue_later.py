"""Coming back to a quiz: the landing page's Continue, the cookie that remembers the attempt,
and the continue-later link above the buttons with its copy button and email link."""

from __future__ import annotations

import time
from urllib.parse import parse_qs
from urllib.parse import quote
from urllib.parse import urlsplit

from playwright.sync_api import expect

from .conftest import PHONE
from .support import answer_page
from .support import axe_violations
from .support import checked
from .support import describe_violations

DAY = 24 * 60 * 60


def answer_pages(page, bank, count: int, *, shared: bool = False) -> dict[int, dict]:
    """Start the quiz and answer its first `count` pages by clicking; what was picked on each.
    `shared` ticks "This is a shared or public computer" on the first page."""
    page.goto("/")
    page.get_by_role("link", name="Start the quiz").click()
    picked = {}
    for step in range(1, count + 1):
        page.wait_for_url(f"**/quiz/{step}")
        picked[step] = answer_page(page, bank, step)
        if shared and step == 1:
            page.get_by_label("This is a shared or public computer").check()
        page.get_by_role("button", name="Next").click()
    page.wait_for_url(f"**/quiz/{count + 1}")
    return picked


def session_cookie(context) -> dict:
    [cookie] = [c for c in context.cookies() if c["name"] == "session"]
    return cookie


def test_continue_on_the_landing_page_leads_to_the_page_after_the_last_one_saved(page, bank):
    picked = answer_pages(page, bank, 3)
    page.goto("/")
    page.get_by_role("link", name="Continue the quiz").click()
    page.wait_for_url("**/quiz/4")
    assert checked(page) == {}, "step 4 was not answered yet"
    for step in (3, 2, 1):  # Back through the pages: every answer is still there
        page.get_by_role("button", name="Back").click()
        page.wait_for_url(f"**/quiz/{step}")
        assert checked(page) == picked[step], f"step {step} lost its answers"
    assert page.console_errors == []


def test_the_browser_keeps_the_attempt_as_long_as_the_server_does(new_context, app, bank):
    remembered = new_context(viewport=PHONE)
    answer_pages(remembered.new_page(), bank, 1)
    cookie = session_cookie(remembered)
    days = app.config["RETENTION_UNFINISHED_DAYS"]
    assert abs(cookie["expires"] - (time.time() + days * DAY)) < 120, "the cookie should last the retention period"
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    shared = new_context(viewport=PHONE)
    answer_pages(shared.new_page(), bank, 1, shared=True)
    assert session_cookie(shared)["expires"] == -1, "on a shared computer the cookie must end with the browser"


def test_continue_later_sits_above_the_buttons_and_its_link_copies_and_mails(new_context, base_url, bank):
    context = new_context(viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    answer_pages(page, bank, 1)
    fold = page.locator("details.resume-box")
    summary = fold.locator("summary")
    expect(summary).to_have_text("Continue later on another device")
    buttons = page.locator(".form-buttons")
    assert fold.bounding_box()["y"] + fold.bounding_box()["height"] <= buttons.bounding_box()["y"]
    assert page.evaluate(
        "() => !!(document.querySelector('details.resume-box').compareDocumentPosition("
        "document.querySelector('.form-buttons')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    ), "the link must come before the buttons in the page, for screen readers too"

    link = fold.locator("#resume-link")
    expect(link).to_be_hidden()  # folded: one line on a phone until opened
    summary.click()
    expect(link).to_be_visible()
    url = link.inner_text()
    assert url.startswith(f"{base_url}/resume/") and link.get_attribute("href") == url

    fold.get_by_role("button", name="Copy the link").click()
    expect(fold.locator(".copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == url

    mail = urlsplit(fold.get_by_role("link", name="Email it to myself").get_attribute("href"))
    assert mail.scheme == "mailto" and mail.path == ""
    assert f"body={quote(url, safe='/')}" in mail.query, mail.query  # encoded, not raw
    assert parse_qs(mail.query)["body"] == [url]

    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_without_javascript_the_link_is_selectable_text_and_no_dead_copy_button(new_context, bank):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    answer_pages(page, bank, 1)
    page.locator("details.resume-box summary").click()  # <details> opens with no script
    link = page.locator("#resume-link")
    expect(link).to_be_visible()
    assert "/resume/" in link.inner_text()
    expect(page.get_by_role("button", name="Copy the link")).to_be_hidden()
    expect(page.get_by_role("link", name="Email it to myself")).to_be_visible()
