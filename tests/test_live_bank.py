"""Live tuning: a running server picks up an edited questions.yaml without making a request wait,
refuses a broken or oversized one, and a worker gunicorn starts after a broken edit serves the
last good bank; attempts keep their version."""

from __future__ import annotations

import logging
import os
import re
import signal
import time
from html import unescape

import pytest
from conftest import page_answers
from conftest import post_page
from test_serving import Browser
from test_serving import Server

from quiz import db
from quiz import live_bank
from quiz.bank import DEFAULT_PATH
from quiz.bank import MAX_BANK_BYTES
from quiz.live_bank import LiveBank

ORIGINAL_TITLE = "title: Is Patient Care Coordination for you?"


def edit(path, text: str) -> None:
    """Write the file and move its mtime forward, as an editor's save would."""
    path.write_text(text)
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def reload(app) -> None:
    """What the first request after an edit starts (the file is read off the request path), waited for."""
    source = live_bank.of(app)
    source.current()
    source.wait_for_reload(timeout=30)


def with_version(text: str, version: str) -> str:
    return re.sub(r'(?m)^version: ".*"$', f'version: "{version}"', text)


@pytest.fixture
def live(tmp_path, make_app):
    """An app whose questions.yaml is a copy we can edit, checked on every request."""
    path = tmp_path / "questions.yaml"
    path.write_text(DEFAULT_PATH.read_text())
    return make_app(QUESTIONS_PATH=str(path), BANK_CHECK_SECONDS=0), path


def test_an_edit_is_served_without_a_restart(live):
    app, path = live
    client = app.test_client()
    assert "Is Patient Care Coordination for you?" in client.get("/").get_data(as_text=True)
    edit(path, path.read_text().replace(ORIGINAL_TITLE, "title: Could coordinating care suit you?"))
    reload(app)
    assert "Could coordinating care suit you?" in client.get("/").get_data(as_text=True)


def test_a_broken_edit_is_logged_with_lines_and_the_last_good_bank_keeps_serving(live, caplog):
    app, path = live
    client = app.test_client()
    broken = path.read_text().replace("    kind: likert\n", "    kind: likret\n", 1)
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "likret" in text)
    with caplog.at_level(logging.ERROR, logger="quiz.live_bank"):
        edit(path, broken)
        response = client.get("/")
        reload(app)
    assert response.status_code == 200
    assert "Is Patient Care Coordination for you?" in response.get_data(as_text=True)
    assert "still serving version" in caplog.text and f"questions.yaml:{line}:" in caplog.text


def test_an_attempt_in_progress_finishes_on_the_version_it_started_with(live):
    app, path = live
    bank = live_bank.of(app).current()
    client = app.test_client()
    for step in range(1, 4):
        post_page(client, step, page_answers(bank, step))

    # The editor rewords a statement on page 4 and renames a dimension.
    reworded = next(q for q in bank.pages[3].questions if getattr(bank.questions[q], "kind", None) == "likert")
    old_text, old_label = bank.questions[reworded].text, bank.dimensions[0].label
    text = with_version(path.read_text(), "2099.9").replace(f"label: {old_label}", "label: A renamed part")
    assert old_text in text
    edit(path, text.replace(old_text, "A reworded statement."))
    reload(app)
    assert live_bank.of(app).current().version == "2099.9"

    page_4 = unescape(client.get("/quiz/4").get_data(as_text=True))
    assert old_text in page_4 and "A reworded statement." not in page_4  # the version it started on
    for step in range(4, len(bank.pages) + 1):
        response = post_page(client, step, page_answers(bank, step))
    report = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"quiz version {bank.version}" in report and old_label in report and "A renamed part" not in report

    newcomer = app.test_client()
    assert "A reworded statement." in newcomer.get("/quiz/4").get_data(as_text=True)


def test_another_instance_finishes_an_old_version_from_the_database(live, tmp_path, make_app):
    app, path = live
    bank = live_bank.of(app).current()
    client = app.test_client()
    post_page(client, 1, page_answers(bank, 1))

    elsewhere_path = tmp_path / "elsewhere.yaml"
    elsewhere_path.write_text(with_version(path.read_text(), "2099.2"))
    other = make_app(QUESTIONS_PATH=str(elsewhere_path))
    twin = other.test_client()
    twin.set_cookie("session", client.get_cookie("session").value)
    for step in range(2, len(bank.pages) + 1):
        response = post_page(twin, step, page_answers(bank, step))
    report = twin.get(response.headers["Location"]).get_data(as_text=True)
    db.dispose(other)
    assert f"quiz version {bank.version}" in report


