"""Walk through the whole quiz in Chromium, the ways real people do, to the end of the report."""

from __future__ import annotations

from playwright.sync_api import expect

from .support import answer_page
from .support import checked
from .support import focused
from .support import horizontal_overflow
from .support import plan
from .support import snap
from .support import snap_viewport
from .support import wide_elements

REPORT_SECTIONS = [
    "Your skills for the job",
    "How the day-to-day suits you",
    "Areas to build",
    "Things to check before you commit",
    "Your next steps",
    "Related careers",
    "About the job",
]


def assert_report(page):
    assert "/r/" in page.url, f"the report should be at its private address, not {page.url}"
    assert page.locator("h1").count() == 1
    assert page.locator("figure.chart svg[role=img]").is_visible()
    headings = page.locator("main h2").all_inner_texts()
    for section in REPORT_SECTIONS:
        assert section in headings, f"report has no {section!r} section: {headings}"


def start(page):
    page.goto("/")
    page.get_by_role("link", name="Start the quiz").click()
    page.wait_for_url("**/quiz/1")


def test_mouse_walkthrough_reaches_the_report(page, bank):
    page.goto("/")
    snap(page, "00-landing")
    page.get_by_role("link", name="Start the quiz").click()
    steps = len(bank.pages)
    for step in range(1, steps + 1):
        page.wait_for_url(f"**/quiz/{step}")
        assert f"Step {step} of {steps}" in page.title()
        answer_page(page, bank, step)
        snap(page, f"{step:02d}-step-{step}")
        if step == 2:  # for the README (docs/quiz-page.png)
            snap_viewport(page, "readme-quiz-page")
        page.get_by_role("button", name="See my report" if step == steps else "Next").click()
    page.wait_for_url("**/r/*")
    assert_report(page)
    # With JavaScript the print and copy buttons appear; the CSP let print.js and copy.js run.
    assert page.get_by_role("button", name="Print or save as PDF").first.is_visible()
    assert page.get_by_role("button", name="Copy the link").is_visible()
    snap(page, "08-report")
    snap_viewport(page, "readme-report", down_to=".chart")
    assert page.console_errors == []


def test_keyboard_only_walkthrough_reaches_every_control_with_visible_focus(page, bank):
    """Tab, arrow keys, Space and Enter only: every control reachable, focus always drawn, no trap."""
    page.goto("/")
    stops = tab_through(page)
    assert stops[0]["text"] == "Skip to main content"
    start_link = next(i for i, stop in enumerate(stops) if stop["text"].startswith("Start the quiz"))
    focus_stop(page, start_link)
    page.keyboard.press("Enter")

    steps = len(bank.pages)
    for step in range(1, steps + 1):
        page.wait_for_url(f"**/quiz/{step}")
        wanted = {name: sorted(values) for name, values in plan(bank, step).items()}
        seen_groups = set()
        stops = []
        for _ in range(300):
            page.keyboard.press("Tab")
            stop = focused(page)
            if stop is None or (stops and stop == stops[0]):
                break  # off the end of the page (or wrapped round): not trapped
            assert stop["visible"], f"step {step}: focus on {stop} has no visible outline"
            stops.append(stop)
            if stop["name"] not in wanted:
                continue  # not a question: the shared-computer box, left as it is
            if stop["type"] == "radio" and stop["name"] not in seen_groups:
                seen_groups.add(stop["name"])
                pick_radio_by_keyboard(page, stop["name"], wanted[stop["name"]][0])
            elif stop["type"] == "checkbox" and stop["name"] not in seen_groups:
                seen_groups.add(stop["name"])
                tick_by_keyboard(page, stop["name"], wanted[stop["name"]])
        else:
            raise AssertionError(f"step {step}: focus never left the page after 300 Tabs")
        assert seen_groups == set(wanted), f"step {step}: not reachable by Tab: {set(wanted) - seen_groups}"
        assert checked(page) == wanted
        labels = [stop["text"] for stop in stops if stop["tag"] == "button"]
        assert labels == ["See my report" if step == steps else "Next", "Back"], labels
        # Focus went past the end (out of the page, or round to the skip link); Shift+Tab comes
        # back to Back, then to the main button, and Enter sends the page.
        for _ in range(5):
            page.keyboard.press("Shift+Tab")
            if (focused(page) or {}).get("text") == "Back":
                break
        page.keyboard.press("Shift+Tab")
        assert focused(page)["text"] == ("See my report" if step == steps else "Next")
        page.keyboard.press("Enter")

    page.wait_for_url("**/r/*")
    assert_report(page)
    stops = tab_through(page)
    # Print at the top, then copying the link and printing again at the end, by the link.
    buttons = [stop["text"] for stop in stops if stop["tag"] == "button"]
    assert buttons == ["Print or save as PDF", "Copy the link", "Print or save as PDF"], buttons
    assert "Start again" in [stop["text"] for stop in stops if stop["tag"] == "a"]


def tab_through(page, limit=300):
    """Tab from the top of the page to the end; every stop must show its focus."""
    page.locator("body").focus()
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop is None or (stops and stop == stops[0]):
            return stops
        assert stop["visible"], f"{page.url}: focus on {stop} has no visible outline"
        stops.append(stop)
    raise AssertionError(f"{page.url}: focus never left the page after {limit} Tabs")


def focus_stop(page, index):
    page.locator("body").focus()
    for _ in range(index + 1):
        page.keyboard.press("Tab")


