"""The quiz on a phone: short enough to finish (a screen budget measured on the real pages), no
sideways scrolling, an agree scale that is one row of real, named radios, question numbers that
run on across pages, and the time left going down."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE
from .support import STEPS
from .support import answer_page
from .support import axe_violations
from .support import describe_violations
from .support import focused

# The most phone screens (390 x 844) the whole quiz may take, summed over its pages.
SCREEN_BUDGET = 18
NARROWEST = {"width": 320, "height": 640}


def document_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def sideways(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


def walk(page, bank, on_each_page) -> list:
    """Start the quiz and answer every page by clicking, as a person would; `on_each_page(page, step)`
    runs on each page as it arrives, and what it returns is collected."""
    page.goto("/")
    page.get_by_role("link", name="Start the quiz").click()
    seen = []
    steps = len(bank.pages)
    for step in range(1, steps + 1):
        page.wait_for_url(f"**/quiz/{step}")
        seen.append(on_each_page(page, step))
        answer_page(page, bank, step)
        page.get_by_role("button", name="See my report" if step == steps else "Next").click()
    page.wait_for_url("**/r/*")
    return seen


@pytest.fixture
def phone(new_context):
    return new_context(viewport=PHONE).new_page()


def test_whole_quiz_fits_the_phone_screen_budget_and_never_scrolls_sideways_at_320_px(phone, bank):
    def measure(page, step):
        height = document_height(page)
        page.set_viewport_size(NARROWEST)
        wide, client = sideways(page)
        page.set_viewport_size(PHONE)
        assert wide <= client, f"step {step} scrolls sideways at 320 px: scrollWidth {wide} > clientWidth {client}"
        return height

    heights = walk(phone, bank, measure)
    screens = sum(heights) / PHONE["height"]
    # The figure itself is worth seeing in every run (pytest -s, or -rA), not only when it fails.
    print(f"\nquiz at {PHONE['width']}x{PHONE['height']}: pages {heights} px, {screens:.2f} screens")
    assert len(heights) == len(bank.pages)
    assert screens <= SCREEN_BUDGET, f"the quiz takes {screens:.2f} phone screens (pages: {heights} px)"


@pytest.mark.parametrize("width", [390, 320])
def test_agree_scale_is_one_row_of_five_named_radios_with_both_ends_written(new_context, bank, width):
    page = new_context(viewport={"width": width, "height": 844}).new_page()
    page.goto("/quiz/1")
    statement = next(q for q in bank.pages[0].questions if bank.questions[q].kind == "likert")
    group = page.get_by_role("group", name=re.compile(re.escape(bank.questions[statement].text)))
    expect(group).to_have_count(1)
    radios = group.get_by_role("radio")
    expect(radios).to_have_count(5)
    for label in bank.scale:  # each radio is named by its own label in the accessibility tree
        expect(group.get_by_role("radio", name=label, exact=True)).to_have_count(1)
    boxes = group.locator("label.option").evaluate_all("labels => labels.map(l => l.getBoundingClientRect().toJSON())")
    fieldset = group.bounding_box()
    assert len({round(box["top"]) for box in boxes}) == 1, f"the five choices are not one row at {width} px: {boxes}"
    assert all(box["height"] >= 40 and box["width"] >= 40 for box in boxes), f"choices too small to tap: {boxes}"
    assert boxes[0]["left"] >= fieldset["x"] and boxes[-1]["right"] <= fieldset["x"] + fieldset["width"] + 0.5
    # The two ends are written out where they can be read; the three between are not shown.
    ends = group.locator("label.option .option-text")
    expect(ends.first).to_have_text(bank.scale[0])
    expect(ends.first).to_be_visible()
    expect(ends.last).to_have_text(bank.scale[-1])
    expect(ends.last).to_be_visible()
    hidden = ends.evaluate_all("spans => spans.slice(1, -1).map(s => s.getBoundingClientRect().width)")
    assert hidden == [1, 1, 1], f"the middle labels should be hidden from sight only: {hidden}"


def test_agree_scale_works_by_keyboard_with_arrow_keys_inside_a_group(phone, bank):
    phone.goto("/quiz/1")
    first, second = (q for q in bank.pages[0].questions[:2])
    phone.locator(f"#q_{first}-0").focus()
    phone.keyboard.press("Space")
    assert phone.locator(f"#q_{first}-0").is_checked()
    for key, value in [("ArrowRight", "2"), ("ArrowRight", "3"), ("ArrowLeft", "2"), ("ArrowDown", "3")]:
        phone.keyboard.press(key)
        expect(phone.locator(f'input[name="q_{first}"][value="{value}"]')).to_be_checked()
        stop = focused(phone)
        assert stop["name"] == f"q_{first}" and stop["visible"], stop
    phone.keyboard.press("Tab")  # out of the group, into the next statement's
    stop = focused(phone)
    assert stop["name"] == f"q_{second}" and stop["type"] == "radio" and stop["visible"], stop
    assert phone.locator(f'input[name="q_{first}"]:checked').get_attribute("value") == "3"


def test_question_numbers_run_on_and_time_left_goes_down(phone, bank):
    phone.goto("/")
    landing_minutes = int(re.search(r"About (\d+) minutes", phone.locator(".facts-grid").inner_text()).group(1))

    def read(page, step):
        numbers = [int(n.rstrip(".")) for n in page.locator("fieldset.question .q-number").all_inner_texts()]
        progress = page.locator(".progress-label").inner_text()
        match = re.fullmatch(rf"Step {step} of {len(bank.pages)} · about (\d+) minutes? left", progress.strip())
        assert match, progress
        return numbers, int(match.group(1))

    seen = walk(phone, bank, read)
    numbers = [page_numbers for page_numbers, _ in seen]
    for step in range(1, len(numbers)):
        assert numbers[step][0] == numbers[step - 1][-1] + 1 == sum(map(len, numbers[:step])) + 1, (
            f"page {step + 1} starts at {numbers[step][0]} after {len(numbers[step - 1])} on page {step}"
        )
    assert [n for page in numbers for n in page] == list(range(1, sum(map(len, numbers)) + 1))
    left = [minutes for _, minutes in seen]
    assert left[0] == landing_minutes, "the first page and the landing page disagree on the time"
    assert all(later < earlier for earlier, later in zip(left, left[1:], strict=False)), (
        f"time left does not go down: {left}"
    )


def test_error_summary_on_page_2_names_questions_by_their_quiz_wide_number(new_context, bank):
    page = new_context(viewport=PHONE).new_page()
    page.goto("/quiz/2")
    page.get_by_role("button", name="Next").click()
    page.wait_for_selector(".error-summary")
    first = len(bank.pages[0].questions) + 1
    links = page.locator(".error-summary a").all_inner_texts()
    assert links[0].startswith(f"Question {first}: ") and len(links) == len(bank.pages[1].questions), links


@pytest.mark.parametrize("width", [390, 320])
def test_axe_finds_nothing_on_the_phone_layout(open_page, width):
    """Every quiz page at phone widths with Continue later opened, and the error state."""
    for where in ["/quiz/1", "/quiz/2", f"/quiz/{STEPS - 1}", f"/quiz/{STEPS}", "error"]:
        page = open_page(where)
        page.set_viewport_size({"width": width, "height": 844})
        if where != "error":
            page.locator("details.resume-box summary").click()
            page.locator("#shared-computer").check()
        violations = axe_violations(page)
        assert not violations, f"{where} at {width} px:\n{describe_violations(violations)}"
