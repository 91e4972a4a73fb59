"""A report that leads somewhere: links from questions.yaml on every step, credential and career,
opening safely; contents that jump to real sections; the closing sections; and words that earn
trust (previews with no result or token, a footer true on every page)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs

import pytest
from conftest import MINI_PATH
from test_counselor import create_group

from quiz.bank import DEFAULT_PATH
from quiz.bank import BankError
from quiz.bank import load_bank
from quiz.bank import read_bank
from quiz.scoring import build_report

MINI = MINI_PATH.read_text(encoding="utf-8")
EXTERNAL = re.compile(r'<a class="external" href="([^"]+)" target="_blank" rel="noopener">(.*?)</a>')


@pytest.fixture(scope="module")
def shipped():
    return load_bank(DEFAULT_PATH)


def test_every_step_credential_and_career_of_the_shipped_bank_links_its_page(shipped):
    entries = [*shipped.steps, *shipped.careers, *shipped.role.credentials]
    for entry in entries:
        assert entry.links, f"{entry.id} links nowhere"
        for link in entry.links:
            assert shipped.link_by_id[link].url.startswith("https://")
    for career in shipped.careers:  # its O*NET page is the one for its code
        assert shipped.link_by_id[career.links[0]].url.endswith("/" + career.onet), career.id
    used = {link for entry in [*entries, shipped.talk_it_over, shipped.role.outlook] for link in entry.links}
    assert used == set(shipped.link_by_id), "every link in `links` is used once at least"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://www.nhanow.com/", "expected a web address starting with https://"),
        ('https://example.org/a"onmouseover="x', "expected a web address starting with https://"),
        ("https://example org/", "expected a web address starting with https://"),
    ],
)
def test_a_link_that_is_not_a_plain_https_address_is_refused(url, message):
    with pytest.raises(BankError) as caught:
        read_bank(MINI.replace("url: https://www.nhanow.com/", f"url: '{url}'", 1), "mini.yaml")
    assert any("links[0] 'nha'.url" in p and message in p for p in caught.value.problems), caught.value.problems


def test_a_step_naming_an_unknown_link_is_reported_with_a_suggestion():
    with pytest.raises(BankError) as caught:
        read_bank(MINI.replace("    links: [nha]", "    links: [nah]", 1), "mini.yaml")
    assert any("unknown link 'nah'" in p and "did you mean 'nha'" in p for p in caught.value.problems)


def test_the_report_links_each_step_and_career_to_its_page_in_a_safe_new_tab(quiz, bank):
    answers, url = quiz.finish()
    html = unescape(quiz.client.get(url).get_data(as_text=True))
    report = build_report(bank, answers)
    shown = dict(EXTERNAL.findall(html))
    expected = [link for step in report["steps"] for link in step["links"]]
    expected += [link for career in report["careers"] for link in career["links"]]
    assert expected, "the mini bank's report should have links to check"
    for link in expected:
        assert link["url"] in shown, link
    # Every link that leaves the site opens in a new tab that cannot reach back (rel="noopener").
    for anchor in re.findall(r'<a [^>]*href="https?://[^"]*"[^>]*>', html):
        if 'href="http://localhost/' in anchor:
            continue  # the report's own private address
        assert 'target="_blank"' in anchor and 'rel="noopener"' in anchor, anchor


def test_the_contents_jump_to_sections_that_exist_and_the_summary_to_the_first_steps(quiz, bank):
    answers, url = quiz.finish()
    html = quiz.client.get(url).get_data(as_text=True)
    contents = re.search(r'<nav class="toc".*?</nav>', html, re.S).group(0)
    targets = re.findall(r'href="#([\w-]+)"', contents)
    assert len(targets) >= 9
    ids = set(re.findall(r' id="([\w-]+)"', html))
    assert not set(targets) - ids, f"contents link to missing sections: {set(targets) - ids}"
    summary = re.search(r'<ol class="summary-steps">(.*?)</ol>', html, re.S).group(1)
    steps = build_report(bank, answers)["steps"]
    assert re.findall(r'href="#step-([\w]+)"', summary) == [s["id"] for s in steps[:3]]


def test_the_report_ends_with_talking_it_over_and_keeping_sharing_or_deleting_it(quiz, bank):
    _, url = quiz.finish()
    html = unescape(quiz.client.get(url).get_data(as_text=True))
    talk, keep = html.index('id="talk"'), html.index('id="keep"')
    assert html.index('id="method"') < talk < keep
    for thing in bank.talk_it_over.bring:
        assert f"<li>{thing}</li>" in html[talk:keep]
    end = html[keep:]
    private = f"http://localhost{url}"
    assert f'<a id="report-link" href="{private}">{private}</a>' in end
    mailto = re.search(r'href="mailto:\?([^"]+)"', end).group(1)
    assert parse_qs(mailto)["body"] == [private] and parse_qs(mailto)["subject"]
    assert "Delete my results" in end and "Start again" in end and "Print or save as PDF" in end


def meta(html: str) -> dict[str, str]:
    found = re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', html)
    return {key: unescape(value) for key, value in found}


def test_previews_name_the_quiz_and_never_a_result_or_a_token(quiz, client, bank):
    landing = meta(client.get("/").get_data(as_text=True))
    assert landing["og:title"] == bank.title
    assert landing["description"] and landing["og:description"] == landing["description"]
    answers, url = quiz.finish()
    tags = meta(client.get(url).get_data(as_text=True))
    band = build_report(bank, answers)["band"]["label"]
    assert band not in tags["og:title"], "a pasted report link must not preview its result"
    assert all(url.rsplit("/", 1)[1] not in value for value in tags.values())


def test_a_client_link_preview_names_the_group_and_the_quiz_without_a_token(client):
    code, dashboard_token = create_group(client, name="Northside evening class")
    fresh = client.application.test_client()
    tags = meta(fresh.get(f"/g/{code}").get_data(as_text=True))
    assert tags["og:title"].startswith("Northside evening class:")
    assert "counselor" in tags["description"] and "minutes" in tags["description"]
    assert all(dashboard_token not in value for value in tags.values())


def test_the_footer_is_true_on_the_page_that_asks_for_a_name(client):
    code, _ = create_group(client)
    html = unescape(client.application.test_client().get(f"/g/{code}").get_data(as_text=True))
    footer = re.sub(r"\s+", " ", re.search(r'<footer class="site-footer">(.*?)</footer>', html, re.S).group(1))
    assert "name or initials" in html[: html.index("<footer")]  # this page asks for one
    # So the footer may not say that no name is ever asked: it says when one is.
    assert "No names" not in footer
    assert "a name only on a counselor's link, where it is optional" in footer


def test_every_answers_points_are_one_link_away_on_a_page_of_their_own(quiz, bank):
    answers, url = quiz.finish()
    report = unescape(quiz.client.get(url).get_data(as_text=True))
    assert f'<a href="{url}/answers">How each of your answers counted</a>' in report
    assert 'class="contrib"' not in report, "the table of every answer stays off the report page"
    page = unescape(quiz.client.get(url + "/answers").get_data(as_text=True))
    for item in bank.items:
        if item.kind != "attention":
            assert item.text in page, item.id
    built = build_report(bank, answers)
    for group in built["contributions"]:
        assert f"<caption>{group['dimension']}: {group['score']}</caption>" in page
    assert f'href="{url}#method">Back to the report' in page
    assert quiz.client.get(url[:-3] + "AAA/answers").status_code == 404