def test_the_file_is_only_looked_at_every_few_seconds(tmp_path, monkeypatch):
    path = tmp_path / "questions.yaml"
    path.write_text(DEFAULT_PATH.read_text())
    source = LiveBank(path, check_seconds=60)
    stats = []
    real_stat = os.stat
    monkeypatch.setattr("quiz.live_bank.os.stat", lambda p: stats.append(p) or real_stat(p))
    for _ in range(100):
        source.current()
    assert stats == []


def test_a_slow_reload_never_holds_up_a_request(tmp_path, monkeypatch):
    path = tmp_path / "questions.yaml"
    path.write_text(DEFAULT_PATH.read_text())
    source = LiveBank(path, check_seconds=0)
    real_load = live_bank.load_bank

    def slow_load(where):  # a large file: seconds of parsing
        time.sleep(0.6)
        return real_load(where)

    monkeypatch.setattr(live_bank, "load_bank", slow_load)
    original = source.current()
    edit(path, with_version(path.read_text(), "2099.5"))
    started = time.monotonic()
    served = [source.current() for _ in range(50)]  # what the requests meanwhile are given
    assert time.monotonic() - started < 0.3, "a request waited for questions.yaml to be read"
    assert all(bank is original for bank in served)
    source.wait_for_reload(timeout=30)
    assert source.current().version == "2099.5"


def test_an_edit_over_the_size_limit_is_refused_unread_and_logged(live, caplog):
    app, path = live
    client = app.test_client()
    # 2 MB of nonsense, the mistake of copying the wrong file: it took 20 s and 410 MB to parse.
    with caplog.at_level(logging.ERROR, logger="quiz.live_bank"):
        edit(path, "- " * (MAX_BANK_BYTES + 1))
        started = time.monotonic()
        reload(app)
    assert time.monotonic() - started < 2
    assert "Is Patient Care Coordination for you?" in client.get("/").get_data(as_text=True)
    assert f"questions.yaml:1:1: the file is {2 * (MAX_BANK_BYTES + 1):,} bytes, over the limit of" in caplog.text


# --- under gunicorn: a worker that starts after a broken edit ------------------------------------


def broken_by_a_tab(text: str) -> str:
    """The indent before a `dimension:` line replaced with a tab, which YAML forbids."""
    return re.sub(r"(?m)^ +(?=dimension: )", "\t", text, count=1)


def test_a_worker_started_after_a_broken_edit_serves_the_last_good_bank(tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_text(DEFAULT_PATH.read_text())
    url = f"sqlite:///{tmp_path / 'quiz.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    settings = {
        "DATABASE_URL": url,
        "FLASK_SECRET_KEY": "live-edits",
        "FLASK_QUESTIONS_PATH": str(path),
        "FLASK_BANK_CHECK_SECONDS": "0.2",
        # Its own instance folder, where the run keeps its last good copy: other tests' servers
        # may be running (and keeping theirs) in the checkout's.
        "FLASK_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    server = Server("live", tmp_path, workers=2, **settings)
    try:
        server.wait_ready()
        edit(path, broken_by_a_tab(path.read_text()))
        line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("\tdimension:"))
        deadline = time.monotonic() + 10
        while "changed but cannot be used" not in server.log() and time.monotonic() < deadline:
            assert Browser().get(server, "/").status == 200
            time.sleep(0.1)
        assert f"questions.yaml:{line}:" in server.log()

        killed = min(server.worker_pids())
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while (
            (len(server.worker_pids() - {killed}) < 2 or "the last good one this server run loaded" not in server.log())
            and time.monotonic() < deadline
            and server.process.poll() is None
        ):
            time.sleep(0.1)
        assert server.process.poll() is None, f"the server stopped:\n{server.log()[-3000:]}"
        assert "the last good one this server run loaded" in server.log(), server.log()[-3000:]
        for _ in range(10):  # both workers, the new one included, serve the quiz
            page = Browser().get(server, "/")
            assert page.status == 200 and "Is Patient Care Coordination for you?" in page.body
        assert list((tmp_path / "instance").glob("last-good-questions-*.yaml")), "no last good copy while running"
    finally:
        server.stop()
    assert not list((tmp_path / "instance").glob("last-good-questions-*.yaml")), "the run left its copy behind"

    # A fresh start with the broken file refuses, as before: this run has no good bank to fall back on.
    fresh = Server("fresh", tmp_path, workers=1, **settings)
    try:
        assert fresh.process.wait(timeout=60) != 0
    finally:
        fresh.stop()
    assert "Worker failed to boot" in fresh.log() and f"questions.yaml:{line}:" in fresh.log()
