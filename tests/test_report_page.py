"""What the report page says, on the small test bank: ranges, the line, the day-to-day result, the
careless caution, situations in each person's own order, cut-offs from the bank on every page, and
reports stored in the first format."""

from __future__ import annotations

import re
from html import unescape

from conftest import MINI_PATH
from conftest import csrf_token
from conftest import finish_quiz
from conftest import page_answers
from conftest import post_page
from sqlalchemy import update

from quiz import db
from quiz import live_bank
from quiz import records
from quiz.models import Attempt
from quiz.scoring import build_report

SCENARIO = "care_scenario"


def shown_options(html: str, qid: str) -> list[str]:
    return re.findall(rf'name="q_{qid}"[^>]*value="([^"]*)"', html)


def report_of(client, url: str) -> str:
    return unescape(client.get(url).get_data(as_text=True))


def stored(app, url: str) -> Attempt:
    with app.app_context():
        return records.find_attempt(db.session(), url.rsplit("/", 1)[1])


def test_a_situations_options_keep_one_order_per_attempt_everywhere(app, client, bank):
    step = next(i for i, p in enumerate(bank.pages, 1) if SCENARIO in p.questions)
    for earlier in range(1, step):
        post_page(client, earlier, page_answers(bank, earlier))
    first = shown_options(client.get(f"/quiz/{step}").get_data(as_text=True), SCENARIO)
    assert sorted(first) == ["a", "b", "c"]
    assert shown_options(client.get(f"/quiz/{step}").get_data(as_text=True), SCENARIO) == first  # again
    unanswered = {**page_answers(bank, step), "care_notice": ""}
    again = post_page(client, step, unanswered).get_data(as_text=True)  # shown again with an error
    assert shown_options(again, SCENARIO) == first

    resume = re.search(r'href="http://localhost(/resume/[^"]+)"', again).group(1)
    phone = app.test_client()
    assert phone.get(resume).status_code == 303
    assert shown_options(phone.get(f"/quiz/{step}").get_data(as_text=True), SCENARIO) == first

    for later in range(step, len(bank.pages) + 1):
        response = post_page(phone, later, page_answers(bank, later))
    answers_page = report_of(phone, response.headers["Location"] + "/answers")
    texts = {o.key: o.text for o in bank.questions[SCENARIO].options}
    listed = re.search(r'<ul class="option-points">(.*?)</ul>', answers_page, re.S).group(1)
    assert re.findall(r"<li[^>]*>(.*?) <span", listed) == [texts[key] for key in first]


def test_attempts_get_different_orders(app, bank):
    orders = set()
    for _ in range(12):
        client = app.test_client()
        post_page(client, 1, page_answers(bank, 1))
        post_page(client, 2, page_answers(bank, 2))
        orders.add(tuple(shown_options(client.get("/quiz/3").get_data(as_text=True), SCENARIO)))
    assert len(orders) > 1  # one fixed order for all would let the position give the answer away


def test_the_report_shows_ranges_the_line_and_the_day_to_day_result(app, client, bank):
    answers, url = finish_quiz(client, bank)
    expected = build_report(bank, answers, option_seed=stored(app, url).option_seed)
    html = report_of(client, url)
    skills = expected["skills"]
    assert f"<strong>{skills['score']}</strong> out of 100" in html
    assert f"likely {skills['low']} to {skills['high']}" in html
    [context] = expected["day_to_day"]
    assert f">{context['label']}</h2>" in html and context["score_label"] in html
    assert html.index(">Your skills for the job</h2>") < html.index(f">{context['label']}</h2>")
    for d in expected["dimensions"]:
        if d["near"]:
            assert f"near the line with {d['nearby']}" in html or d["near"] in html


def test_careless_answers_withhold_the_band_headline_but_show_the_scores(app, client, bank):
    for step in range(1, len(bank.pages) + 1):
        answers = page_answers(bank, step)
        if "check_agree" in answers:
            answers["check_agree"] = "1"  # not the answer the statement asks for
        response = post_page(client, step, answers)
    html = report_of(client, response.headers["Location"])
    assert f"<h1>{bank.quality.headline}</h1>" in html
    assert bank.quality.attention_note in html and bank.quality.retake_note in html
    assert "Take the quiz again" in html
    band_headlines = [b.headline for b in bank.bands if b.headline]
    assert not any(h in html for h in band_headlines)
    assert re.search(r'<span class="score-num">\d+</span>', html)  # the scores are still there


def test_a_step_that_needs_something_first_says_so(client, bank):
    for step in range(1, len(bank.pages) + 1):
        answers = page_answers(bank, step)
        if "education" in answers:
            answers["education"] = "less_than_hs"
        response = post_page(client, step, answers)
    html = report_of(client, response.headers["Location"])
    assert "Earn a diploma or GED" in html
    assert "You would first need a diploma or GED." in html


