"""An editor moves every cut-off in a copy of questions.yaml: in Chromium, the report's legend,
chart marks, tags and their colours, sections and band all follow, and so does the dashboard."""

from __future__ import annotations

import re
import threading

import pytest
from werkzeug.serving import make_server

from quiz import create_app
from quiz import db
from quiz import live_bank
from quiz.bank import DEFAULT_PATH

from .conftest import DESKTOP
from .conftest import QuietHandler
from .support import finish_quiz
from .support import post_form

LABELS = {"strength": (86, 100), "solid": (61, 85), "build": (0, 60)}
BANDS = {"strong": (81, 100), "promising": (66, 80), "explore": (0, 65)}


def moved(text: str) -> str:
    """The shipped bank with every score label and band at new cut-offs."""
    for ranges in (LABELS, BANDS):
        for range_id, (low, high) in ranges.items():
            text, count = re.subn(
                rf"(\n  - id: {range_id}\n    label: [^\n]+\n    min: )\d+(\n    max: )\d+",
                rf"\g<1>{low}\g<2>{high}",
                text,
            )
            assert count == 1, range_id
    return text


@pytest.fixture(scope="module")
def edited_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cut-offs")
    (folder / "questions.yaml").write_text(moved(DEFAULT_PATH.read_text()))
    app = create_app(
        {
            "SECRET_KEY": "e2e-cut-offs",
            "DATABASE_URL": f"sqlite:///{folder / 'quiz.db'}",
            "QUESTIONS_PATH": str(folder / "questions.yaml"),
            "RATELIMIT_ENABLED": False,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        db.dispose(app)


def test_every_page_follows_cut_offs_moved_in_questions_yaml(browser, edited_site):
    app, url = edited_site
    bank = live_bank.of(app).current()
    context = browser.new_context(base_url=url, viewport=DESKTOP)
    try:
        page = context.new_page()
        made = post_form(context, "/counselors", [("name", "Cut-off cohort"), ("note", "")])
        dashboard = made.headers["location"]
        code = dashboard.rsplit("/", 1)[1]
        assert post_form(context, f"/g/{code}", [("client_name", "")]).status == 303
        finish_quiz(context, bank)
        page.goto("/report")
        page.wait_for_url("**/r/*")

        legend = page.locator("section.profile > p").first.inner_text()
        for range_id, (low, high) in LABELS.items():
            label = next(r.label for r in bank.score_labels if r.id == range_id)
            assert f"{low} to {high} is {label}" in legend, legend
        marks = page.locator("figure.chart .chart-axis").all_text_contents()
        assert sorted(int(m) for m in marks) == [0, 61, 86, 100]
        xs = {
            float(x)
            for x in page.locator("figure.chart .chart-mark").evaluate_all("ls => ls.map(l => l.getAttribute('x1'))")
        }
        assert xs == {61 * 3, 86 * 3}  # the bar is 300 units for 100 points

        tone_of = {r.label: r.tone for r in bank.score_labels}
        colours = {}
        for tag in page.locator("table.score-table .tag").all():
            label, classes = tag.inner_text(), tag.get_attribute("class")
            assert f"tone-{tone_of[label]}" in classes, (label, classes)
            colours.setdefault(tone_of[label], set()).add(tag.evaluate("e => getComputedStyle(e).backgroundColor"))
        assert all(len(shades) == 1 for shades in colours.values()), colours  # one colour a tone
        scores = {
            row.locator("th").inner_text(): int(row.locator(".score-num").inner_text())
            for row in page.locator("table.score-table tbody tr").all()
        }
        heading = page.locator("#strengths-title").inner_text()
        named = page.locator("section[aria-labelledby=strengths-title] h3").all_inner_texts()
        if heading == "Your strengths":
            assert all(scores[n.rsplit(" ", 1)[0]] >= 86 for n in named)
        for name in page.locator("section.areas h3").all_inner_texts():
            assert scores[name.rsplit(" ", 1)[0]] <= 60

        skills = int(page.locator(".overall strong").inner_text())
        band = page.locator("h1").inner_text()
        uncapped = next(b for b in bank.bands if b.min <= skills <= b.max)
        caps = page.locator(".report-head .callout").count()
        assert band == uncapped.label or caps, (skills, band)

        page.goto(dashboard)
        axis = page.locator("figure.chart .chart-axis").all_text_contents()
        assert sorted(int(m) for m in axis) == [0, 61, 86, 100]
    finally:
        context.close()
