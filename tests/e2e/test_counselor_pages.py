"""The counselor pages in Chromium: a group from creation to deletion with three real clients, and
every counselor page and state checked as the quiz's are (axe, reflow, one h1, titles, keyboard)."""

from __future__ import annotations

import csv
import datetime
import re
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .support import answer_page
from .support import axe_violations
from .support import checked
from .support import describe_violations
from .support import finish_quiz
from .support import focused
from .support import horizontal_overflow
from .support import neutral_plan
from .support import plan
from .support import post_form
from .support import snap
from .support import wide_elements

SITE = " - PCC career-fit quiz"
GROUP = "Spring cohort, Northside Adult Ed"
NOTE = "We talk the results through on Thursday at 10.\nBring any questions you have."
CODE = re.compile(r"/g/([A-Z0-9]{4}-[A-Z0-9]{4})$")
WAY_IN = "Open your dashboard with your private link"


# --- Getting there by hand: forms filled and buttons pressed, as people do ---------------------


def create_group(page, name=GROUP, note=NOTE) -> dict:
    page.goto("/counselors")
    page.get_by_label("Group name").fill(name)
    page.get_by_label("Note for your clients (optional)").fill(note)
    page.get_by_role("button", name="Create the group").click()
    page.wait_for_url("**/dashboard/*")
    links = page.locator(".link-box a").all_inner_texts()
    assert len(links) == 2, f"the new dashboard should show the client link and the private link: {links}"
    client_url, dashboard_url = links
    return {
        "code": CODE.search(client_url).group(1),
        "client_url": client_url,
        "dashboard_url": dashboard_url,
        "dashboard": page.url,
    }


def join(page, client_url, name=""):
    page.goto(client_url)
    if name:
        page.get_by_label("Your name or initials for your counselor (optional)").fill(name)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/quiz/1")
    expect(page.locator(".group-banner")).to_contain_text(GROUP)


def click_through(page, bank, first=1, last=None):
    """Answer pages first..last by clicking, pressing Next (or See my report on the last page)."""
    steps = len(bank.pages)
    picked = {}
    for step in range(first, (last or steps) + 1):
        page.wait_for_url(f"**/quiz/{step}")
        picked[step] = answer_page(page, bank, step)
        page.get_by_role("button", name="See my report" if step == steps else "Next").click()
    return picked


def report_headline(page) -> tuple[str, str]:
    return page.locator("h1").inner_text(), page.locator(".overall strong").inner_text()


def dashboard_rows(page) -> list[dict]:
    """The results table as dicts keyed by its column headings."""
    return page.evaluate("""() => {
        const table = document.querySelector('table.results-table');
        if (!table) return [];
        // A heading's text without the mark of the column the table is sorted by.
        const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.replace(/[\u25b2\u25bc]/g, '').trim());
        return [...table.querySelectorAll('tbody tr')].map(tr => Object.fromEntries(
            [...tr.cells].map((cell, i) => [heads[i].toLowerCase(), cell.innerText.trim()])));
    }""")


def read_export(path) -> tuple[list[list[str]], list[dict]]:
    """A downloaded CSV as a spreadsheet reads it: the summary rows, then a dict per result."""
    with open(path, newline="", encoding="utf-8") as file:
        text = file.read()
    assert text.startswith("\ufeff"), "no byte-order mark: Excel on Windows would show mojibake"
    rows = list(csv.reader(text[1:].splitlines(keepends=True)))
    blank = rows.index([])
    return rows[:blank], [dict(zip(rows[blank + 1], row, strict=True)) for row in rows[blank + 2 :]]


