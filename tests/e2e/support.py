"""Helpers for the browser tests: answering quiz pages, screenshots, and page checks."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from axe_playwright_python.sync_playwright import Axe

from quiz.bank import DEFAULT_PATH
from quiz.bank import load_bank

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
_axe = Axe()
# For parametrizing at collection time: the bank the app under test loads by default.
STEPS = len(load_bank(DEFAULT_PATH).pages)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def field_name(question_id: str) -> str:
    return f"q_{question_id}"


def planned_answer(bank, question) -> list[str]:
    """A believable, mixed set of answers: strong on most parts of the job, middling on organization.

    Mixed on purpose, so the report shows strengths, an area to build and next steps, like a real one.
    """
    kind = getattr(question, "kind", None)
    if kind == "likert":
        if question.dimension == "organization":
            return ["3"]
        agree = "5" if question.id.startswith(("emp_", "com_")) else "4"
        return [str(6 - int(agree))] if question.reverse else [agree]
    if kind == "scenario":
        ranked = sorted(question.options, key=lambda option: option.points, reverse=True)
        return [ranked[1 if question.dimension == "organization" else 0].key]
    if kind == "attention":
        return [str(question.expect)]
    keys = [option.key for option in question.options]
    if getattr(question, "multiple", False):
        return [keys[0]] if question.exclusive else keys[:3:2]
    return [keys[1]]


def plan(bank, step: int) -> dict[str, list[str]]:
    """Field name -> the values to pick, for every question on a page."""
    return {field_name(qid): planned_answer(bank, bank.questions[qid]) for qid in bank.pages[step - 1].questions}


def answer_page(page, bank, step: int, *, skip: tuple[str, ...] = (), tap: bool = False) -> dict[str, list[str]]:
    """Answer every fieldset on the page by clicking (or tapping) its labels, as a person would.

    Returns what was picked. Every fieldset on the page must be in the plan: a question the plan
    does not know would otherwise go unanswered silently.
    """
    answers = plan(bank, step)
    fieldsets = page.locator("fieldset.question").evaluate_all("nodes => nodes.map(n => n.id)")
    assert sorted(fieldsets) == sorted(answers), f"step {step}: the page's questions differ from the bank's"
    picked = {}
    for name, values in answers.items():
        if name in skip:
            continue
        for value in values:
            control = page.locator(f'input[name="{name}"][value="{value}"]')
            if control.is_checked():
                continue
            label = page.locator(f'label[for="{control.get_attribute("id")}"]')
            label.tap() if tap else label.click()
            assert control.is_checked(), f"clicking the label of {name}={value} did not check it"
        picked[name] = sorted(values)
    return picked


def finish_quiz(context, bank, *, finish: bool = True, answers=plan) -> None:
    """Answer every page over HTTP in this browser context (it shares the context's cookies).

    With finish=False the last page is sent with Back: every answer saved, the quiz not sent,
    so all its pages still open. For tests about pages, not about getting there: the
    walkthroughs click through. `answers(bank, step)` gives a page's answers, as `plan` does.
    """
    steps = len(bank.pages)
    for step in range(1, steps + 1):
        html = context.request.get(f"/quiz/{step}").text()
        action = "next" if finish or step < steps else "back"
        pairs = [("csrf_token", CSRF.search(html).group(1)), ("action", action)]
        pairs += [(name, value) for name, values in answers(bank, step).items() for value in values]
        response = context.request.post(
            f"/quiz/{step}",
            data=urlencode(pairs),
            max_redirects=0,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status == 303, f"step {step}: {response.status} {response.text()[:500]}"


def neutral_plan(bank, step: int) -> dict[str, list[str]]:
    """Another believable person: "neither" on every statement, the first option everywhere else."""
    out = {}
    for qid in bank.pages[step - 1].questions:
        question = bank.questions[qid]
        kind = getattr(question, "kind", None)
        out[field_name(qid)] = (
            [str(question.expect)] if kind == "attention" else ["3"] if kind == "likert" else [question.options[0].key]
        )
    return out


# A person with as much in their report as the bank allows: every flag raised strongly, strong
# skills and a profile that opens most steps and both leadership and hands-on careers. The
# longest report a phone or a printer has to hold.
FULL_PROFILE = {
    "education": ["diploma"],
    "hc_experience": ["under_1"],
    "customer_service": ["one_plus"],
    "certifications": ["none"],
    "pd_hours": ["under_30"],
    "shifts": ["no"],
    "clinical_interest": ["yes"],
    "leadership_interest": ["yes"],
    "training_time": ["months_3_12"],
    "interests": ["pediatrics", "chronic", "oncology"],
}
FLAGGED_ANSWERS = {"ctx_distress": ["5"], "ctx_desk": ["1"], "ctx_interrupt": ["5"]}


def full_plan(bank, step: int) -> dict[str, list[str]]:
    out = plan(bank, step)
    for qid in bank.pages[step - 1].questions:
        picked = FULL_PROFILE.get(qid) or FLAGGED_ANSWERS.get(qid)
        if picked:
            out[field_name(qid)] = picked
    return out


def careless_plan(bank, step: int) -> dict[str, list[str]]:
    """Someone who clicked through: "Agree" on every statement and check, the first option elsewhere."""
    out = {}
    for qid in bank.pages[step - 1].questions:
        question = bank.questions[qid]
        kind = getattr(question, "kind", None)
        out[field_name(qid)] = ["4"] if kind in ("likert", "attention") else [question.options[0].key]
    return out


# The reports the layout tests take: the usual mixed one, the fullest, a neutral one and a careless one.
PEOPLE = {"mixed": plan, "full": full_plan, "neutral": neutral_plan, "careless": careless_plan}


def post_form(context, url: str, fields: list[tuple[str, str]], *, form_url: str | None = None):
    """Send a form over HTTP in this browser context, with the CSRF token of the page at form_url
    (default: url); no redirect followed, so the caller sees the 303 and where it leads."""
    html = context.request.get(form_url or url).text()
    pairs = [("csrf_token", CSRF.search(html).group(1)), *fields]
    return context.request.post(
        url,
        data=urlencode(pairs),
        max_redirects=0,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def checked(page) -> dict[str, list[str]]:
    """Field name -> checked values, for every radio and tick box on the page."""
    return page.evaluate("""() => {
        const out = {};
        for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
            if (input.checked) (out[input.name] ||= []).push(input.value);
        }
        for (const key in out) out[key].sort();
        return out;
    }""")


def snap(page, name: str) -> None:
    """Save full-page screenshots of the current page, desktop and phone, to screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)
    original = page.viewport_size
    try:
        for label, size in SIZES.items():
            page.set_viewport_size(size)
            page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
    finally:
        page.set_viewport_size(original)