def test_cut_offs_edited_in_questions_yaml_change_every_page_together(tmp_path, make_app):
    edited = tmp_path / "questions.yaml"
    edited.write_text(
        MINI_PATH.read_text().replace(
            "  - {id: strength, label: Strength, min: 70, max: 100, tone: high}\n"
            "  - {id: solid, label: Solid base, min: 50, max: 69, tone: middle}\n"
            "  - {id: to_build, label: Area to build, min: 0, max: 49, tone: low}",
            "  - {id: strength, label: Strength, min: 90, max: 100, tone: high}\n"
            "  - {id: solid, label: Solid base, min: 40, max: 89, tone: middle}\n"
            "  - {id: to_build, label: Area to build, min: 0, max: 39, tone: low}",
        )
    )
    app = make_app(QUESTIONS_PATH=str(edited))
    client = app.test_client()
    bank = live_bank.of(app).current()
    page = client.get("/counselors").get_data(as_text=True)
    dashboard_url = client.post(
        "/counselors", data={"csrf_token": csrf_token(page), "name": "Cohort", "note": ""}
    ).location
    code = dashboard_url.rsplit("/", 1)[1]
    joined = client.post(f"/g/{code}", data={"csrf_token": csrf_token(client.get(f"/g/{code}").get_data(as_text=True))})
    assert joined.status_code == 303
    answers, url = finish_quiz(client, bank)
    html = report_of(client, url)
    care = next(d for d in build_report(bank, answers)["dimensions"] if d["id"] == "care")
    assert care["score"] == 81 and care["score_label"] == "Solid base"  # a Strength under the shipped cut-offs
    # The legend, the chart's marks, the table's tag and the sections all follow the new cut-offs.
    assert '90 to 100 is <span class="tag tone-high">Strength</span>; 40 to 89 is' in html
    marks = re.findall(r'<text x="[\d.]+" y="\d+" class="chart-axis" text-anchor="middle">(\d+)</text>', html)
    assert marks[:2] == ["40", "90"]
    assert re.search(
        r'Patient care</th>\s*<td><span class="score-num">81</span> <span class="tag tone-middle">Solid base', html
    )
    assert ">Your highest scores</h2>" in html and ">Your strengths</h2>" not in html
    assert 'tone-high">81' not in html
    # The counselor's dashboard draws the group's means with the same marks.
    dashboard = client.get(dashboard_url).get_data(as_text=True)
    assert 'class="chart-axis" text-anchor="middle">40</text>' in dashboard
    assert 'class="chart-axis" text-anchor="middle">50</text>' not in dashboard


def test_a_report_stored_in_the_first_format_still_opens_with_its_numbers(app, client, bank):
    _, url = finish_quiz(client, bank)
    old = {
        "title": "Old quiz",
        "version": "2026.11-2",
        "digest": "b" * 64,
        "overall": 68,
        "band": {"id": "promising", "label": "Promising fit", "headline": "A good base, from the old quiz."},
        "caps": [],
        "quality_notes": [],
        "dimensions": [
            {
                "id": "empathy",
                "label": "Patient empathy and service",
                "kind": "skill",
                "description": "d",
                "job_task": "Calming a confused patient.",
                "score": 68,
                "weight": 1,
                "score_label": "Solid base",
                "score_label_id": "solid",
                "strength": "s",
                "actions": ["a"],
            }
        ],
        "strengths": [],
        "strengths_are_relative": True,
        "areas": [],
        "flags": [],
        "steps": [
            {
                "id": "network",
                "title": "Build your network",
                "detail": "d",
                "time": "t",
                "because": "Shown to everyone.",
            }
        ],
        "careers": [],
        "explore_emphasis": False,
        "contributions": [{"dimension": "Patient empathy and service", "score": 68, "items": []}],
        "rules": {
            "bands": [{"label": "Promising fit", "min": 0, "max": 100}],
            "score_labels": [{"label": "Solid base", "min": 0, "max": 100}],
            "caps": [],
            "min_answered_share": 0.75,
        },
        "role": build_report(bank, {})["role"],
        "limits": "Old limits.",
    }
    with app.app_context(), db.writing() as write:
        write.execute(update(Attempt).where(Attempt.id == stored(app, url).id).values(report=old))
    response = client.get(url)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "<h1>Promising fit</h1>" in html and "A good base, from the old quiz." in html
    assert "Overall score <strong>68</strong>" in html and "Shown to everyone." not in html
    assert "quiz version 2026.11-2" in html


def test_a_report_is_rendered_once_and_a_deleted_one_is_gone_even_so(app, client, bank, monkeypatch):
    _, url = finish_quiz(client, bank)
    reads = []
    real = records.stored_report
    monkeypatch.setattr(records, "stored_report", lambda *args: reads.append(args) or real(*args))
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert len(reads) == 1  # the second visit reuses the rendered report
    strip = lambda html: re.sub(r'name="csrf_token" value="[^"]+"', "", html)  # noqa: E731
    assert strip(first.get_data(as_text=True)) == strip(second.get_data(as_text=True))
    token = csrf_token(client.get(f"{url}/delete").get_data(as_text=True))
    assert client.post(f"{url}/delete", data={"csrf_token": token}).status_code == 200
    assert client.get(url).status_code == 404
