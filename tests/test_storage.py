"""Attempts and reports that last, on SQLite and PostgreSQL (the `app` fixture runs each test on both)."""

from __future__ import annotations

import re
import threading

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import MINI_PATH
from conftest import checked_values
from conftest import csrf_token
from conftest import finish_quiz
from conftest import page_answers
from conftest import post_page
from sqlalchemy import func
from sqlalchemy import select

from quiz import db
from quiz import live_bank
from quiz import tokens
from quiz.bank import DEFAULT_PATH
from quiz.bank import MAX_VERSION_LENGTH
from quiz.bank import load_bank
from quiz.models import Attempt
from quiz.models import Base


def rows(app):
    with app.app_context():
        return list(db.session().scalars(select(Attempt).order_by(Attempt.id)))


def resume_link(html: str) -> str:
    return re.search(r'href="http://localhost(/resume/[A-Za-z0-9_-]{43})"', html).group(1)


def test_migrations_are_the_schema(app):
    with app.extensions["quiz_db"]["engine"].connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_each_page_is_saved_under_one_attempt_whose_token_is_not_stored(client, app, bank):
    post_page(client, 1, page_answers(bank, 1))
    post_page(client, 2, page_answers(bank, 2))
    [attempt] = rows(app)
    assert attempt.answers == page_answers(bank, 1) | page_answers(bank, 2)
    assert (attempt.bank_version, attempt.bank_digest) == (bank.version, bank.digest)
    with client.session_transaction() as session:
        # `_permanent` is Flask's own flag for a cookie that outlives the browser session;
        # `renewed`, the day its expiry was last pushed back.
        assert set(session) <= {"attempt", "csrf_token", "_permanent", "renewed"}
        assert tokens.token_hash(session["attempt"]) == attempt.token_hash
        assert session["attempt"] not in attempt.token_hash


def test_resume_link_continues_on_a_fresh_client_where_the_person_left_off(app, client, bank):
    post_page(client, 1, page_answers(bank, 1))
    post_page(client, 2, page_answers(bank, 2))
    link = resume_link(client.get("/quiz/3").get_data(as_text=True))

    phone = app.test_client()
    response = phone.get(link)
    assert response.status_code == 303 and response.headers["Location"] == "/quiz/3"
    assert response.headers["Cache-Control"] == "no-store"
    page_2 = phone.get("/quiz/2").get_data(as_text=True)
    for qid, value in page_answers(bank, 2).items():
        assert checked_values(page_2, qid) == {value}
    for step in range(3, len(bank.pages) + 1):
        assert post_page(phone, step, page_answers(bank, step)).status_code == 303
    [attempt] = rows(app)
    assert attempt.finished_at is not None and attempt.report["skills"]["score"] is not None


def test_lost_cookie_costs_nothing_with_the_link(app, client, bank):
    post_page(client, 1, page_answers(bank, 1))
    link = resume_link(client.get("/quiz/2").get_data(as_text=True))
    client.delete_cookie("session")
    assert checked_values(client.get("/quiz/1").get_data(as_text=True), "education") == set()
    client.get(link)
    assert checked_values(client.get("/quiz/1").get_data(as_text=True), "education") == {"less_than_hs"}


def test_expired_csrf_token_mid_quiz_keeps_saved_and_typed_answers(client, bank):
    post_page(client, 1, page_answers(bank, 1))
    answers = page_answers(bank, 2)
    response = post_page(client, 2, answers, token="expired-or-forged")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Your answers are" in html
    assert all(checked_values(html, qid) == {value} for qid, value in answers.items())
    assert post_page(client, 2, answers, token=csrf_token(html)).status_code == 303
    assert checked_values(client.get("/quiz/1").get_data(as_text=True), "education") == {"less_than_hs"}


def test_report_has_a_private_uncached_unindexed_address(client, bank):
    _, report_url = finish_quiz(client, bank)
    response = client.get(report_url)
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert f"http://localhost{report_url}" in html
    assert f"quiz version {bank.version}" in html
    assert "It is deleted after 365 days" in html


