"""The report on paper: no site chrome or buttons, every section whole, one or two pages."""

from __future__ import annotations

import shutil

import pytest

from .support import SCREENSHOTS
from .support import pdf_pages_and_destinations

PAPER_INCHES = {"Letter": (8.5, 11), "A4": (210 / 25.4, 297 / 25.4)}
PX_PER = {"px": 1, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4, "pt": 96 / 72}
SECTIONS = "header.report-head, main section.report-section"


@pytest.fixture
def printed(open_page):
    page = open_page("/report")
    page.emulate_media(media="print")
    return page


def test_print_hides_site_chrome_and_buttons_and_keeps_the_chart_and_sections(printed):
    shown = printed.evaluate("""() => [...document.querySelectorAll(
            '.site-header, .site-footer, .skip-link, nav, button, .button, form, .report-actions')]
        .filter(e => getComputedStyle(e).display !== 'none')
        .map(e => e.outerHTML.slice(0, 80))""")
    assert not shown, f"still shown in print: {shown}"
    chart = printed.locator("figure.chart svg")
    assert chart.is_visible() and chart.bounding_box()["height"] > 100
    assert printed.locator(".chart-bar").count() == printed.locator("table.score-table tbody tr").count()
    sections = printed.locator(SECTIONS)
    assert sections.count() >= 8
    for index in range(sections.count()):
        section = sections.nth(index)
        assert section.is_visible()
        assert section.locator("h1, h2").first.is_visible()
        assert section.evaluate("e => getComputedStyle(e).breakInside") == "avoid"


@pytest.mark.parametrize("paper", PAPER_INCHES)
def test_printed_report_is_at_most_two_pages_and_no_section_is_cut(printed, paper, tmp_path):
    page = printed
    margins = page.evaluate("""() => {
        const rule = [...document.styleSheets].flatMap(s => [...s.cssRules]).find(r => r instanceof CSSPageRule);
        const m = rule ? rule.style : null;
        return m ? [m.marginTop, m.marginRight, m.marginBottom, m.marginLeft] : ['0px', '0px', '0px', '0px'];
    }""")
    top, right, bottom, left = (css_px(value) for value in margins)
    width_in, height_in = PAPER_INCHES[paper]
    content_width, content_height = width_in * 96 - left - right, height_in * 96 - top - bottom
    # Lay the page out at the paper's content width to measure each section as it will print.
    page.set_viewport_size({"width": round(content_width), "height": round(content_height)})
    sections = page.evaluate(
        """(selector) => {
        // Each section gets an invisible mark at its top and bottom, and a hidden link to each:
        // Chromium turns link targets into PDF named destinations, which name their page.
        const links = document.createElement('div');
        links.hidden = true;
        document.body.append(links);
        return [...document.querySelectorAll(selector)].map((section, index) => {
            section.style.position = 'relative';
            for (const [edge, name] of [['top', 'start'], ['bottom', 'end']]) {
                const mark = document.createElement('i');
                mark.id = `pdf-${name}-${index}`;
                Object.assign(mark.style, {position: 'absolute', left: '0', [edge]: '0', width: '1px', height: '0'});
                section.append(mark);
                const link = document.createElement('a');
                link.href = `#${mark.id}`;
                links.append(link);
            }
            return [section.querySelector('h1, h2').textContent.trim(), section.getBoundingClientRect().height];
        });
    }""",
        SECTIONS,
    )
    # Default print settings, as a person gets them: no background graphics.
    pdf = page.pdf(path=tmp_path / "report.pdf", format=paper)
    SCREENSHOTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "report.pdf", SCREENSHOTS / f"report-{paper.lower()}.pdf")

    pages, destinations = pdf_pages_and_destinations(pdf)
    assert 1 <= pages <= 2, f"the report prints on {pages} {paper} pages; it should take one or two"
    assert len(pdf) < 400_000, f"the PDF is {len(pdf)} bytes"
    for index, (title, height) in enumerate(sections):
        first, last = destinations[f"pdf-start-{index}"], destinations[f"pdf-end-{index}"]
        if height <= content_height:
            assert first == last, (
                f"{title!r} ({height:.0f} px) fits on one {paper} page ({content_height:.0f} px) "
                f"but is cut across pages {first} and {last}"
            )


def css_px(value: str) -> float:
    for unit, factor in PX_PER.items():
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value or 0)
