"""The report in Chromium, for every kind of report: the summary read within a phone screen and a
half, contents that jump, external links valid and opening safely, the copy button, no sideways
scroll at 320 px, and axe clean at both widths."""

from __future__ import annotations

import pytest

from .support import PEOPLE
from .support import axe_violations
from .support import describe_violations
from .support import horizontal_overflow
from .support import snap
from .support import wide_elements

PHONE = {"width": 390, "height": 844}
SUMMARY_BUDGET = 1.5 * PHONE["height"]


@pytest.fixture
def report_of(finished_as):
    pages = []

    def open_(person: str, viewport=PHONE):
        page = finished_as(person).new_page()
        page.set_viewport_size(viewport)
        page.goto("/report")
        page.wait_for_url("**/r/*")
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


def bottom(page, selector: str) -> float:
    """The lowest bottom edge, in page coordinates, of the visible elements matching selector."""
    return page.evaluate(
        """(s) => Math.max(0, ...[...document.querySelectorAll(s)].filter(e => e.checkVisibility())
            .map(e => e.getBoundingClientRect().bottom + window.scrollY))""",
        selector,
    )


@pytest.mark.parametrize("person", PEOPLE)
def test_the_summary_is_read_within_a_phone_screen_and_a_half(report_of, person, bank):
    page = report_of(person)
    head = page.locator("header.report-head")
    assert head.locator("h1").is_visible() and head.locator("figure.chart svg").is_visible()
    # The chart draws every skill, with its likely range where the score is not exact.
    assert head.locator(".chart-bar").count() == len(bank.skills)
    assert head.locator(".chart-range").count() >= 3
    assert head.locator(".summary-line").first.inner_text().startswith("How the day-to-day suits you")
    steps = head.locator(".summary-steps li")
    assert 1 <= steps.count() <= 3, "two or three things to do next"
    parts = "header.report-head h1, .report-head .near-note, .report-head .callout, figure.chart, .summary-line, .summary-steps"
    last = bottom(page, parts)
    print(f"\n{person}: summary ends at {last:.0f} px of a {SUMMARY_BUDGET:.0f} px budget")
    assert last <= SUMMARY_BUDGET, f"the {person} summary ends at {last:.0f} px, past 1.5 phone screens"


@pytest.mark.parametrize("person", ["mixed", "careless"])
def test_the_contents_jump_to_each_section(report_of, person):
    page = report_of(person, viewport={"width": 1280, "height": 800})
    links = page.locator("nav.toc a")
    assert links.count() >= 10
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href")
        page.evaluate("window.scrollTo(0, 0)")
        link.click()
        assert page.url.endswith(target)
        top = page.locator(target).bounding_box()["y"]
        at_end = page.evaluate("scrollY + innerHeight >= document.documentElement.scrollHeight - 1")
        # At the top of the screen, or as near as the page scrolls (the last section).
        assert -2 <= top <= (800 - 100 if at_end else 40), f"{target} is at {top:.0f} px after its link"


def test_every_link_that_leaves_the_site_is_a_valid_https_address_opening_safely(report_of, bank):
    page = report_of("full", viewport={"width": 1280, "height": 800})
    links = page.evaluate("""() => [...document.querySelectorAll('a[href]')]
        .filter(a => new URL(a.href).origin !== location.origin)
        .map(a => ({href: a.href, raw: a.getAttribute('href'), target: a.target, rel: a.rel, text: a.innerText}))""")
    outside = [link for link in links if not link["raw"].startswith("mailto:")]
    known = {link.url for link in bank.links}
    assert len(outside) >= 10
    for link in outside:
        assert link["raw"] in known, f"{link['raw']} is not in questions.yaml `links`"
        assert link["href"].startswith("https://") and "." in link["href"].split("/")[2], link
        assert link["target"] == "_blank" and "noopener" in link["rel"].split(), link
        assert link["text"].strip(), link
    # A step's links go where its text says: the NHA's exam step links to the NHA's page.
    shown = {link["raw"] for link in outside}
    for step in page.locator(".step").all():
        for anchor in step.locator("a.external").all():
            assert anchor.get_attribute("href") in shown


def test_the_copy_button_copies_the_private_address(report_of, finished_as):
    context = finished_as("mixed")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = report_of("mixed", viewport={"width": 1280, "height": 800})
    button = page.get_by_role("button", name="Copy the link")
    button.click()
    page.locator("#report-link-status").filter(has_text="Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    mailto = page.get_by_role("link", name="Email it to myself").get_attribute("href")
    assert mailto.startswith("mailto:?subject=") and "body=" in mailto


@pytest.mark.parametrize("person", PEOPLE)
def test_every_report_passes_axe_and_never_scrolls_sideways(report_of, person):
    page = report_of(person, viewport={"width": 1280, "height": 800})
    for size in ({"width": 1280, "height": 800}, PHONE):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert not violations, f"{person} at {size['width']} px:\n{describe_violations(violations)}"
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) <= 0, f"{person} scrolls sideways at 320 px: {wide_elements(page)}"
    snap(page, f"report-{person}")


def test_the_page_of_every_answers_points_passes_axe_and_leads_back(report_of):
    page = report_of("mixed", viewport={"width": 1280, "height": 800})
    report_url = page.url
    page.get_by_role("link", name="How each of your answers counted").click()
    page.wait_for_url("**/answers")
    assert page.locator("table.contrib").count() >= 6
    for size in ({"width": 1280, "height": 800}, PHONE):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert not violations, f"answers page at {size['width']} px:\n{describe_violations(violations)}"
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) <= 0, wide_elements(page)
    page.get_by_role("link", name="Back to the report").click()
    assert page.url == report_url + "#method"
