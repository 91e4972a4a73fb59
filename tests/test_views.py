from __future__ import annotations

import re
from html import unescape

from conftest import MINI_PATH
from conftest import checked_values
from conftest import csrf_token
from conftest import finish_quiz
from conftest import page_answers
from conftest import post_page

from quiz.scoring import build_report

REPORT_SECTIONS = [
    "Your skills for the job",
    "Work-context fit",
    "Areas to build",
    "Things to check before you commit",
    "Your next steps",
    "Related careers",
    "About the job",
    "How this was scored, and its limits",
]


def test_landing_says_what_the_quiz_is(client, bank):
    html = client.get("/").get_data(as_text=True)
    assert f"{len(bank.pages)} short pages" in html
    assert f"{len(bank.items)} statements and situations" in html
    assert f"About {bank.estimated_minutes()} minutes" in html
    assert "not for hiring decisions" in html
    assert "No name, email or health details are asked" in html


def test_full_walk_with_csrf_reaches_a_report_with_every_section(client, bank):
    answers, report_url = finish_quiz(client, bank)
    html = unescape(client.get(report_url).get_data(as_text=True))
    expected = build_report(bank, answers)
    assert f"<h1>{expected['band']['label']}</h1>" in html
    assert "For exploring a career, not for hiring decisions." in html
    for heading in REPORT_SECTIONS + [
        "Your highest scores" if expected["strengths_are_relative"] else "Your strengths"
    ]:
        assert f">{heading}</h2>" in html, heading
    for d in expected["dimensions"]:  # the numbers and ranges are there as text, not only in the chart
        label = re.escape(d["label"])
        where = rf"{label}</th>\s*<td>" if d["kind"] == "skill" else rf">{label}</h2>\s*<p class=\"result-line\">"
        assert re.search(
            where + rf"<span class=\"score-num\">{d['score']}</span> <span class=\"tag tone-{d['tone']}\">"
            rf"{re.escape(d['score_label'])}</span>\s*<span class=\"range\">likely {d['low']} to {d['high']}<",
            html,
        ), d["id"]
    for step in expected["steps"]:
        assert step["title"] in html and step["because"] in html
    assert 'role="img"' in html and '<title id="chart-title">' in html


def test_page_title_and_progress_say_where_the_person_is(client, bank):
    html = client.get("/quiz/3").get_data(as_text=True)
    steps = len(bank.pages)
    assert f"<title>Step 3 of {steps}: {bank.pages[2].title}" in html
    assert f'<progress max="{steps}" value="3"' in html


def test_back_keeps_answers_on_both_pages(client, bank):
    post_page(client, 1, page_answers(bank, 1))
    first_on_page_2 = bank.pages[1].questions[0]
    response = post_page(client, 2, {first_on_page_2: "2"}, action="back")
    assert response.status_code == 303 and response.headers["Location"].endswith("/quiz/1")
    page_1 = client.get("/quiz/1").get_data(as_text=True)
    for qid, value in page_answers(bank, 1).items():
        assert checked_values(page_1, qid) == ({value} if isinstance(value, str) else set(value))
    page_2 = client.get("/quiz/2").get_data(as_text=True)
    assert checked_values(page_2, first_on_page_2) == {"2"}


def test_back_is_never_blocked_by_unanswered_questions(client):
    response = post_page(client, 3, {}, action="back")
    assert response.status_code == 303 and response.headers["Location"].endswith("/quiz/2")


def test_unanswered_question_shows_error_summary_and_keeps_other_answers(client, bank):
    answers = page_answers(bank, 2)
    missing = bank.pages[1].questions[3]
    answers[missing] = ""
    answers[bank.pages[1].questions[0]] = "5"
    response = post_page(client, 2, answers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Error: Step 2 of" in html
    summary = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary and "autofocus" in html[summary.start() : summary.start() + 200]
    assert f'href="#q_{missing}-0"' in summary.group(1)
    assert "1 question on this page still needs an answer" in summary.group(1)
    assert re.search(rf'id="q_{missing}"[^>]*aria-describedby="q_{missing}-error"', html)
    assert checked_values(html, bank.pages[1].questions[0]) == {"5"}
    assert checked_values(html, missing) == set()


def test_tampered_choice_is_rejected_and_not_saved(client, bank):
    answers = page_answers(bank, 2)
    tampered = bank.pages[1].questions[0]
    answers[tampered] = "9"
    response = post_page(client, 2, answers)
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    html = client.get("/quiz/2").get_data(as_text=True)
    assert checked_values(html, tampered) == set()
    untouched = bank.pages[1].questions[2]
    assert checked_values(html, untouched) == {page_answers(bank, 2)[untouched]}


def test_tampered_multiple_choice_is_rejected(client, bank):
    answers = page_answers(bank, 1)
    answers["certifications"] = ["cmaa", "made_up"]
    response = post_page(client, 1, answers)
    assert response.status_code == 422
    assert checked_values(client.get("/quiz/1").get_data(as_text=True), "certifications") == set()


def test_none_of_these_cannot_be_combined(client, bank):
    answers = page_answers(bank, 1)
    answers["certifications"] = ["none", "cma"]
    html = post_page(client, 1, answers).get_data(as_text=True)
    assert "\u201cNone of these\u201d cannot be combined with other answers." in html


def test_optional_question_may_be_left_empty(client, bank):
    answers = page_answers(bank, 1)
    answers["interests"] = []
    answers["clinical_interest"] = ""
    response = post_page(client, 1, answers)
    assert response.status_code == 303 and response.headers["Location"].endswith("/quiz/2")


def test_missing_csrf_token_re_renders_the_page_with_the_answers_given(client, bank):
    answers = page_answers(bank, 2)
    data = {f"q_{qid}": value for qid, value in answers.items()} | {"action": "next"}
    response = client.post("/quiz/2", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answers are still here" in html
    for qid, value in answers.items():
        assert checked_values(html, qid) == {value}
    # The re-rendered page carries a fresh token, so sending it again works.
    assert post_page(client, 2, answers, token=csrf_token(html)).status_code == 303


def test_report_sends_an_unfinished_quiz_to_its_first_gap(client, bank):
    post_page(client, 1, page_answers(bank, 1))
    post_page(client, 2, page_answers(bank, 2))
    response = client.get("/report")
    assert response.status_code == 302 and response.headers["Location"].endswith("/quiz/3")


def test_start_again_begins_a_new_attempt_and_keeps_the_report(client, bank):
    _, report_url = finish_quiz(client, bank)
    assert 'href="/restart"' in client.get(report_url).get_data(as_text=True)
    token = csrf_token(client.get("/restart").get_data(as_text=True))
    response = client.post("/restart", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/quiz/1")
    assert checked_values(client.get("/quiz/1").get_data(as_text=True), "education") == set()
    assert client.get(report_url).status_code == 200


def test_unknown_step_is_a_friendly_404(client):
    response = client.get("/quiz/99")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_pages_carry_a_strict_policy_and_no_inline_script_or_style(client, bank):
    _, report_url = finish_quiz(client, bank)
    client.post("/restart", data={"csrf_token": csrf_token(client.get("/restart").get_data(as_text=True))})
    for url in ["/", "/quiz/1", "/quiz/2", report_url, "/counselors", "/nowhere"]:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        html = response.get_data(as_text=True)
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"<style", html), url
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), url


def test_bank_text_is_escaped(tmp_path, make_app):
    text = MINI_PATH.read_text().replace("title: Mini quiz", 'title: "<script>alert(1)</script>"')
    path = tmp_path / "questions.yaml"
    path.write_text(text)
    html = make_app(QUESTIONS_PATH=str(path)).test_client().get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
