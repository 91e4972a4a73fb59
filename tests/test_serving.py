"""Many instances, one truth: real gunicorn servers sharing one PostgreSQL database and one Redis.

Two instances run the app exactly as deployed (gunicorn.conf.py), on different ports, with one
secret key: a quiz started on one is finished on the other, a counselor sees the result from
either, and the rate limits are counted once for both. The app refuses to start on PostgreSQL
without a secret key, and a worker killed with SIGKILL under load loses no finished result.

Each person is a `Browser`: a cookie jar over http.client. Browsers keep cookies per host, not
per port, so one jar on 127.0.0.1 is what a person switching between the instances would send.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass
from dataclasses import field
from email.message import Message
from html import unescape
from pathlib import Path

import pytest
from conftest import MINI_PATH
from conftest import POSTGRES_URL
from conftest import checked_values
from conftest import csrf_token
from conftest import page_answers
from servers import BIN
from servers import ROOT
from servers import Gunicorn
from servers import clean_env
from servers import free_port
from servers import keep_cookies
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url
from test_counselor import varied_answers

from quiz import tokens
from quiz.models import Attempt
from quiz.scoring import build_report

pytestmark = pytest.mark.postgres

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
TOKEN_LIMIT = 5  # per minute, for the token URLs (/r/, /resume/, /d/) of the pair of instances
# Connection failures a person meets when the worker serving them dies: they press the button again.
DROPPED = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine, http.client.IncompleteRead)


# --- a browser ------------------------------------------------------------------------------------


@dataclass
class Page:
    status: int
    headers: Message
    body: str

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


@dataclass
class Browser:
    cookies: dict = field(default_factory=dict)

    def request(self, server: Server, method: str, path: str, form: dict | None = None) -> Page:
        headers = {"Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            page = Page(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        keep_cookies(self.cookies, page.headers.get_all("Set-Cookie") or [])
        return page

    def get(self, server: Server, path: str) -> Page:
        return self.request(server, "GET", path)

    def post(self, server: Server, path: str, form: dict) -> Page:
        return self.request(server, "POST", path, form)

    def post_page(self, server: Server, step: int, answers: dict, action: str = "next") -> Page:
        """Open a quiz page, then send it with answers, as a person does."""
        page = self.get(server, f"/quiz/{step}")
        assert page.status == 200, (step, page.status, page.body[:300])
        return self.post(server, f"/quiz/{step}", quiz_form(csrf_token(page.body), answers, action))


def quiz_form(token: str, answers: dict, action: str = "next") -> dict:
    return {"csrf_token": token, "action": action, **{f"q_{qid}": value for qid, value in answers.items()}}


# --- servers --------------------------------------------------------------------------------------


class Server(Gunicorn):
    """One instance of the app, as deployed, that a test can wait for."""

    def __init__(self, name: str, log_dir: Path, workers: int, **settings):
        settings = {"FLASK_QUESTIONS_PATH": str(MINI_PATH), **settings}
        super().__init__(name, "quiz:create_app()", log_dir, GUNICORN_WORKERS=str(workers), **settings)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                if Browser().get(self, "/").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"{self.name} did not answer within {timeout} s:\n{self.log()[-3000:]}")


@pytest.fixture(scope="module")
def new_database(postgres_server):
    """Makes fresh PostgreSQL databases, migrated with `flask db upgrade`; drops them at the end."""
    admin = postgres_server.execution_options(isolation_level="AUTOCOMMIT")
    made = []

    def make() -> str:
        name = f"serving_{secrets.token_hex(6)}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        made.append(name)
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "quiz", "db", "upgrade"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=clean_env(DATABASE_URL=url, FLASK_SECRET_KEY="migrations-only"),
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return url

    yield make
    with admin.connect() as connection:
        for name in made:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def redis_prefix():
    """A rate-limit key prefix of our own in the shared Redis, and a way to clear only its keys."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.skip(f"Redis not reachable at {REDIS_URL} (set TEST_REDIS_URL): {error}")
    prefix = f"pcc-serving-{secrets.token_hex(6)}"

    def keys() -> list[bytes]:
        return list(client.scan_iter(match=f"*{prefix}*"))

    def clear() -> None:
        if found := keys():
            client.delete(*found)

    yield prefix, keys, clear
    clear()
    client.close()


