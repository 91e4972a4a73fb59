"""The first run of a fresh checkout, as subprocesses: the README's commands on a machine that has
never run the app. SQLite is migrated at start-up; another database that is behind stops the app
with the command to run, and no page ever suggests retrying what a retry cannot fix.
"""

from __future__ import annotations

import http.client
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import MINI_PATH
from conftest import POSTGRES_URL
from conftest import checked_values
from conftest import csrf_token
from conftest import page_answers
from conftest import post_page
from sqlalchemy import text

from quiz import create_app
from quiz import db
from quiz.bank import DEFAULT_PATH
from quiz.bank import load_bank

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHIPPED = ["quiz", "templates", "static", "questions.yaml", "gunicorn.conf.py"]


@pytest.fixture
def checkout(tmp_path) -> Path:
    """What a fresh clone holds of the app: no instance folder, no database, no secret key."""
    target = tmp_path / "checkout"
    target.mkdir()
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target / name)
    return target


def environment(checkout: Path, **settings: str) -> dict[str, str]:
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "PYTHONPATH": str(checkout), "HOME": str(checkout)}
    env.update(settings)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Just enough of a browser for a form post: one cookie, requests to one port."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        html = response.read().decode()
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), html


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{process.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start listening")


def save_first_page(port: int) -> tuple[int, str]:
    """Post page 1 as a browser does: the status, and the page it leads to."""
    browser = Browser(port)
    status, _, html = browser.request("GET", "/quiz/1")
    assert status == 200
    bank = load_bank(DEFAULT_PATH)
    form = {"csrf_token": csrf_token(html), "action": "next"}
    form.update({f"q_{qid}": value for qid, value in page_answers(bank, 1).items()})
    status, headers, html = browser.request("POST", "/quiz/1", form)
    assert status == 303, html[:1000]
    status, _, html = browser.request("GET", headers["Location"])
    assert status == 200
    return status, html


def serve(command: list[str], checkout: Path, port: int, **settings: str) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=checkout,
        env=environment(checkout, **settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_flask_run_in_a_fresh_checkout_saves_the_first_page(checkout):
    port = free_port()
    server = serve([str(BIN / "flask"), "--app", "quiz", "run", "--port", str(port)], checkout, port)
    try:
        wait_for_port(port, server)
        _, html = save_first_page(port)
        assert "/resume/" in html  # the attempt exists: its continue-later link is shown
    finally:
        output = stop(server)
    assert (checkout / "instance" / "quiz.db").exists(), output
    assert "OperationalError" not in output


def test_gunicorn_workers_starting_together_on_a_fresh_sqlite_file_all_serve(checkout):
    port = free_port()
    server = serve(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "quiz:create_app()"],
        checkout,
        port,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="1",
    )
    try:
        wait_for_port(port, server)
        for _ in range(4):  # with one thread each, several saves reach more than one worker
            save_first_page(port)
    finally:
        output = stop(server)
    assert "Traceback" not in output and "Worker failed to boot" not in output, output


@pytest.fixture
def unmigrated_postgres(postgres_server):
    """A PostgreSQL schema the app has never seen: `flask db upgrade` was not run."""
    schema = f"first_{secrets.token_hex(6)}"
    with postgres_server.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with postgres_server.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.mark.postgres
def test_an_unmigrated_postgres_database_stops_the_app_with_the_command_to_run(checkout, unmigrated_postgres):
    settings = {"DATABASE_URL": unmigrated_postgres, "FLASK_SECRET_KEY": "first-run"}
    flask_run = subprocess.run(
        [str(BIN / "flask"), "--app", "quiz", "run", "--port", str(free_port())],
        cwd=checkout,
        env=environment(checkout, **settings),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert flask_run.returncode != 0
    assert "has migrations still to apply: run `flask --app quiz db upgrade`" in flask_run.stderr
    assert "Traceback" not in flask_run.stderr

    port = free_port()
    gunicorn = serve(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "quiz:create_app()"],
        checkout,
        port,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        **settings,
    )
    try:
        gunicorn.wait(timeout=30)
    finally:
        output = stop(gunicorn)
    assert gunicorn.returncode != 0
    assert "run `flask --app quiz db upgrade`" in output

    upgrade = subprocess.run(
        [str(BIN / "flask"), "--app", "quiz", "db", "upgrade"],
        cwd=checkout,
        env=environment(checkout, **settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert "database is up to date" in upgrade.stdout
    port = free_port()
    server = serve([str(BIN / "flask"), "--app", "quiz", "run", "--port", str(port)], checkout, port, **settings)
    try:
        wait_for_port(port, server)
        save_first_page(port)
    finally:
        stop(server)


def test_missing_tables_keep_the_answers_and_never_suggest_trying_again(tmp_path, bank):
    # Not TESTING: the error is handled as in production.
    app = create_app(
        {"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'quiz.db'}", "QUESTIONS_PATH": str(MINI_PATH)}
    )
    try:
        engine = db.make_engine(app.config["DATABASE_URL"])
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE attempts"))
        engine.dispose()
        client = app.test_client()
        response = post_page(client, 1, page_answers(bank, 1))
    finally:
        db.dispose(app)
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "not set up correctly on our side" in html
    assert not re.search(r"try again|press the button again|wait a moment", html, re.IGNORECASE)
    for qid, value in page_answers(bank, 1).items():
        assert checked_values(html, qid) == ({value} if isinstance(value, str) else set(value))