def pick_radio_by_keyboard(page, name, value):
    """Focus is on the group's first radio (nothing checked yet): Space checks it, arrows move on."""
    values = page.locator(f'input[name="{name}"]').evaluate_all("nodes => nodes.map(n => n.value)")
    current = focused(page)["id"]
    index = int(current.rsplit("-", 1)[1])
    if not page.locator(f"#{current}").is_checked():
        page.keyboard.press("Space")
    target = values.index(value)
    while index != target:
        page.keyboard.press("ArrowDown" if target > index else "ArrowUp")
        index += 1 if target > index else -1
    assert page.locator(f'input[name="{name}"][value="{value}"]').is_checked()
    assert focused(page)["visible"]


def tick_by_keyboard(page, name, values):
    """Focus is on the first tick box: Space ticks the wanted ones as Tab passes them."""
    boxes = page.locator(f'input[name="{name}"]')
    count = boxes.count()
    for index in range(count):
        if boxes.nth(index).get_attribute("value") in values:
            page.keyboard.press("Space")
        if index < count - 1:
            page.keyboard.press("Tab")
            assert focused(page)["visible"]


def test_walkthrough_without_javascript(new_context, bank):
    """No script is needed: forms post, the error summary takes focus by itself, the report renders."""
    page = new_context(java_script_enabled=False).new_page()
    start(page)
    # Sending a page with nothing answered: the summary is focused by `autofocus`, not by a script.
    page.get_by_role("button", name="Next").click()
    assert page.url.endswith("/quiz/1") and page.title().startswith("Error: ")
    expect(page.locator(".error-summary")).to_be_focused()
    steps = len(bank.pages)
    for step in range(1, steps + 1):
        page.wait_for_url(f"**/quiz/{step}")
        answer_page(page, bank, step)
        page.get_by_role("button", name="See my report" if step == steps else "Next").click()
    page.wait_for_url("**/r/*")
    assert_report(page)
    # The print button needs a script, so without one it stays hidden rather than doing nothing.
    assert page.get_by_role("button", name="Print or save as PDF").is_hidden()
    assert page.get_by_role("link", name="Start again").is_visible()


def test_phone_walkthrough_by_touch_never_scrolls_sideways(new_context, bank):
    """390x844 by tapping, and every page also checked at 320 px wide (WCAG 1.4.10 reflow)."""
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()

    def no_sideways_scroll(where):
        for width in (390, 320):
            page.set_viewport_size({"width": width, "height": 844 if width == 390 else 640})
            assert horizontal_overflow(page) <= 0, f"{where} scrolls sideways at {width} px: {wide_elements(page)}"
        page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/")
    no_sideways_scroll("landing")
    page.get_by_role("link", name="Start the quiz").tap()
    steps = len(bank.pages)
    for step in range(1, steps + 1):
        page.wait_for_url(f"**/quiz/{step}")
        answer_page(page, bank, step, tap=True)
        no_sideways_scroll(f"step {step}")
        page.get_by_role("button", name="See my report" if step == steps else "Next").tap()
    page.wait_for_url("**/r/*")
    assert_report(page)
    no_sideways_scroll("report")


def test_unanswered_question_focuses_the_summary_which_links_to_it_and_answers_are_kept(page, bank):
    start(page)
    answer_page(page, bank, 1)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/quiz/2")
    skipped = page.locator("fieldset.question").nth(2).get_attribute("id")
    picked = answer_page(page, bank, 2, skip=(skipped,))
    page.get_by_role("button", name="Next").click()

    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.url.endswith("/quiz/2") and page.title().startswith("Error: Step 2 of ")
    expect(summary).to_be_focused()
    assert summary.get_attribute("role") == "alert"
    links = summary.get_by_role("link")
    assert links.count() == 1
    assert links.first.get_attribute("href") == f"#{skipped}-0"
    # Numbers run on from page 1: the third question of page 2 is one the whole quiz knows.
    assert links.first.inner_text().startswith(f"Question {len(bank.pages[0].questions) + 3}:")
    # The question says what is wrong, and its inputs say they are invalid.
    question = page.locator(f"#{skipped}")
    assert f"{skipped}-error" in question.get_attribute("aria-describedby").split()
    assert question.locator("input[aria-invalid=true]").count() == question.locator("input").count()
    assert checked(page) == picked, "answers given on the page were lost"

    links.first.click()
    expect(page.locator(f"#{skipped}-0")).to_be_focused()
    legend = question.locator("legend").bounding_box()
    assert 0 <= legend["y"] < page.viewport_size["height"], "the question's text is scrolled out of view"
    page.keyboard.press("Space")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/quiz/3")


def test_back_from_last_page_to_first_and_forward_again_keeps_every_answer(page, bank):
    start(page)
    steps = len(bank.pages)
    picked = {}
    for step in range(1, steps + 1):
        page.wait_for_url(f"**/quiz/{step}")
        picked[step] = answer_page(page, bank, step)
        if step < steps:
            page.get_by_role("button", name="Next").click()
    for step in range(steps, 1, -1):  # Back from the last page, answers on it included
        page.get_by_role("button", name="Back").click()
        page.wait_for_url(f"**/quiz/{step - 1}")
        assert checked(page) == picked[step - 1], f"going back, step {step - 1} lost answers"
    for step in range(1, steps + 1):
        page.wait_for_url(f"**/quiz/{step}")
        assert checked(page) == picked[step], f"going forward again, step {step} lost answers"
        page.get_by_role("button", name="See my report" if step == steps else "Next").click()
    page.wait_for_url("**/r/*")
    assert_report(page)