def test_wrong_or_truncated_report_and_resume_tokens_get_404(client, bank):
    _, report_url = finish_quiz(client, bank)
    token = report_url.rsplit("/", 1)[1]
    wrong = ("A" if token[0] != "A" else "B") + token[1:]
    for bad in [token[:-1], token[:20], wrong, token + "x", "x" * 500]:
        assert client.get(f"/r/{bad}").status_code == 404, bad
        assert client.get(f"/resume/{bad}").status_code == 404, bad
        assert client.get(f"/r/{bad}/delete").status_code == 404, bad


def test_report_stays_as_it_was_after_questions_yaml_changes(app, client, bank, tmp_path, make_app):
    _, report_url = finish_quiz(client, bank)
    before = client.get(report_url).get_data(as_text=True)

    edited = tmp_path / "questions.yaml"
    edited.write_text(
        re.sub(r'(?m)^version: ".*"$', 'version: "2099.1"', MINI_PATH.read_text())
        .replace("label: Patient care", "label: Caring for patients")
        .replace(
            "{key: a, text: Point them to the portal., points: 1}",
            "{key: a, text: Point them to the portal., points: 3}",
        )
    )
    changed = make_app(QUESTIONS_PATH=str(edited))
    assert live_bank.of(changed).current().version == "2099.1"
    after = changed.test_client().get(report_url).get_data(as_text=True)
    strip = lambda html: re.sub(r'name="csrf_token" value="[^"]+"', "", html)  # noqa: E731
    assert strip(after) == strip(before)
    assert "Patient care" in after and "Caring for patients" not in after
    assert f"quiz version {bank.version}" in after


def test_delete_my_results_needs_confirmation_then_really_deletes(app, client, bank):
    _, report_url = finish_quiz(client, bank)
    confirm = client.get(f"{report_url}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    assert len(rows(app)) == 1
    response = client.post(f"{report_url}/delete", data={"csrf_token": csrf_token(confirm.get_data(as_text=True))})
    assert "Your results were deleted" in response.get_data(as_text=True)
    assert rows(app) == []
    assert client.get(report_url).status_code == 404


def test_delete_without_csrf_token_deletes_nothing(app, client, bank):
    _, report_url = finish_quiz(client, bank)
    assert client.post(f"{report_url}/delete").status_code == 400
    assert len(rows(app)) == 1


def _answer_all_but_last(client, bank) -> str:
    for step in range(1, len(bank.pages)):
        post_page(client, step, page_answers(bank, step))
    return csrf_token(client.get(f"/quiz/{len(bank.pages)}").get_data(as_text=True))


def _in_threads(jobs) -> list:
    results = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(index, job):
        start.wait()
        results[index] = job()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_concurrent_finishes_are_each_stored_exactly_once(app, bank):
    last = len(bank.pages)
    people = [app.test_client() for _ in range(20)]
    tokens_ = [_answer_all_but_last(person, bank) for person in people]
    answers = page_answers(bank, last)
    responses = _in_threads(
        [
            (lambda person=person, token=token: post_page(person, last, answers, token=token))
            for person, token in zip(people, tokens_, strict=True)
        ]
    )
    assert [r.status_code for r in responses] == [303] * 20
    stored = rows(app)
    assert len(stored) == 20 and all(a.finished_at and a.report for a in stored)
    assert len({r.headers["Location"] for r in responses}) == 20


def test_the_same_attempt_finished_twenty_times_at_once_is_stored_once(app, client, bank):
    last = len(bank.pages)
    token = _answer_all_but_last(client, bank)
    cookie = client.get_cookie("session").value
    clones = []
    for _ in range(20):
        clone = app.test_client()
        clone.set_cookie("session", cookie)
        clones.append(clone)
    answers = page_answers(bank, last)
    responses = _in_threads([(lambda c=c: post_page(c, last, answers, token=token)) for c in clones])
    assert {r.status_code for r in responses} == {303}
    assert len({r.headers["Location"] for r in responses}) == 1
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Attempt)) == 1
    [attempt] = rows(app)
    assert attempt.finished_at is not None


