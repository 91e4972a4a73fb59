"""The report on paper: no site chrome or buttons, the private address as text so the printout
leads back, at most two pages of Letter and of A4 for every kind of report, and no step, card or
row cut across pages. The counselor's guide and plan print on one page each."""

from __future__ import annotations

import re
import shutil

import pytest

from .support import PEOPLE
from .support import SCREENSHOTS
from .support import pdf_pages_and_destinations
from .test_counselor_pages import http_client
from .test_counselor_pages import http_group

PAPER_INCHES = {"Letter": (8.5, 11), "A4": (210 / 25.4, 297 / 25.4)}
PX_PER = {"px": 1, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4, "pt": 96 / 72}
# What must never be split across two pages: the summary box and each step, card and table row.
WHOLE = "header.report-head, .step, .card, main tr, .careers li, .report-section.talk"


def printed_report(finished_as, person: str):
    page = finished_as(person).new_page()
    page.goto("/report")
    page.emulate_media(media="print")
    return page


@pytest.fixture
def printed(finished_as):
    page = printed_report(finished_as, "mixed")
    yield page
    page.close()


def test_print_hides_site_chrome_and_buttons_and_keeps_the_chart_and_scores(printed):
    shown = printed.evaluate("""() => [...document.querySelectorAll(
            '.site-header, .site-footer, .skip-link, nav, button, .button, form, .report-actions, .link-actions')]
        .filter(e => e.checkVisibility())
        .map(e => e.outerHTML.slice(0, 80))""")
    assert not shown, f"still shown in print: {shown}"
    chart = printed.locator("figure.chart svg")
    assert chart.is_visible() and chart.bounding_box()["height"] > 100
    rows = printed.locator("table.print-scores tbody tr")
    assert rows.first.is_visible() and not printed.locator("table.score-table").is_visible()
    assert rows.count() == printed.locator(".chart-bar").count() >= 6


def test_the_printout_shows_its_private_address_as_text_near_the_top(printed):
    line = printed.locator(".printed-link").filter(visible=True)
    assert line.count() == 1
    address = line.locator(".link-text").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{43}", address), address
    assert address == printed.url, "the printed address is this report's own"
    assert line.bounding_box()["y"] < printed.locator("h1").bounding_box()["y"] + 700


def page_margins(page) -> tuple[float, ...]:
    margins = page.evaluate("""() => {
        const rule = [...document.styleSheets].flatMap(s => [...s.cssRules]).find(r => r instanceof CSSPageRule);
        const m = rule ? rule.style : null;
        return m ? [m.marginTop, m.marginRight, m.marginBottom, m.marginLeft] : ['0px', '0px', '0px', '0px'];
    }""")
    return tuple(css_px(value) for value in margins)


def print_and_count(page, paper: str, selector: str, path) -> tuple[int, list[tuple[str, bool]]]:
    """Print `page` on `paper`; its page count, and for each element of `selector` short enough
    to fit on one page, whether it stayed on one page."""
    top, right, bottom, left = page_margins(page)
    width_in, height_in = PAPER_INCHES[paper]
    content_width, content_height = width_in * 96 - left - right, height_in * 96 - top - bottom
    # Lay the page out at the paper's content width to measure each element as it will print.
    page.set_viewport_size({"width": round(content_width), "height": round(content_height)})
    elements = page.evaluate(
        """(selector) => {
        // Each element gets an invisible mark at its top and bottom, and a hidden link to each:
        // Chromium turns link targets into PDF named destinations, which name their page.
        const links = document.createElement('div');
        links.hidden = true;
        document.body.append(links);
        return [...document.querySelectorAll(selector)].filter(e => e.checkVisibility()).map((element, index) => {
            if (getComputedStyle(element).position === 'static') element.style.position = 'relative';
            for (const [edge, name] of [['top', 'start'], ['bottom', 'end']]) {
                const mark = document.createElement('i');
                mark.id = `pdf-${name}-${index}`;
                Object.assign(mark.style, {position: 'absolute', left: '0', [edge]: '0', width: '1px', height: '0'});
                (element.tagName === 'TR' ? element.lastElementChild : element).append(mark);
                const link = document.createElement('a');
                link.href = `#${mark.id}`;
                links.append(link);
            }
            return [element.textContent.trim().slice(0, 60), element.getBoundingClientRect().height];
        });
    }""",
        selector,
    )
    pdf = page.pdf(path=path, format=paper)  # default settings, as a person gets them: no backgrounds
    pages, destinations = pdf_pages_and_destinations(pdf)
    whole = [
        (text, destinations[f"pdf-start-{i}"] == destinations[f"pdf-end-{i}"])
        for i, (text, height) in enumerate(elements)
        if height <= content_height
    ]
    return pages, whole


@pytest.mark.parametrize("paper", PAPER_INCHES)
@pytest.mark.parametrize("person", PEOPLE)
def test_every_report_prints_on_at_most_two_pages_and_nothing_is_cut(finished_as, person, paper, tmp_path):
    page = printed_report(finished_as, person)
    try:
        pages, whole = print_and_count(page, paper, WHOLE, tmp_path / "report.pdf")
    finally:
        page.close()
    SCREENSHOTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "report.pdf", SCREENSHOTS / f"report-{person}-{paper.lower()}.pdf")
    assert 1 <= pages <= 2, f"the {person} report prints on {pages} {paper} pages; it should take one or two"
    assert len(whole) >= 10
    cut = [text for text, kept in whole if not kept]
    assert not cut, f"cut across pages on {paper}: {cut}"


@pytest.fixture
def counselor_result(browser, base_url, bank, new_context):
    """counselor_result(person, name): the counselor's page of one client's result, in a group of its own."""

    def open_(person: str, name: str):
        counselor = new_context()
        code = http_group(counselor)
        client, _ = http_client(browser, base_url, bank, code, name, answers=PEOPLE[person])
        client.close()
        html = counselor.request.get(f"/dashboard/{code}").text()
        result = re.search(rf"/dashboard/{code}/results/(\d+)\"", html).group(1)
        page = counselor.new_page()
        page.goto(f"/dashboard/{code}/results/{result}")
        return page

    return open_


@pytest.mark.parametrize("paper", PAPER_INCHES)
@pytest.mark.parametrize("view", ["guide", "plan"])
def test_the_counselors_guide_and_plan_each_print_on_one_page(counselor_result, view, paper, tmp_path):
    page = counselor_result(person="full", name="Dana \u00d3 S\u00failleabh\u00e1in")
    if view == "plan":
        page.goto(page.url + "/plan")
    page.emulate_media(media="print")
    pages, whole = print_and_count(page, paper, "main tr, .flag", tmp_path / f"{view}.pdf")
    SCREENSHOTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / f"{view}.pdf", SCREENSHOTS / f"counselor-{view}-{paper.lower()}.pdf")
    assert pages == 1, f"the counselor's {view} prints on {pages} {paper} pages; it should take one"
    assert page.locator("h1").inner_text().startswith("Dana \u00d3 S\u00failleabh\u00e1in\u2019s")


def css_px(value: str) -> float:
    for unit, factor in PX_PER.items():
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value or 0)