def test_counselor_and_three_clients_from_group_to_deletion(new_context, bank, base_url):
    counselor = new_context().new_page()

    # An empty name: the error is tied to the field, focus goes there, the typed note is kept.
    counselor.goto("/counselors")
    counselor.get_by_label("Note for your clients (optional)").fill(NOTE)
    counselor.get_by_role("button", name="Create the group").click()
    counselor.wait_for_selector(".field-error")
    assert counselor.title().startswith("Error: For counselors"), counselor.title()
    name = counselor.get_by_label("Group name")
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    assert "name-error" in name.get_attribute("aria-describedby").split()
    expect(counselor.locator("#name-error")).to_contain_text("Give the group a name")
    expect(counselor.get_by_label("Note for your clients (optional)")).to_have_value(NOTE)

    group = create_group(counselor)
    assert group["client_url"] == f"{base_url}/g/{group['code']}"
    assert re.fullmatch(rf"{re.escape(base_url)}/d/[A-Za-z0-9_-]{{43}}", group["dashboard_url"]), group
    assert counselor.locator("h1").inner_text() == GROUP
    expect(counselor.locator(".report-head .eyebrow")).to_contain_text("Open to new clients")
    expect(counselor.get_by_text("No finished results yet")).to_be_visible()
    # The private link opens the dashboard in another browser, and only there is it shown once more.
    elsewhere = new_context().new_page()
    elsewhere.goto(group["dashboard_url"])
    assert elsewhere.url == group["dashboard"] and elsewhere.locator("h1").inner_text() == GROUP
    assert elsewhere.locator(".link-box a").all_inner_texts() == [group["client_url"]]
    elsewhere.context.close()

    # Ana joins from the client link, and clicks the last page and See my report (the pages before
    # it are sent over HTTP: the walkthroughs click every page).
    ana = new_context().new_page()
    ana.goto(group["client_url"])
    assert ana.locator("h1").inner_text() == GROUP
    assert ana.locator(".counselor-note").inner_text() == NOTE
    expect(ana.get_by_role("heading", name="Your counselor will see your results")).to_be_visible()
    join(ana, group["client_url"], "Ana R.")
    finish_quiz(ana.context, bank, finish=False)
    ana.goto(f"/quiz/{len(bank.pages)}")
    expect(ana.locator(".group-banner")).to_contain_text(GROUP)
    click_through(ana, bank, len(bank.pages))
    ana.wait_for_url("**/r/*")
    reports = {"Ana R.": report_headline(ana)}

    # Ben answers a page, keeps the "Continue later" link, closes the browser and comes back.
    ben = new_context().new_page()
    join(ben, group["client_url"], "B.K.")
    picked = click_through(ben, bank, 1, 1)
    ben.wait_for_url("**/quiz/2")
    ben.locator(".resume-box summary").click()  # "Continue later" is folded until opened
    resume_url = ben.locator(".resume-box .link-box a").inner_text()
    assert re.fullmatch(rf"{re.escape(base_url)}/resume/[A-Za-z0-9_-]{{43}}", resume_url), resume_url
    ben.context.close()
    ben = new_context().new_page()
    ben.goto(resume_url)
    ben.wait_for_url("**/quiz/2")  # the first page not answered yet
    expect(ben.locator(".group-banner")).to_contain_text(GROUP)
    ben.get_by_role("button", name="Back").click()
    ben.wait_for_url("**/quiz/1")
    assert checked(ben) == picked[1], "answers given before closing the browser were lost"
    finish_quiz(ben.context, bank)  # the rest over HTTP, in the new browser's session
    ben.goto("/report")
    ben.wait_for_url("**/r/*")
    reports["B.K."] = report_headline(ben)
    ben_report = ben.url

    # A third client joins without a name and answers differently (over HTTP: the page checks
    # and walkthroughs cover clicking).
    anonymous = new_context().new_page()
    join(anonymous, group["client_url"])
    finish_quiz(anonymous.context, bank, answers=neutral_plan)
    anonymous.goto("/report")
    anonymous.wait_for_url("**/r/*")
    reports["Anonymous"] = report_headline(anonymous)

    # The dashboard lists all three, each as its own report shows it.
    counselor.reload()
    expect(counselor.locator("#glance-title + p")).to_contain_text("3 finished results; 0 started")
    rows = dashboard_rows(counselor)
    assert [row["name"] for row in rows] == ["Ana R.", "B.K.", "Anonymous"], rows
    for row in rows:
        assert (row["band"], row["skills"]) == reports[row["name"]], row
    assert counselor.locator("figure.chart svg[role=img]").count() == 2  # bands and mean scores
    for who, headline in reports.items():
        label = "anonymous client" if who == "Anonymous" else who
        counselor.get_by_role("link", name=re.compile(rf"^Open report of {re.escape(label)}, ")).click()
        counselor.wait_for_url("**/results/*")
        # Written about the client, with the band and score their own report shows.
        whose = "This client" if who == "Anonymous" else who
        assert counselor.locator("h1").inner_text() == f"{whose}’s profile"
        expect(counselor.locator(".report-head .lead")).to_contain_text(f"{headline[0]}: skills score {headline[1]}")
        assert counselor.locator("#report-link").count() == 0, "the client's private link shows to the counselor"
        assert counselor.get_by_role("button", name="Start again").count() == 0
        counselor.get_by_role("link", name="Back to the dashboard").click()
        counselor.wait_for_url(group["dashboard"])

    # The CSV holds the same three results.
    with counselor.expect_download() as download:
        counselor.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == f"results-{group['code']}.csv"
    summary, exported = read_export(download.value.path())
    assert [(r["Name or initials"], r["Band"], r["Score: Skills overall"]) for r in exported] == [
        ("" if who == "Anonymous" else who, *reports[who]) for who in reports
    ]
    assert ["Finished results", "3"] in summary
    assert all(r[f"Score: {d.label}"] for r in exported for d in bank.dimensions)
    headings = list(exported[0])
    assert not [h for h in headings if "_" in h], headings  # words, not machine ids
    # The shipped bank's situations are long: their headings end at a word, with an ellipsis.
    situation = next(q for q in bank.items if q.kind == "scenario")
    [heading] = [h for h in headings if h.endswith("\u2026") and situation.text.startswith(h[:-1])]
    assert len(heading) <= 61

    # Closed: a new client is told so plainly; reopened: the client link works again.
    counselor.get_by_role("button", name="Close to new clients").click()
    expect(counselor.locator(".report-head .eyebrow")).to_contain_text("Closed to new clients")
    late = new_context().new_page()
    assert late.goto(group["client_url"]).status == 403
    assert late.locator("h1").inner_text() == "This group is closed to new clients"
    expect(late.get_by_role("link", name="Take the quiz on your own")).to_be_visible()
    assert late.get_by_role("button", name="Start the quiz").count() == 0
    counselor.get_by_role("button", name="Reopen to new clients").click()
    expect(counselor.locator(".report-head .eyebrow")).to_contain_text("Open to new clients")
    assert late.goto(group["client_url"]).status == 200
    expect(late.get_by_role("button", name="Start the quiz")).to_be_visible()

    # The counselor deletes Ben's result, after a confirm page (Cancel first changes nothing).
    delete_ben = counselor.get_by_role("link", name=re.compile(r"^Delete result of B\.K\., "))
    delete_ben.click()
    assert re.fullmatch(
        r"Delete the result of B\.K\., finished \d{4}-\d\d-\d\d\?", counselor.locator("h1").inner_text()
    )
    counselor.get_by_role("link", name="Cancel").click()
    counselor.wait_for_url(group["dashboard"])
    assert len(dashboard_rows(counselor)) == 3
    delete_ben.click()
    counselor.get_by_role("button", name="Delete this result").click()
    counselor.wait_for_url(group["dashboard"])
    assert [row["name"] for row in dashboard_rows(counselor)] == ["Ana R.", "Anonymous"]
    assert ben.goto(ben_report).status == 404

    # Ana deletes her own result from her report; it leaves the dashboard too.
    ana.get_by_role("link", name="Delete my results").click()
    assert ana.locator("h1").inner_text() == "Delete your results?"
    expect(ana.locator("main")).to_contain_text("Your counselor will no longer see them")
    ana_report = ana.url.removesuffix("/delete")
    ana.get_by_role("button", name="Delete my results").click()
    assert ana.locator("h1").inner_text() == "Your results were deleted"
    assert ana.goto(ana_report).status == 404
    counselor.reload()
    assert [row["name"] for row in dashboard_rows(counselor)] == ["Anonymous"]
    expect(counselor.locator("#glance-title + p")).to_contain_text("1 finished result;")

    # Deleting the group ends both links.
    counselor.get_by_role("link", name="Delete the group").click()
    counselor.get_by_role("button", name="Delete the group and its results").click()
    assert counselor.locator("h1").inner_text() == f"The group \u201c{GROUP}\u201d was deleted"
    assert counselor.goto(group["dashboard"]).status == 403
    assert counselor.locator("h1").inner_text() == WAY_IN
    assert late.goto(group["client_url"]).status == 404
    assert anonymous.goto(anonymous.url).status == 404


