"""The counselor's view of one client's result: written about the client, with the discussion
guide from the bank, a one-page plan, and the client's own report beside them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from conftest import page_answers
from test_counselor import create_group
from test_counselor import dashboard_html
from test_counselor import join_and_finish

from quiz.scoring import build_report


def flagging_answers(bank, step):
    """Typical answers, except weekend shifts would be very hard: the hours flag is raised."""
    answers = page_answers(bank, step)
    return {**answers, "fit_hours": "5"} if "fit_hours" in answers else answers


def open_result(app, client, bank, name="Dana", answers_for=page_answers):
    code, _ = create_group(client)
    _, answers = join_and_finish(app, bank, code, name, answers_for=answers_for)
    link = re.search(rf'href="(/dashboard/{code}/results/\d+)"', dashboard_html(client, code)).group(1)
    return link, build_report(bank, answers), unescape(client.get(link).get_data(as_text=True))


def test_the_result_is_written_about_the_client_with_two_questions_for_each_part(app, client, bank):
    _, report, html = open_result(app, client, bank)
    assert "<h1>Dana\u2019s profile</h1>" in html
    assert f"{report['band']['label']}: skills score {report['skills']['score']}" in html
    for heading in ("Your profile", "Your skills", "Your strengths", "Your next steps", "Because you told us"):
        assert heading not in html
    for dimension in bank.dimensions:
        row = re.search(rf'<th scope="row">{re.escape(dimension.label)}</th>(.*?)</tr>', html, re.S).group(1)
        for question in dimension.guide.ask if dimension.guide else []:
            assert f"<li>{question}</li>" in row
    for step in report["steps"]:
        assert step["title"] in html


def near_answers(bank, step):
    """Typical answers but "Neither" to one care statement: the care score lands near a line."""
    answers = page_answers(bank, step)
    return {**answers, "care_listen": "3"} if "care_listen" in answers else answers


@pytest.mark.parametrize("answers_for", [page_answers, near_answers], ids=["clear", "near"])
def test_a_near_the_line_result_comes_with_the_question_that_tells_which_side(app, client, bank, answers_for):
    _, report, html = open_result(app, client, bank, answers_for=answers_for)
    care = report["dimensions"][0]
    assert care["id"] == "care" and bool(care["near"]) == (answers_for is near_answers)
    asked = f"<strong>Near the line:</strong> {bank.dimension_by_id['care'].guide.near}" in html
    assert asked == bool(care["near"])
    if care["near"]:
        assert f"near the line with {care['nearby']}" in html


def test_a_raised_flag_comes_with_a_way_to_explore_it(app, client, bank):
    _, report, html = open_result(app, client, bank, answers_for=flagging_answers)
    assert [f["id"] for f in report["flags"]] == ["hours_flag"]
    flag = bank.flags[0]
    assert f"<h3>{flag.title}</h3>" in html and flag.explore in html
    assert f"Answered \u201c{report['flags'][0]['answer']}\u201d to: {bank.questions[flag.item].text}" in html
    _, _, calm = open_result(app, client, bank)
    assert flag.explore not in calm and bank.discussion.no_flags in calm


def middle_answers(bank, step):
    """Typical answers, except every statement gets "Neither agree nor disagree"."""
    answers = page_answers(bank, step)
    statements = {item.id for item in bank.items if item.kind == "likert"}
    return {qid: "3" if qid in statements else value for qid, value in answers.items()}


def test_the_counselor_alone_is_told_when_most_answers_were_in_the_middle(app, client, bank):
    link, _, html = open_result(app, client, bank, answers_for=middle_answers)
    assert bank.discussion.many_middle in html
    own = unescape(client.get(link + "/report").get_data(as_text=True))
    assert bank.discussion.many_middle not in own
    _, _, typical = open_result(app, client, bank)
    assert bank.discussion.many_middle not in typical


def test_the_plan_lists_the_suggested_steps_with_blank_rows_to_fill_in(app, client, bank):
    link, report, _ = open_result(app, client, bank, name="")
    plan = unescape(client.get(link + "/plan").get_data(as_text=True))
    assert "<h1>This client\u2019s plan</h1>" in plan and bank.discussion.plan_intro in plan
    rows = re.findall(r"<tr><td>(.*?)</td><td></td><td></td><td></td></tr>", plan)
    assert rows == [step["title"] for step in report["steps"]]
    # Blank rows fill the table to plan_rows, with two at least, so it keeps to one printed page.
    assert len(rows) + plan.count('<tr class="blank">') == max(bank.discussion.plan_rows, len(rows) + 2)
    assert re.findall(r"<dt>(.*?)</dt><dd></dd>", plan) == bank.discussion.plan_fields != []


def test_the_clients_own_report_opens_beside_the_guide_without_their_private_link(app, client, bank):
    link, report, _ = open_result(app, client, bank)
    own = unescape(client.get(link + "/report").get_data(as_text=True))
    assert "This is the report as Dana sees it" in own and f"<h1>{report['band']['label']}</h1>" in own
    assert "/r/" not in own and "Delete my results" not in own


def test_the_pages_of_one_groups_result_are_404_from_another_group(app, client, bank):
    link, _, _ = open_result(app, client, bank)
    other, _ = create_group(client, name="Another group")
    foreign = re.sub(r"/dashboard/[^/]+/", f"/dashboard/{other}/", link)
    for suffix in ("", "/plan", "/report"):
        assert client.get(foreign + suffix).status_code == 404, suffix


def test_the_clients_report_seen_by_the_counselor_links_the_counselors_own_answers_page(app, client, bank):
    link, report, _ = open_result(app, client, bank)
    own = unescape(client.get(link + "/report").get_data(as_text=True))
    assert f'<a href="{link}/answers">How each of your answers counted</a>' in own
    answers = unescape(client.get(link + "/answers").get_data(as_text=True))
    assert "Dana\u2019s fit report" in answers and "/r/" not in answers
    for group in report["contributions"]:
        assert f"<caption>{group['dimension']}: {group['score']}</caption>" in answers
