"""Live tuning: a running server picks up an edited questions.yaml; attempts keep their version."""
from __future__ import annotations

import logging
import os
import re
from html import unescape

import pytest
from conftest import migrate
from conftest import page_answers
from conftest import post_page

from quiz import create_app
from quiz import db
from quiz.bank import DEFAULT_PATH
from quiz.banks import BankSource

ORIGINAL_TITLE = "title: Is Patient Care Coordination for you?"


def edit(path, text: str) -> None:
    """Write the file and move its mtime forward, as an editor's save would."""
    path.write_text(text)
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def with_version(text: str, version: str) -> str:
    return re.sub(r'(?m)^version: ".*"$', f'version: "{version}"', text)


@pytest.fixture
def live(tmp_path, database_url):
    """An app whose questions.yaml is a copy we can edit, checked on every request."""
    path = tmp_path / "questions.yaml"
    path.write_text(DEFAULT_PATH.read_text())
    migrate(database_url)
    app = create_app({
        "TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": False,
        "QUESTIONS_PATH": str(path), "BANK_CHECK_SECONDS": 0,
    })
    yield app, path
    db.dispose(app)


def test_an_edit_is_served_without_a_restart(live):
    app, path = live
    client = app.test_client()
    assert "Is Patient Care Coordination for you?" in client.get("/").get_data(as_text=True)
    edit(path, path.read_text().replace(ORIGINAL_TITLE, "title: Could coordinating care suit you?"))
    assert "Could coordinating care suit you?" in client.get("/").get_data(as_text=True)


def test_a_broken_edit_is_logged_with_lines_and_the_last_good_bank_keeps_serving(live, caplog):
    app, path = live
    client = app.test_client()
    broken = path.read_text().replace("    kind: likert\n", "    kind: likret\n", 1)
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "likret" in text)
    with caplog.at_level(logging.ERROR, logger="quiz.banks"):
        edit(path, broken)
        response = client.get("/")
    assert response.status_code == 200
    assert "Is Patient Care Coordination for you?" in response.get_data(as_text=True)
    assert "still serving version" in caplog.text and f"questions.yaml:{line}:" in caplog.text


def test_an_attempt_in_progress_finishes_on_the_version_it_started_with(live):
    app, path = live
    bank = app.extensions["quiz_banks"].current()
    client = app.test_client()
    for step in range(1, 4):
        post_page(client, step, page_answers(bank, step))

    # The editor rewords a statement on page 4 and renames a dimension.
    reworded = next(q for q in bank.pages[3].questions if getattr(bank.questions[q], "kind", None) == "likert")
    old_text, old_label = bank.questions[reworded].text, bank.dimensions[0].label
    text = with_version(path.read_text(), "2099.9").replace(f"label: {old_label}", "label: A renamed part")
    assert old_text in text
    edit(path, text.replace(old_text, "A reworded statement."))
    assert app.extensions["quiz_banks"].current().version == "2099.9"

    page_4 = unescape(client.get("/quiz/4").get_data(as_text=True))
    assert old_text in page_4 and "A reworded statement." not in page_4  # the version it started on
    for step in range(4, len(bank.pages) + 1):
        response = post_page(client, step, page_answers(bank, step))
    report = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"quiz version {bank.version}" in report and old_label in report and "A renamed part" not in report

    newcomer = app.test_client()
    assert "A reworded statement." in newcomer.get("/quiz/4").get_data(as_text=True)


def test_another_instance_finishes_an_old_version_from_the_database(live, tmp_path, database_url):
    app, path = live
    bank = app.extensions["quiz_banks"].current()
    client = app.test_client()
    post_page(client, 1, page_answers(bank, 1))

    elsewhere_path = tmp_path / "elsewhere.yaml"
    elsewhere_path.write_text(with_version(path.read_text(), "2099.2"))
    other = create_app({
        "TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url, "RATELIMIT_ENABLED": False,
        "QUESTIONS_PATH": str(elsewhere_path),
    })
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
    source = BankSource(path, check_seconds=60)
    stats = []
    real_stat = os.stat
    monkeypatch.setattr("quiz.banks.os.stat", lambda p: stats.append(p) or real_stat(p))
    for _ in range(100):
        source.current()
    assert stats == []
