"""Faults: the database going away mid-quiz and coming back, a database that stops answering,
and Redis down for rate limiting.

The outage test uses a PostgreSQL database of its own, made unreachable the way an outage looks
to the app: no new connections allowed and every open one cut. The stall tests run gunicorn as
deployed, on SQLite and PostgreSQL, and stall the database under it (tests/proxy.py).
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import threading
import time

import pytest
from conftest import POSTGRES_URL
from conftest import checked_values
from conftest import csrf_token
from conftest import migrate
from conftest import page_answers
from conftest import post_page
from proxy import Proxy
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy.engine import make_url
from test_serving import Browser
from test_serving import Page
from test_serving import Server
from test_serving import quiz_form

from quiz import create_app
from quiz import db
from quiz import limits
from quiz import live_bank
from quiz.models import Attempt

NOT_SAVED = "We could not save this page just now. Your answers are still here"


@pytest.fixture
def outage_database(postgres_server):
    """A fresh PostgreSQL database and a switch that makes it unreachable and reachable again."""
    name = f"faults_{secrets.token_hex(6)}"
    admin = postgres_server.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def reachable(allowed: bool) -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            if not allowed:
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )

    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url, reachable
    with admin.connect() as connection:
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


def stored_answers(url: str) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Attempt.answers).order_by(Attempt.id)))
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_page_posted_while_the_database_is_down_keeps_its_answers_and_saves_once_it_is_back(outage_database):
    url, reachable = outage_database
    # Not TESTING: errors are handled exactly as in production, never propagated to the test.
    migrate(url)
    app = create_app({"SECRET_KEY": "faults-secret", "DATABASE_URL": url, "RATELIMIT_ENABLED": False})
    try:
        client = app.test_client()
        bank = live_bank.of(app).current()
        first, second = page_answers(bank, 1), page_answers(bank, 2)
        assert post_page(client, 1, first).status_code == 303
        token = csrf_token(client.get("/quiz/2").get_data(as_text=True))

        reachable(False)
        response = post_page(client, 2, second, token=token)
        html = response.get_data(as_text=True)
        assert response.status_code == 503, html[:500]
        assert NOT_SAVED in html and "Traceback" not in html
        assert response.headers["Cache-Control"] == "no-store"
        for qid, value in second.items():
            assert checked_values(html, qid) == ({value} if isinstance(value, str) else set(value)), qid

        for path in ["/", "/quiz/3", "/report", f"/r/{'x' * 43}"]:
            down = client.get(path)
            text = down.get_data(as_text=True)
            assert down.status_code == 503, (path, down.status_code)
            assert "We are briefly unavailable" in text and "Traceback" not in text, path
        form = csrf_token(client.get("/counselors").get_data(as_text=True))  # no database needed
        down = client.post("/counselors", data={"csrf_token": form, "name": "Evening class"})
        assert down.status_code == 503 and "We are briefly unavailable" in down.get_data(as_text=True)

        reachable(True)
        # The person presses the button again on the page they were shown, with its own token.
        again = post_page(client, 2, second, token=csrf_token(html))
        assert again.status_code == 303 and again.headers["Location"] == "/quiz/3"
        assert stored_answers(url) == [first | second]
        assert client.get("/quiz/3").status_code == 200
    finally:
        db.dispose(app)


def test_rate_limits_fall_back_to_memory_per_process_when_redis_is_down(tmp_path, caplog):
    app = create_app(
        {
            "SECRET_KEY": "faults-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'quiz.db'}",
            # Nothing listens on port 1: every Redis call fails at once.
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1",
            "LIMIT_TOKENS": "4 per minute",
        }
    )
    try:
        client = app.test_client()
        bank = live_bank.of(app).current()
        statuses = [client.get("/").status_code]
        for step in range(1, len(bank.pages) + 1):
            response = post_page(client, step, page_answers(bank, step))
            statuses.append(response.status_code)
        report_url = response.headers["Location"]
        assert report_url.startswith("/r/")
        assert client.get(report_url).status_code == 200
        statuses += [client.get(f"/r/{'x' * 43}").status_code for _ in range(3)]  # 4 token URLs so far
        assert all(status < 500 for status in statuses), statuses
        assert statuses[-3:] == [404, 404, 404]

        limited = client.get(f"/r/{'x' * 43}")
        assert limited.status_code == 429
        assert "Please slow down" in limited.get_data(as_text=True)
        assert client.get(report_url).status_code == 429  # the limit is per address, all token URLs of /r/
        assert client.get("/quiz/1").status_code in (200, 303)  # other pages are not held up
        assert "falling back to in-memory storage" in caplog.text  # Redis was tried, and failed
    finally:
        db.dispose(app)
        # The Limiter is one object per process: leave it as the next test's app expects it.
        limits.limiter._storage_dead = False


# --- a database that stops answering, behind gunicorn ---------------------------------------------

STATIC = ["/static/css/site.css", "/static/js/print.js"]
STALL_TIMEOUT = 1  # FLASK_DATABASE_TIMEOUT for the server under test, in seconds
# The slowest way to a 503 on PostgreSQL: a pooled connection's ping waits its bound (timeout + 1 s),
# then a new connection its connect_timeout (at least 2 s).
SLOWEST_503 = (STALL_TIMEOUT + 1) + 2
THREADS = 2  # one worker of two threads, all held by as many database requests
# Every request is answered within the slowest 503 (static files wait for a thread at most that
# long), and a margin for a loaded machine. Without bounds, not one is ever answered.
ANSWER_WITHIN = SLOWEST_503 + 3


@pytest.fixture
def stallable_server(database_url, tmp_path):
    """gunicorn on the test database, and a switch that stalls it: on PostgreSQL a proxy that stops
    forwarding and keeps every socket open; on SQLite another process holding the write lock."""
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    engine.dispose()
    proxy = None
    served = database_url
    if database_url.startswith("postgresql"):
        target = make_url(database_url)
        proxy = Proxy(target.host, target.port or 5432)
        served = target.set(port=proxy.port).render_as_string(hide_password=False)
    server = Server(
        "stall",
        tmp_path,
        workers=1,
        GUNICORN_THREADS=str(THREADS),
        DATABASE_URL=served,
        FLASK_SECRET_KEY=secrets.token_hex(32),
        FLASK_DATABASE_TIMEOUT=str(STALL_TIMEOUT),
        FLASK_LIMIT_ANSWERS="10000 per minute",
    )
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None) if proxy is None else None

    def stall(stalled: bool) -> None:
        if proxy is not None:
            proxy.stall() if stalled else proxy.forward()
        elif stalled:
            holder.execute("BEGIN EXCLUSIVE")
        else:
            holder.execute("COMMIT")

    try:
        server.wait_ready()
        yield server, stall
    finally:
        server.stop()
        if proxy is not None:
            proxy.close()
        if holder is not None:
            holder.close()


def timed(send) -> tuple[float, object]:
    started = time.monotonic()
    try:
        result = send()
    except OSError as error:  # no answer at all within the client's own timeout
        result = error
    return time.monotonic() - started, result


def test_a_stalled_database_gives_the_friendly_503_within_seconds_and_static_files_still_load(
    stallable_server, bank, database_url
):
    server, stall = stallable_server
    person = Browser()
    first, second = page_answers(bank, 1), page_answers(bank, 2)
    assert person.post_page(server, 1, first).status == 303
    form = quiz_form(csrf_token(person.get(server, "/quiz/2").body), second)

    stall(True)
    try:
        jobs = [lambda: person.post(server, "/quiz/2", form)]
        jobs += [lambda: Browser(dict(person.cookies)).get(server, "/quiz/3") for _ in range(THREADS - 1)]
        jobs += [lambda path=path: Browser().get(server, path) for path in STATIC * THREADS]
        results: list = [None] * len(jobs)
        threads = [
            threading.Thread(target=lambda i=i: results.__setitem__(i, timed(jobs[i]))) for i in range(len(jobs))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stall(False)

    slow = [
        (i, round(seconds, 1), getattr(page, "status", page))
        for i, (seconds, page) in enumerate(results)
        if seconds > ANSWER_WITHIN or not isinstance(page, Page)
    ]
    assert slow == [], f"no answer within {ANSWER_WITHIN} s (job, seconds, answer): {slow}"
    saved, *reads = [page for _, page in results[:THREADS]]
    assert saved.status == 503, saved.body[:300]
    assert NOT_SAVED in saved.body and saved.headers["Cache-Control"] == "no-store"
    for qid, value in second.items():
        assert checked_values(saved.body, qid) == ({value} if isinstance(value, str) else set(value)), qid
    # Reading needs no lock on SQLite (WAL): only PostgreSQL's reads are stalled too.
    expected_read = 503 if database_url.startswith("postgresql") else 200
    assert [page.status for page in reads] == [expected_read] * len(reads)
    assert all("We are briefly unavailable" in page.body for page in reads if page.status == 503)
    assert [page.status for _, page in results[THREADS:]] == [200] * len(STATIC) * THREADS

    # Back to normal: the same page sent again, with the token of the page shown, is saved.
    again = person.post(server, "/quiz/2", quiz_form(csrf_token(saved.body), second))
    assert again.status == 303 and again.location == "/quiz/3", again.body[:300]
    assert person.get(server, "/quiz/3").status == 200


def test_redis_going_away_and_coming_back_is_logged_once_each(tmp_path, caplog):
    redis_url = make_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379"))
    proxy = Proxy(redis_url.host, redis_url.port or 6379)
    app = create_app(
        {
            "SECRET_KEY": "faults-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'quiz.db'}",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{proxy.port}",
            "RATELIMIT_KEY_PREFIX": f"pcc-faults-{secrets.token_hex(6)}",
            "LIMIT_TOKENS": "1000 per minute",
        }
    )
    gone, back = "rate limits: the storage (RATELIMIT_STORAGE_URI) is unreachable", "the storage is reachable again"
    try:
        db.upgrade(app.extensions["quiz_db"]["engine"])
        client = app.test_client()
        bogus = f"/r/{'x' * 43}"
        with caplog.at_level(logging.INFO):
            assert client.get(bogus).status_code == 404  # counted in Redis
            proxy.refuse()
            assert [client.get(bogus).status_code for _ in range(5)] == [404] * 5
            assert caplog.text.count(gone) == 1, caplog.text
            proxy.forward()
            # Flask-Limiter waits 1, 2, 4 ... seconds between looks at a storage that is down; make
            # the next look due now rather than wait for it.
            limits.limiter._Limiter__last_check_backend = 0
            deadline = time.monotonic() + 40
            while back not in caplog.text and time.monotonic() < deadline:
                assert client.get(bogus).status_code == 404
                time.sleep(0.25)
            assert [client.get(bogus).status_code for _ in range(3)] == [404] * 3
        assert caplog.text.count(gone) == 1 and caplog.text.count(back) == 1, caplog.text
        assert not limits.limiter._storage_dead
    finally:
        db.dispose(app)
        proxy.close()
        limits.limiter._storage_dead = False