def test_pages_saved_at_once_from_several_tabs_all_keep_their_answers(app, client, bank):
    """Each save changes only its own page's answers, in the database: none overwrites another."""
    post_page(client, 1, page_answers(bank, 1))
    cookie = client.get_cookie("session").value
    token = csrf_token(client.get("/quiz/2").get_data(as_text=True))
    tabs = []
    for _ in range(2, len(bank.pages)):
        tab = app.test_client()
        tab.set_cookie("session", cookie)
        tabs.append(tab)
    responses = _in_threads(
        [
            (lambda tab=tab, step=step: post_page(tab, step, page_answers(bank, step), token=token))
            for step, tab in enumerate(tabs, start=2)
        ]
    )
    assert [r.status_code for r in responses] == [303] * len(tabs)
    [attempt] = rows(app)
    expected = {}
    for step in range(1, len(bank.pages)):
        expected |= page_answers(bank, step)
    assert attempt.answers == expected


def test_page_saves_do_not_wait_for_the_disk_but_stored_results_do(app):
    """A page save may be lost to a crash of the OS or the database server (never to a killed
    worker); a new attempt, a finished report or a group may not."""
    engines = app.extensions["quiz_db"]
    with engines["autocommit"].connect() as page_saves, engines["engine"].connect() as results:
        if engines["engine"].dialect.name == "sqlite":
            setting, relaxed, strict = "PRAGMA synchronous", 1, 2  # NORMAL, FULL
            assert page_saves.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        else:
            setting, relaxed, strict = "SHOW synchronous_commit", "off", "on"
        assert page_saves.exec_driver_sql(setting).scalar() == relaxed
        assert results.exec_driver_sql(setting).scalar() == strict


def test_purge_removes_only_what_is_past_retention(app, bank, runner):
    from datetime import timedelta

    from quiz import records
    from quiz.models import utcnow

    now = utcnow()
    with app.app_context():
        with db.writing() as write:
            group, _ = records.create_group(write, "Cohort", "")
            made = {}
            for name, group_id, finished, age in [
                ("old_unfinished", None, False, 31),
                ("new_unfinished", None, False, 29),
                ("old_result", None, True, 366),
                ("new_result", None, True, 364),
                ("old_group_result", group.id, True, 900),
                ("old_group_unfinished", group.id, False, 31),
            ]:
                attempt, _ = records.start_attempt(write, bank)
                attempt.group_id = group_id
                attempt.updated_at = attempt.created_at = now - timedelta(days=age)
                if finished:
                    attempt.finished_at, attempt.report = now - timedelta(days=age), {"overall": 1}
                made[name] = attempt
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 unfinished attempt(s)" in result.output and "1 result(s)" in result.output
    left = {a.id for a in rows(app)}
    assert left == {made[n].id for n in ("new_unfinished", "new_result", "old_group_result")}


def test_nul_and_control_characters_in_free_text_are_dropped(app, client):
    page = client.get("/counselors").get_data(as_text=True)
    response = client.post(
        "/counselors",
        data={
            "csrf_token": csrf_token(page),
            "name": "Spring\x00 cohort\x07",
            "note": "Line one\nline two\x00",
        },
    )
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Spring cohort</h1>" in html and "Line one\nline two" in html


def longest(name: str, length: int = 40) -> str:
    return (name + "_" + "x" * length)[:length]


def test_a_bank_with_every_stored_field_at_its_longest_walks_to_a_report(tmp_path, make_app):
    shipped = load_bank(DEFAULT_PATH)
    question = next(q for q in shipped.profile if "_" in q.id)
    option = next(o.key for q in shipped.profile for o in q.options if "_" in o.key)
    text = re.sub(r'(?m)^version: ".*"$', f'version: "{"v" * MAX_VERSION_LENGTH}"', DEFAULT_PATH.read_text())
    for name in (question.id, option):  # renamed everywhere it is named: pages, conditions, flags
        text = re.sub(rf"(?<![\w-]){name}(?![\w-])", longest(name), text)
    path = tmp_path / "questions.yaml"
    path.write_text(text)
    app = make_app(QUESTIONS_PATH=str(path))
    bank = live_bank.of(app).current()
    assert bank.version == "v" * MAX_VERSION_LENGTH and longest(question.id) in bank.questions
    client = app.test_client()
    _, report_url = finish_quiz(client, bank)
    assert f"quiz version {bank.version}" in client.get(report_url).get_data(as_text=True)
    with app.app_context():
        attempt = db.session().scalar(select(Attempt))
        assert attempt.bank_version == bank.version and longest(question.id) in attempt.answers