@pytest.fixture(scope="module")
def pair(new_database, redis_prefix, tmp_path_factory):
    """Instances A and B: one database, one Redis, one secret key, two workers each."""
    url = new_database()
    prefix, _, _ = redis_prefix
    settings = {
        "DATABASE_URL": url,
        "FLASK_SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "FLASK_RATELIMIT_KEY_PREFIX": prefix,
        "FLASK_LIMIT_TOKENS": f"{TOKEN_LIMIT} per minute",
    }
    logs = tmp_path_factory.mktemp("serving")
    servers = [Server(name, logs, workers=2, **settings) for name in ("A", "B")]
    try:
        for server in servers:
            server.wait_ready()
        yield (*servers, url)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def a_b(pair, redis_prefix):
    """The pair with fresh rate-limit counters, so each test starts with the whole limit."""
    redis_prefix[2]()
    return pair


def finished_attempts(url: str) -> list[Attempt]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    select(
                        Attempt.token_hash, Attempt.answers, Attempt.report, Attempt.client_name, Attempt.option_seed
                    )
                    .where(Attempt.finished_at.is_not(None))
                    .order_by(Attempt.id)
                )
            )
    finally:
        engine.dispose()


# --- tests ----------------------------------------------------------------------------------------


def test_a_quiz_started_on_one_instance_is_continued_and_finished_on_the_other(a_b, bank):
    a, b, url = a_b
    person = Browser()
    answers = {}
    for step in (1, 2):
        answers |= page_answers(bank, step)
        response = person.post_page(a, step, page_answers(bank, step))
        assert response.status == 303 and response.location == f"/quiz/{step + 1}"
    page_3 = person.get(a, "/quiz/3").body
    link = re.search(rf'href="http://127\.0\.0\.1:{a.port}(/resume/([A-Za-z0-9_-]{{43}}))"', page_3)
    assert link, "page 3 on A has no continue-later link"
    resume_path, token = link.groups()

    # The continue-later link from A, opened on B in a browser that has never seen either.
    phone = Browser()
    resumed = phone.get(b, resume_path)
    assert resumed.status == 303 and resumed.location == "/quiz/3"
    assert resumed.headers["Cache-Control"] == "no-store"
    page_2 = phone.get(b, "/quiz/2").body
    for qid, value in page_answers(bank, 2).items():
        assert checked_values(page_2, qid) == ({value} if isinstance(value, str) else set(value)), qid

    # The same browser carries on on B and finishes there.
    for step in range(3, len(bank.pages) + 1):
        answers |= page_answers(bank, step)
        response = person.post_page(b, step, page_answers(bank, step))
        assert response.status == 303, (step, response.status, response.body[:300])
    assert response.location == f"/r/{token}"

    [row] = [row for row in finished_attempts(url) if row.token_hash == tokens.token_hash(token)]
    expected = build_report(bank, answers, option_seed=row.option_seed)
    for server in (a, b):
        report = person.get(server, f"/r/{token}")
        assert report.status == 200 and f"<h1>{expected['band']['label']}</h1>" in unescape(report.body)
    assert phone.get(b, resume_path).location == f"/r/{token}"  # finished: the link now opens the report

    assert row.answers == answers and row.report == expected