def snap_viewport(page, name: str, down_to: str | None = None) -> None:
    """One desktop screen, not the full page: the size the README shows; with `down_to` (a
    selector), only down to a little below that element, so nothing shows cut in half."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.mouse.move(0, 0)  # no hover highlight left on an answer
    page.evaluate("window.scrollTo(0, 0)")
    size = page.viewport_size
    if down_to:
        bottom = page.locator(down_to).first.bounding_box()
        size = {**size, "height": min(size["height"], round(bottom["y"] + bottom["height"]) + 6)}
    page.screenshot(path=SCREENSHOTS / f"{name}.png", clip={"x": 0, "y": 0, **size})


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page scrolls sideways (0 is what we want)."""
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


def wide_elements(page) -> list[str]:
    """Elements sticking out past the right edge of the viewport, to explain an overflow."""
    return page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className} (right ${Math.round(e.getBoundingClientRect().right)})`)""")


def axe_violations(page) -> list[dict]:
    return _axe.run(page, options=AXE_OPTIONS).response["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(
                f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').replace(chr(10), ' ')}"
            )
    return "\n".join(lines)


FOCUS_STYLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    // A radio's ring is drawn on its label as well; either counts as visible.
    const label = el.closest('label');
    const ring = label ? getComputedStyle(label) : style;
    const visible = (s) => s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    return {
        tag: el.tagName.toLowerCase(), type: el.type || null, name: el.name || null, id: el.id || null,
        text: (el.innerText || el.value || '').trim().slice(0, 40),
        visible: visible(style) || visible(ring),
        outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    };
}"""


def focused(page) -> dict | None:
    """What has keyboard focus and whether its focus ring is drawn (None when nothing has)."""
    return page.evaluate(FOCUS_STYLE)


def pdf_pages_and_destinations(data: bytes) -> tuple[int, dict[str, int]]:
    """Page count and named destination -> page number (from 1) of a PDF Chromium printed.

    Chromium writes a plain xref table and uncompressed page-tree and /Dests dictionaries, and
    makes a named destination for every element that an in-page link points at. Enough to tell
    which page an element landed on without a PDF library.
    """
    start = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data).group(1))
    header = re.match(rb"xref\s+0\s+(\d+)\s+", data[start:])
    assert header, "the PDF has no classic xref table; did Chromium change its PDF writer?"
    table = start + header.end()
    offsets = {}
    for number in range(1, int(header.group(1))):
        offset, _, kind = data[table + 20 * number : table + 20 * number + 20].split()[:3]
        if kind == b"n":
            offsets[number] = int(offset)

    def body(number: int) -> bytes:
        return data[offsets[number] : data.index(b"endobj", offsets[number])]

    def ref(source: bytes, key: bytes) -> int:
        return int(re.search(rb"/" + key + rb"\s+(\d+) 0 R", source).group(1))

    trailer = data[data.rindex(b"trailer") :]
    catalog = body(ref(trailer, b"Root"))
    pages = []

    def walk(number: int) -> None:
        node = body(number)
        if re.search(rb"/Type\s*/Pages\b", node):
            kids = re.search(rb"/Kids\s*\[([^\]]*)\]", node).group(1)
            for kid in re.findall(rb"(\d+) 0 R", kids):
                walk(int(kid))
        else:
            pages.append(number)

    walk(ref(catalog, b"Pages"))
    destinations = {}
    if b"/Dests" in catalog:
        for name, page in re.findall(rb"/([\w-]+)\s*\[(\d+) 0 R", body(ref(catalog, b"Dests"))):
            destinations[name.decode()] = pages.index(int(page)) + 1
    return len(pages), destinations