# --- Every counselor page and state, reached over HTTP (the journey above clicks) --------------


def http_group(context, name=GROUP, note=NOTE) -> str:
    response = post_form(context, "/counselors", [("name", name), ("note", note)])
    assert response.status == 303, response.status
    return response.headers["location"].rsplit("/", 1)[1]


def http_client(browser, base_url, bank, code, name="", answers=plan):
    """A client context that joined by the client link and finished; returns (context, report path)."""
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(10_000)
    response = post_form(context, f"/g/{code}", [("client_name", name)])
    assert response.status == 303, response.status
    finish_quiz(context, bank, answers=answers)
    report = context.request.get("/report", max_redirects=0).headers["location"]
    return context, re.search(r"/r/[^/?#]+$", report).group(0)


@pytest.fixture(scope="module")
def world(browser, base_url, bank):
    """A counselor with a group of three results, an empty group and a closed one; a client with a report."""
    counselor = browser.new_context(base_url=base_url)
    counselor.set_default_timeout(10_000)
    code, empty, closed = (
        http_group(counselor),
        http_group(counselor, "Evening class", ""),
        http_group(counselor, "Last year"),
    )
    post_form(counselor, f"/dashboard/{closed}/status", [], form_url=f"/dashboard/{closed}")
    clients = [
        http_client(browser, base_url, bank, code, "Ana R."),
        http_client(browser, base_url, bank, code, "B.K."),
        http_client(browser, base_url, bank, code, answers=neutral_plan),
    ]
    html = counselor.request.get(f"/dashboard/{code}").text()
    result = re.search(rf"/dashboard/{code}/results/(\d+)\"", html).group(1)
    for shown_once in (empty, closed):  # each new private link is shown once: show it now, so
        counselor.request.get(f"/dashboard/{shown_once}")  # every state below is the same each run
    yield {
        "counselor": counselor,
        "code": code,
        "empty": empty,
        "closed": closed,
        "result": result,
        "client": clients[0][0],
        "report": clients[0][1],
    }
    for context, _ in clients:
        context.close()
    counselor.close()