def test_a_counselor_on_either_instance_sees_a_result_finished_on_the_other(a_b, bank):
    a, b, url = a_b
    counselor = Browser()
    start = counselor.get(a, "/counselors")
    created = counselor.post(
        a,
        "/counselors",
        {
            "csrf_token": csrf_token(start.body),
            "name": f"Northside evening class {secrets.token_hex(3)}",
            "note": "",
        },
    )
    assert created.status == 303 and created.location.startswith("/dashboard/")
    dashboard = counselor.get(a, created.location).body
    code = re.search(rf"http://127\.0\.0\.1:{a.port}/g/([A-Z0-9]{{4}}-[A-Z0-9]{{4}})", dashboard).group(1)
    private_link = re.search(rf"http://127\.0\.0\.1:{a.port}(/d/[A-Za-z0-9_-]{{43}})", dashboard).group(1)

    client = Browser()
    join = client.get(b, f"/g/{code}")
    assert join.status == 200
    joined = client.post(b, f"/g/{code}", {"csrf_token": csrf_token(join.body), "client_name": "Rosa M."})
    assert joined.status == 303 and joined.location == "/quiz/1"
    answers = {}
    for step in range(1, len(bank.pages) + 1):
        answers |= varied_answers(bank, step)
        assert client.post_page(b, step, varied_answers(bank, step)).status == 303
    band = build_report(bank, answers)["band"]["label"]

    # The counselor's own session (from A) on B, and the private link opened fresh on B, then on A.
    elsewhere = Browser()
    exchanged = elsewhere.get(b, private_link)
    assert exchanged.status == 303 and exchanged.location == f"/dashboard/{code}"
    for browser, server in [(counselor, b), (counselor, a), (elsewhere, b), (elsewhere, a)]:
        page = browser.get(server, f"/dashboard/{code}")
        html = unescape(page.body)
        assert page.status == 200, (server.name, page.status)
        assert "Rosa M." in html and band in html, server.name
    assert [row.client_name for row in finished_attempts(url) if row.answers == answers] == ["Rosa M."]


def test_the_rate_limit_is_counted_once_across_instances(a_b, redis_prefix):
    a, b, _ = a_b
    _, redis_keys, _ = redis_prefix
    person = Browser()
    bogus = f"/r/{'Q' * 43}"
    # Alternating A, B, A, ...: per-instance counting would allow twice the limit, per worker four times.
    statuses = [person.get((a, b)[i % 2], bogus).status for i in range(TOKEN_LIMIT)]
    assert statuses == [404] * TOKEN_LIMIT
    assert redis_keys(), "no rate-limit counter in Redis: the instances are counting on their own"
    for server in (a, b, a, b):
        limited = person.get(server, bogus)
        assert limited.status == 429, (server.name, limited.status)
        assert "Please slow down" in limited.body and "Wait a minute and try again" in limited.body
        assert int(limited.headers["Retry-After"]) <= 60
    # Another route has its own counter: the quiz itself is not held up by link guessing.
    assert person.get(b, "/quiz/1").status == 200


def test_the_app_refuses_to_start_on_postgresql_without_a_secret_key():
    url = make_url(POSTGRES_URL).render_as_string(hide_password=False)
    port = free_port()
    commands = {
        "flask": ([str(BIN / "flask"), "--app", "quiz", "routes"], clean_env(DATABASE_URL=url)),
        "flask, empty key": (
            [str(BIN / "flask"), "--app", "quiz", "routes"],
            clean_env(DATABASE_URL=url, FLASK_SECRET_KEY=""),
        ),
        "gunicorn": (
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "quiz:create_app()"],
            clean_env(DATABASE_URL=url, GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1"),
        ),
    }
    running = {
        name: subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, (command, env) in commands.items()
    }
    outputs = {}
    try:
        for name, process in running.items():
            try:
                outputs[name], _ = process.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{name} started without a secret key")
            assert process.returncode != 0, name
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    for name, output in outputs.items():
        assert "set FLASK_SECRET_KEY: it is required when DATABASE_URL is not SQLite" in output, (name, output[-2000:])
        if name.startswith("flask"):  # a command-line error, not a traceback
            assert output.strip() == "Error: set FLASK_SECRET_KEY: it is required when DATABASE_URL is not SQLite"
    assert "Reason: Worker failed to boot." in outputs["gunicorn"]  # gunicorn's master gives up at once


