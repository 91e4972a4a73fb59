"""Faults: the database going away mid-quiz and coming back, and Redis down for rate limiting.

The database test uses a PostgreSQL database of its own, made unreachable the way an outage
looks to the app: no new connections allowed and every open one cut.
"""
from __future__ import annotations

import secrets

import pytest
from conftest import POSTGRES_URL
from conftest import csrf_token
from conftest import migrate
from conftest import page_answers
from conftest import post_page
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy.engine import make_url
from test_views import checked_values

from quiz import create_app
from quiz import db
from quiz import limits
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
        bank = app.extensions["quiz_banks"].current()
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
    app = create_app({
        "SECRET_KEY": "faults-secret", "DATABASE_URL": f"sqlite:///{tmp_path / 'quiz.db'}",
        # Nothing listens on port 1: every Redis call fails at once.
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1",
        "LIMIT_TOKENS": "4 per minute",
    })
    try:
        client = app.test_client()
        bank = app.extensions["quiz_banks"].current()
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