# Where -> (page title before the site name, screenshot name).
PAGES = {
    "start": ("For counselors: create a group", "11-counselor-start"),
    "start-error": ("Error: For counselors: create a group", "12-counselor-start-error"),
    "dashboard": (f"Dashboard: {GROUP}", "13-counselor-dashboard"),
    "dashboard-empty": ("Dashboard: Evening class", "14-counselor-dashboard-empty"),
    "report": ("Ana R.’s profile", "15-counselor-report"),  # the title goes on with the band
    "plan": (f"Ana R.’s plan - {GROUP}", "15-counselor-plan"),
    "client-report": (f"The report Ana R. sees - {GROUP}", "15-counselor-client-report"),
    "delete-result": (
        f"Delete the result of Ana R., finished {datetime.datetime.now(datetime.UTC):%Y-%m-%d}?",
        "16-counselor-delete-result",
    ),
    "delete-group": (f"Delete the group \u201c{GROUP}\u201d?", "17-counselor-delete-group"),
    "group-deleted": ("Group deleted", "18-counselor-group-deleted"),
    "join": (f"Join {GROUP}", "19-client-join"),
    "closed": ("This group is closed", "20-client-group-closed"),
    "client-quiz": (None, "21-client-quiz-page"),  # the quiz's own title; checked in test_accessibility
    "client-delete": ("Delete your results?", "22-client-delete"),
    "client-deleted": ("Your results were deleted", "23-client-deleted"),
    "dashboard-new-link": ("Dashboard: Pilot links", "24-counselor-dashboard-new-link"),
    "new-link": (f"Get a new private link for \u201c{GROUP}\u201d?", "25-counselor-new-link"),
    "leave": ("Leave this dashboard on this browser?", "26-counselor-leave"),
    "left": ("You left the dashboard", "27-counselor-left"),
    "no-access": (WAY_IN, "28-counselor-no-access"),
    "bad-link": ("This private link does not work", "29-counselor-bad-link"),
}


