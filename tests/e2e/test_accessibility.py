"""Every page and state against axe-core, plus what axe cannot see: structure, focus, targets, media."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .support import STEPS
from .support import axe_violations
from .support import describe_violations
from .support import focused
from .support import horizontal_overflow
from .support import snap
from .support import wide_elements

SITE = " - PCC career-fit quiz"
# Every page and state a person can land on; "error" is page 2 sent with nothing answered.
PAGES = ["/", *[f"/quiz/{step}" for step in range(1, STEPS + 1)], "error", "/report", "/no-such-page"]
TITLES = {
    "/": "Is Patient Care Coordination for you?",
    "/report": "Your report",
    "/no-such-page": "We could not find that page",
}


@pytest.mark.parametrize("where", PAGES)
def test_axe_finds_no_wcag_violations(open_page, where):
    page = open_page(where)
    violations = axe_violations(page)
    assert not violations, f"{where}: {len(violations)} axe violation(s):\n{describe_violations(violations)}"


@pytest.mark.parametrize("where", PAGES)
def test_page_has_lang_landmarks_one_h1_and_a_title_saying_where_you_are(open_page, where):
    page = open_page(where)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    title = page.title()
    assert title.endswith(SITE), title
    if where.startswith("/quiz/"):
        step = int(where.rsplit("/", 1)[1])
        assert title.startswith(f"Step {step} of {STEPS}: "), title
    elif where == "error":
        assert title.startswith(f"Error: Step 2 of {STEPS}: "), title
    else:
        assert title.startswith(TITLES[where]), title


@pytest.mark.parametrize("where", PAGES)
def test_skip_link_is_first_shows_when_focused_and_moves_focus_to_main(open_page, where):
    page = open_page(where)
    if where == "error":  # the error summary took focus on load: the skip link is behind it
        for _ in range(3):
            page.keyboard.press("Shift+Tab")
            if focused(page)["text"] == "Skip to main content":
                break
    else:
        page.keyboard.press("Tab")
    stop = focused(page)
    assert stop["text"] == "Skip to main content" and stop["visible"], stop
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), "Tab after the skip link left main"


@pytest.mark.parametrize("where", PAGES)
def test_no_horizontal_scrolling_at_320_px(open_page, where):
    page = open_page(where)
    page.set_viewport_size({"width": 320, "height": 640})
    assert horizontal_overflow(page) <= 0, f"{where} scrolls sideways at 320 px: {wide_elements(page)}"


@pytest.mark.parametrize("step", range(1, STEPS + 1))
def test_every_answer_target_is_at_least_24_px(open_page, step):
    page = open_page(f"/quiz/{step}")
    answers = ".question input[type=radio], .question input[type=checkbox]"
    assert page.locator(answers).count() == page.locator(".question label.option input").count(), (
        "an answer has no label around it"
    )
    page.locator("details.resume-box summary").click()  # the shared-computer box inside it counts too
    for width in (1280, 390, 320):  # the agree scale has a layout of its own at each
        page.set_viewport_size({"width": width, "height": 800})
        small = page.evaluate("""() => [...document.querySelectorAll('label.option, .shared-computer label')]
            .map(label => [label.htmlFor, label.getBoundingClientRect()])
            .filter(([id, box]) => box.width < 24 || box.height < 24)
            .map(([id, box]) => `${id}: ${Math.round(box.width)}x${Math.round(box.height)}`)""")
        assert not small, f"answer targets under 24x24 px at {width} px: {small}"


def test_error_state_focuses_the_summary_and_screenshots(open_page):
    page = open_page("error")
    expect(page.locator(".error-summary")).to_be_focused()
    snap(page, "09-error-state")


def test_not_found_page_screenshots(open_page):
    page = open_page("/no-such-page")
    assert page.get_by_role("link", name="Go to the start page").is_visible()
    snap(page, "10-not-found")


def test_chart_is_an_image_with_title_desc_and_the_numbers_as_text(open_page, bank):
    page = open_page("/report")
    chart = page.locator("figure.chart svg")
    assert chart.get_attribute("role") == "img"
    labelled_by = chart.get_attribute("aria-labelledby").split()
    texts = [page.locator(f"#{ident}").text_content().strip() for ident in labelled_by]
    assert [page.locator(f"#{ident}").evaluate("e => e.tagName") for ident in labelled_by] == ["title", "desc"]
    title, desc = texts
    assert title
    table = page.locator("table.score-table tbody tr")
    rows = {
        table.nth(i).locator("th").inner_text(): table.nth(i).locator(".score-num").inner_text()
        for i in range(table.count())
    }
    assert sorted(rows) == sorted(d.label for d in bank.skills)  # the day-to-day is its own result
    values = chart.locator(".chart-value").all_text_contents()
    assert values == list(rows.values()), "the chart and the table disagree"
    for label, score in rows.items():
        assert re.search(rf"{re.escape(label)}: {score}, likely \d+ to \d+ \(", desc), (
            f"the chart's description lacks {label}: {score}"
        )
        assert page.get_by_text(label, exact=True).first.is_visible()


@pytest.mark.parametrize(
    "media", [{"reduced_motion": "reduce"}, {"forced_colors": "active"}], ids=["reduced-motion", "forced-colors"]
)
def test_report_and_quiz_survive_reduced_motion_and_forced_colors(open_page, media):
    page = open_page("/report")
    page.emulate_media(**media)
    assert page.locator("h1").is_visible()
    chart = page.locator("figure.chart svg").bounding_box()
    assert chart["width"] > 200 and chart["height"] > 100
    bars = page.locator(".chart-bar").evaluate_all("bars => bars.map(b => b.getBoundingClientRect().width)")
    assert bars and all(width > 0 for width in bars)
    colours = page.evaluate("""() => [...document.querySelectorAll('.chart-bar, .chart-track')]
        .map(e => getComputedStyle(e).fill)""")
    track = page.locator(".chart-track").first.evaluate("e => getComputedStyle(e).fill")
    bar = page.locator(".chart-bar").first.evaluate("e => getComputedStyle(e).fill")
    assert bar != track, f"the bars cannot be told from their track: {colours}"
    assert page.locator("table.score-table").is_visible()

    quiz = open_page("/quiz/2")
    quiz.emulate_media(**media)
    option = quiz.locator("label.option").first
    if "reduced_motion" in media:
        assert option.evaluate("e => getComputedStyle(e).transitionDuration") in ("0s", "0s, 0s")
    else:
        # The checked answer must still stand out when the system replaces every colour.
        picked = quiz.locator("label.option:has(input:checked)").first
        assert picked.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