def test_a_worker_killed_under_load_loses_no_finished_result(new_database, bank, tmp_path):
    url = new_database()
    server = Server(
        "kill",
        tmp_path,
        workers=2,
        DATABASE_URL=url,
        FLASK_SECRET_KEY=secrets.token_hex(32),
        # One address sends everyone here: the per-address limits are not what is tested.
        FLASK_LIMIT_ANSWERS="100000 per minute",
        FLASK_LIMIT_TOKENS="100000 per minute",
    )
    people = 30
    steps = len(bank.pages)
    progress = {"posts": 0, "dropped": 0}
    lock = threading.Lock()
    outcomes: dict[int, dict] = {}
    problems: list[str] = []

    def again(send):
        """A request, sent again while the connection drops, as a person presses the button again."""
        for _ in range(50):
            try:
                return send()
            except DROPPED:
                with lock:
                    progress["dropped"] += 1
                time.sleep(0.05)
        raise AssertionError("the server never answered")

    def person(number: int) -> None:
        browser = Browser()
        answer = page_answers if number % 2 else varied_answers
        answers = {}
        try:
            for step in range(1, steps + 1):
                page = again(lambda step=step: browser.get(server, f"/quiz/{step}"))
                if page.status != 200:
                    problems.append(f"person {number}: GET /quiz/{step} gave {page.status}")
                    return
                form = quiz_form(csrf_token(page.body), answer(bank, step))
                sent = again(lambda step=step, form=form: browser.post(server, f"/quiz/{step}", form))
                with lock:
                    progress["posts"] += 1
                answers |= answer(bank, step)
                expected = f"/quiz/{step + 1}" if step < steps else None
                if sent.status != 303 or (expected and sent.location != expected):
                    problems.append(f"person {number}: POST /quiz/{step} gave {sent.status} {sent.location}")
                    return
            if re.fullmatch(r"/r/[A-Za-z0-9_-]{43}", sent.location or ""):
                outcomes[number] = {"token": sent.location[3:], "answers": answers}
            else:
                problems.append(f"person {number}: the last page led to {sent.location}")
        except Exception as error:  # noqa: BLE001 - reported below with the others
            problems.append(f"person {number}: {error!r}")

    def wait_for(posts: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while progress["posts"] < posts and time.monotonic() < deadline:
            time.sleep(0.01)

    try:
        server.wait_ready()
        # One worker answering does not mean the master has forked the other yet, on a busy machine.
        deadline = time.monotonic() + 10
        while len(original := server.worker_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(original) == 2
        crowd = [threading.Thread(target=person, args=(n,)) for n in range(people)]
        for thread in crowd:
            thread.start()
        killed = []
        for share in (0.3, 0.65):  # one worker at a third of the way, the other near two thirds
            wait_for(int(people * steps * share))
            victim = min(original - set(killed))
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
        for thread in crowd:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in crowd), "some people never finished"

        assert problems == []
        assert progress["dropped"] > 0, "the kills hit no request in flight: nothing was tested"
        assert f"Worker (pid:{killed[0]}) was sent SIGKILL" in server.log()
        replaced = server.worker_pids()
        assert len(replaced) == 2 and not replaced & set(killed), "the master did not replace the killed workers"

        # Every person who was sent to a report has exactly one finished result, complete and readable.
        assert len(outcomes) == people
        rows = finished_attempts(url)
        by_hash = {row.token_hash: row for row in rows}
        assert len(by_hash) == len(rows) == people, f"{len(rows)} finished results for {people} people"
        for outcome in outcomes.values():
            row = by_hash[tokens.token_hash(outcome["token"])]
            assert row.answers == outcome["answers"]
            assert row.report == build_report(bank, outcome["answers"], option_seed=row.option_seed)
        checker = Browser()
        for outcome in list(outcomes.values())[:5]:
            assert checker.get(server, f"/r/{outcome['token']}").status == 200

        # Nothing corrupt: PostgreSQL's own checks of every table and index, and ordinary queries.
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
                for table in ("attempts", "groups", "bank_versions"):
                    damage = connection.execute(text("SELECT count(*) FROM verify_heapam(:t)"), {"t": table}).scalar()
                    assert damage == 0, table
                indexes = (
                    connection.execute(
                        text(
                            "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                            "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am am ON am.oid = c.relam "
                            "WHERE t.relname IN ('attempts', 'groups', 'bank_versions') AND am.amname = 'btree'"
                        )
                    )
                    .scalars()
                    .all()
                )
                assert len(indexes) >= 5
                for index in indexes:
                    connection.execute(text("SELECT bt_index_check(:i, true)"), {"i": index})
                unfinished = connection.execute(
                    text("SELECT count(*) FROM attempts WHERE finished_at IS NULL")
                ).scalar()
                assert connection.execute(text("SELECT count(*) FROM attempts")).scalar() == people + unfinished
        finally:
            engine.dispose()
        print(
            f"\n{progress['dropped']} requests dropped by the killed workers and sent again; "
            f"{unfinished} unfinished attempts left by first pages sent twice"
        )
    finally:
        server.stop()