@pytest.fixture
def open_counselor_page(world, browser, base_url, bank, new_context):
    """Open a counselor page (or a client's page about a group) in the state named."""
    pages = []

    def open_(where):
        code = world["code"]
        if where in ("join", "no-access", "bad-link", "left"):
            page = new_context().new_page()  # someone who has not started yet, or has no access
        elif where == "client-quiz":  # just joined: the group banner and the Continue later link
            page = new_context().new_page()
            assert post_form(page.context, f"/g/{code}", [("client_name", "Eve")]).status == 303
            page.goto("/quiz/1")
            expect(page.locator(".group-banner")).to_contain_text(GROUP)
            expect(page.locator(".resume-box .link-box a")).to_contain_text("/resume/")
        elif where == "client-deleted":
            context, report = http_client(browser, base_url, bank, code, "Dee")
            page = context.new_page()
            page.goto(f"{report}/delete")
            page.get_by_role("button", name="Delete my results").click()
            page.wait_for_selector("text=Your results were deleted")
        else:
            page = (world["client"] if where == "client-delete" else world["counselor"]).new_page()
        pages.append(page)
        if where in ("start", "start-error"):
            page.goto("/counselors")
            if where == "start-error":
                page.get_by_label("Note for your clients (optional)").fill(NOTE)
                page.get_by_role("button", name="Create the group").click()
                page.wait_for_selector(".field-error")
        elif where == "dashboard":
            page.goto(f"/dashboard/{code}")
        elif where == "dashboard-empty":
            page.goto(f"/dashboard/{world['empty']}")
        elif where == "report":
            page.goto(f"/dashboard/{code}/results/{world['result']}")
        elif where == "plan":
            page.goto(f"/dashboard/{code}/results/{world['result']}/plan")
        elif where == "client-report":
            page.goto(f"/dashboard/{code}/results/{world['result']}/report")
        elif where == "delete-result":
            page.goto(f"/dashboard/{code}/results/{world['result']}/delete")
        elif where == "delete-group":
            page.goto(f"/dashboard/{code}/delete")
        elif where == "group-deleted":
            page.goto(f"/dashboard/{http_group(world['counselor'], 'Pilot group')}/delete")
            page.get_by_role("button", name="Delete the group and its results").click()
            page.wait_for_selector("text=was deleted")
        elif where == "join":
            page.goto(f"/g/{code}")
        elif where == "closed":
            assert page.goto(f"/g/{world['closed']}").status == 403
        elif where == "client-delete":
            page.goto(f"{world['report']}/delete")
        elif where == "dashboard-new-link":  # just made: the private link shown, once
            page.goto(f"/dashboard/{http_group(page.context, 'Pilot links', '')}")
            expect(page.locator(".private-link-secret")).to_be_visible()
        elif where == "new-link":
            page.goto(f"/dashboard/{code}/new-link")
        elif where == "leave":
            page.goto(f"/dashboard/{code}/leave")
        elif where == "left":
            page.goto(f"/dashboard/{http_group(page.context, 'Borrowed laptop', '')}/leave")
            page.get_by_role("button", name="Leave the dashboard").click()
            page.wait_for_selector("text=You left the dashboard")
        elif where == "no-access":
            assert page.goto(f"/dashboard/{code}").status == 403
        elif where == "bad-link":
            assert page.goto("/d/not-a-real-link").status == 404
        return page

    yield open_
    for page in pages:
        if page.context not in (world["counselor"], world["client"]):
            page.context.close()  # the client who deleted their results (new_context closes its own)
        else:
            page.close()


@pytest.mark.parametrize("where", PAGES)
def test_counselor_page_passes_axe_reflows_and_says_where_you_are(open_counselor_page, where):
    page = open_counselor_page(where)
    violations = axe_violations(page)
    assert not violations, f"{where}: {len(violations)} axe violation(s):\n{describe_violations(violations)}"

    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").count() == 1, f"{where}: {page.locator('h1').all_inner_texts()}"
    for role in ("main", "banner", "contentinfo"):
        assert page.get_by_role(role).count() == 1, f"{where}: not one {role} landmark"
    title, (wanted, shot) = page.title(), PAGES[where]
    assert title.endswith(SITE), title
    if wanted and where == "report":
        assert title.startswith(wanted + ": "), title
    elif wanted:
        assert title == wanted + SITE, title

    # WCAG 1.4.10: a phone, and 320 CSS px. The results table may scroll inside its own region.
    for size in ({"width": 390, "height": 844}, {"width": 320, "height": 640}):
        page.set_viewport_size(size)
        assert horizontal_overflow(page) <= 0, f"{where} scrolls sideways at {size['width']} px: {wide_elements(page)}"
    snap(page, shot)


def test_counselor_report_title_says_whose_report_it_is(open_counselor_page):
    page = open_counselor_page("report")
    assert page.title().startswith("Ana R.’s profile: "), page.title()


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_controls_are_reachable_by_keyboard_with_visible_focus(open_counselor_page, width):
    """Tab from the top to the end: every stop shows its focus, and a link in the results table is
    scrolled into its region's view, clear of the name column, when it takes focus (the table
    scrolls sideways, under the name, on phones and laptops)."""
    page = open_counselor_page("dashboard")
    page.set_viewport_size({"width": width, "height": 800})
    page.locator("body").focus()
    stops = []
    for _ in range(100):
        page.keyboard.press("Tab")
        stop = focused(page)
        if stop is None or (stops and stop == stops[0]):
            break
        assert stop["visible"], f"at {width} px focus on {stop} has no visible outline"
        hidden = page.evaluate("""() => {
            const el = document.activeElement, region = el.closest('.table-scroll');
            if (!region || region === el) return false;
            // The name column's own heading link sits in that column, sticky with it.
            if (el.closest('th, td') === el.closest('tr').cells[0]) return false;
            const a = el.getBoundingClientRect(), r = region.getBoundingClientRect();
            // The name column stays put while the rest scrolls: nothing may hide under it.
            const name = el.closest('tr').cells[0].getBoundingClientRect();
            return a.left < Math.max(r.left, name.right) - 0.5 || a.right > r.right + 0.5;
        }""")
        assert not hidden, f"at {width} px {stop['text']!r} has focus but is scrolled out of its table"
        stops.append(stop)
    else:
        raise AssertionError("focus never left the dashboard after 100 Tabs")
    texts = [" ".join(stop["text"].split()) for stop in stops]
    for wanted in ["Download CSV", "Close to new clients", "Delete the group\u2026"]:
        assert wanted in texts, f"{wanted!r} not reachable by Tab: {texts}"
    assert any(stop["tag"] == "div" for stop in stops), "the scrolling results region cannot be focused"
    in_table = [text.split()[0] for text in texts if re.match(r"(Open report|Delete result) of ", text)]
    assert in_table == ["Open", "Delete"] * 3, texts

    def tab_to(text):
        page.reload()  # focus starts from the top again
        for _ in range(next(i for i, t in enumerate(texts) if t.startswith(text)) + 1):
            page.keyboard.press("Tab")

    # Enter downloads the CSV, and opens the first report.
    tab_to("Download CSV")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")
    tab_to("Open report")
    page.keyboard.press("Enter")
    page.wait_for_url("**/results/*")
    assert page.locator("h1").count() == 1


# --- Getting in, and keeping the way in ---------------------------------------------------------


def test_a_fresh_browser_on_a_dashboard_address_sees_the_way_in_and_no_data(world, new_context):
    page = new_context().new_page()
    real = page.goto(f"/dashboard/{world['code']}")
    assert real.status == 403
    assert page.locator("h1").inner_text() == WAY_IN
    expect(page.get_by_role("heading", name="If you have lost it")).to_be_visible()
    expect(page.get_by_role("link", name="Make a new group")).to_be_visible()
    shown = page.locator("main").inner_text()
    for secret in [GROUP, "Ana R.", "B.K.", world["code"], "Download CSV"]:
        assert secret not in shown, secret
    assert page.locator("table, figure, form").count() == 0
    assert page.goto("/dashboard/ZZZZ-ZZZZ").status == 403
    assert page.locator("main").inner_text() == shown  # a made-up code reads exactly the same
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_the_private_link_copies_emails_and_warns_and_a_new_one_ends_it(new_context, base_url):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    group = create_group(page, name="Copy and keep")
    secret, plain = page.locator(".private-link-secret"), page.locator(".private-link:not(.private-link-secret)")
    expect(secret).to_contain_text("Never share this link: anyone with it can read every result in the group.")
    expect(plain).not_to_contain_text("Never share")
    looks = page.evaluate("""() => [...document.querySelectorAll('.private-link')].map(e => {
        const s = getComputedStyle(e); return [s.borderTopColor, s.borderTopWidth, s.backgroundColor]; })""")
    assert looks[0] != looks[1], f"the private link looks like the client link: {looks}"
    href = secret.get_by_role("link", name="Email it to myself").get_attribute("href")
    assert href.startswith("mailto:?subject=") and quote(group["dashboard_url"], safe="/") in href

    secret.get_by_role("button", name="Copy the link").click()
    expect(page.locator("#dashboard-link-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == group["dashboard_url"]

    page.reload()
    assert page.locator(".private-link-secret").count() == 0  # shown once
    page.get_by_role("link", name="Get a new private link\u2026").click()
    page.get_by_role("button", name="Get a new private link").click()
    page.wait_for_url(group["dashboard"])
    new_url = page.locator("#dashboard-link").inner_text()
    assert new_url != group["dashboard_url"] and "/d/" in new_url
    elsewhere = new_context().new_page()
    assert elsewhere.goto(group["dashboard_url"]).status == 404  # the old link is over
    assert elsewhere.locator("h1").inner_text() == "This private link does not open a dashboard"
    elsewhere.goto(new_url)
    assert elsewhere.url == group["dashboard"] and elsewhere.locator("h1").inner_text() == "Copy and keep"


def test_without_javascript_the_links_are_plain_text_and_email_with_no_copy_button(new_context):
    page = new_context(java_script_enabled=False).new_page()
    create_group(page, name="No script")
    assert page.locator("button[data-copy]").count() == 2
    expect(page.locator("button[data-copy]").first).to_be_hidden()
    expect(page.get_by_role("link", name="Email it to myself")).to_have_count(2)


def test_the_dashboard_says_until_when_in_the_counselors_own_time_zone(new_context):
    chicago = new_context(timezone_id="America/Chicago", locale="en-US").new_page()
    create_group(chicago, name="Local time")
    chicago.reload()  # the page after the shown-once link, as on every later visit
    shown = chicago.locator("time.js-local-time")
    ends = datetime.datetime.fromisoformat(shown.get_attribute("datetime").replace("Z", "+00:00"))
    local = ends.astimezone(ZoneInfo("America/Chicago"))
    expect(shown).to_contain_text(f"{local:%A}, {local:%B} {local.day}")
    expect(shown).to_contain_text(f"{local.hour % 12 or 12}:{local:%M}")
    expect(shown).to_contain_text(local.tzname())  # CST or CDT
    assert ends - datetime.datetime.now(datetime.UTC) > datetime.timedelta(days=6, hours=23)

    # Without JavaScript the same moment, in UTC.
    plain = new_context(java_script_enabled=False).new_page()
    create_group(plain, name="UTC time")
    text = plain.locator("time").first.inner_text()
    assert text.endswith("UTC") and f"{ends:%H}:" in text


# --- The results table --------------------------------------------------------------------------


def test_at_1280_px_every_score_column_shows_without_scrolling_sideways(open_counselor_page, bank):
    page = open_counselor_page("dashboard")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator("table.results-table thead").scroll_into_view_if_needed()
    region = page.locator(".table-scroll")
    overflow = region.evaluate("r => r.scrollWidth - r.clientWidth")
    assert overflow <= 0, f"the results table scrolls sideways by {overflow} px at 1280 px"
    assert horizontal_overflow(page) <= 0, wide_elements(page)
    for key in ["skills", *[f"score_{d.id}" for d in bank.dimensions]]:
        box = page.locator(f'thead th:has(a[href*="sort={key}&"])').bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280, (key, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 800, (key, box)


def test_column_headings_sort_the_table_by_link_and_say_so(open_counselor_page):
    page = open_counselor_page("dashboard")

    def skills():
        return [int(text) for text in page.locator("tbody tr td:nth-child(4)").all_inner_texts()]

    heading = page.locator("thead th").nth(3)
    heading.get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=skills&dir=desc#results-title$"))
    expect(page.locator("thead th").nth(3)).to_have_attribute("aria-sort", "descending")
    assert skills() == sorted(skills(), reverse=True)
    assert page.locator("thead th[aria-sort]").count() == 1
    page.locator("thead th").nth(3).get_by_role("link").click()
    page.wait_for_url(re.compile(r"sort=skills&dir=asc"))
    expect(page.locator("thead th").nth(3)).to_have_attribute("aria-sort", "ascending")
    assert skills() == sorted(skills())
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
