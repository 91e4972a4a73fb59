"""Headers, cookies, request limits, rate limits and token-free logs."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from types import SimpleNamespace

import pytest
from conftest import csrf_token
from conftest import page_answers
from conftest import post_page
from gunicorn.config import Config
from limits.storage import MemoryStorage

from quiz import create_app
from quiz import db
from quiz import live_bank
from quiz import records
from quiz.limits import SweptMemoryStorage
from quiz.limits import limiter
from quiz.serving import RedactingGunicornLogger


@pytest.fixture
def limited(tmp_path):
    """An app with rate limits on and set low, behind one proxy, on SQLite."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}",
            "LIMIT_TOKENS": "3 per minute",
            "LIMIT_ANSWERS": "4 per minute",
            "LIMIT_GROUPS": "2 per hour",
            "LIMIT_CODES": "3 per minute",
            "PROXY_COUNT": 1,
        }
    )
    yield app
    db.dispose(app)


def test_security_headers_on_every_kind_of_response(client):
    for url in ["/", "/quiz/1", "/counselors", "/nowhere", "/static/css/site.css"]:
        with client.get(url) as response:
            assert response.headers["X-Content-Type-Options"] == "nosniff", url
            assert response.headers["Referrer-Policy"] == "same-origin", url
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
            assert "Strict-Transport-Security" not in response.headers, url


def test_hsts_and_secure_cookie_only_over_https(limited):
    client = limited.test_client()
    bank = live_bank.of(limited).current()
    plain = post_page(client, 1, page_answers(bank, 1))
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    secure = limited.test_client()
    headers = {"X-Forwarded-Proto": "https"}
    page = secure.get("/quiz/1", headers=headers)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "action": "next"}
    data |= {f"q_{k}": v for k, v in page_answers(bank, 1).items()}
    response = secure.post("/quiz/1", data=data, headers=headers | {"Referer": "https://localhost/quiz/1"})
    assert response.status_code == 303
    assert "Secure" in response.headers["Set-Cookie"]


def test_token_urls_are_rate_limited_with_a_friendly_page(limited):
    client = limited.test_client()
    statuses = [client.get(f"/r/{'x' * 43}").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    page = client.get("/resume/whatever")
    assert page.status_code == 429 and "Please slow down" in page.get_data(as_text=True)
    assert 1 <= int(page.headers["Retry-After"]) <= 60  # the window is a minute
    assert not any(name.startswith("X-RateLimit") for name in page.headers.keys())
    # Limits are per client address, taken from the proxy's X-Forwarded-For.
    assert client.get("/r/abc", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404


def test_answer_posts_and_group_creation_are_rate_limited(limited):
    client = limited.test_client()
    bank = live_bank.of(limited).current()
    statuses = [post_page(client, 1, page_answers(bank, 1)).status_code for _ in range(5)]
    assert statuses == [303, 303, 303, 303, 429]
    assert client.get("/quiz/1").status_code == 200  # reading is not limited
    token = csrf_token(client.get("/counselors").get_data(as_text=True))
    created = [client.post("/counselors", data={"csrf_token": token, "name": "G"}).status_code for _ in range(3)]
    assert created == [303, 303, 429]


def test_rate_limits_count_in_memory_without_starting_a_thread_per_count(limited, monkeypatch):
    assert isinstance(limiter.storage, SweptMemoryStorage)  # the default on one host
    # What SweptMemoryStorage replaces and calls: should limits rename them, this says so.
    assert {"_MemoryStorage__schedule_expiry", "_MemoryStorage__expire_events"} <= set(vars(MemoryStorage))
    timers = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: timers.append(timer))
    client = limited.test_client()
    bank = live_bank.of(limited).current()
    assert [post_page(client, 1, page_answers(bank, 1)).status_code for _ in range(5)][-1] == 429
    assert timers == [], "limits' own memory storage starts a threading.Timer after a count"


def test_the_memory_storage_forgets_expired_counts_at_its_sweep():
    storage = SweptMemoryStorage()
    storage.incr("old", expiry=0.01)
    time.sleep(0.02)
    storage.incr("new", expiry=60)
    assert "old" in storage.storage, "swept before its minute is up"
    storage._next_sweep = 0.0
    storage.incr("new", expiry=60)
    assert "old" not in storage.storage and storage.get("new") == 2


def test_oversized_request_gets_a_friendly_413(client):
    response = client.post("/quiz/1", data={"q_education": "x" * 200_000})
    assert response.status_code == 413
    assert "more than we can accept" in response.get_data(as_text=True)


def test_wrong_method_gets_a_friendly_405(client):
    response = client.post("/")
    assert response.status_code == 405 and "cannot be used that way" in response.get_data(as_text=True)


def test_app_logs_never_carry_tokens(app, caplog):
    token = "s3cretT0kenValue_-abcdefghijklmnopqrstuvwxy"
    with caplog.at_level(logging.ERROR):
        app.logger.error("Exception on /r/%s [GET] after /resume/%s", token, token)
    assert token not in caplog.text and "/r/[token]" in caplog.text and "/resume/[token]" in caplog.text


def test_gunicorn_access_log_lines_carry_no_tokens(capsys):
    token = "s3cretT0kenValue_-abcdefghijklmnopqrstuvwxy"
    config = Config()
    config.set("accesslog", "-")
    # Every atom that can hold a URL: request line, path, referrer, a response header.
    config.set("access_log_format", '"%(r)s" %(U)s "%(f)s" %({location}o)s %(s)s')
    logger = RedactingGunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/d/{token}",
        "PATH_INFO": f"/d/{token}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
        "HTTP_REFERER": f"https://x/r/{token}",
    }
    response = SimpleNamespace(status="303 SEE OTHER", sent=0, headers=[("Location", f"/resume/{token}")])
    logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=0))
    line = capsys.readouterr().out.strip()
    assert line == '"GET /d/[token] HTTP/1.1" /d/[token] "https://x/r/[token]" /resume/[token] 303'


def test_group_code_guesses_are_rate_limited_and_the_real_link_is_not(limited):
    with limited.app_context(), db.writing() as write:
        code = records.create_group(write, "Evening class", "")[0].code
    client = limited.test_client()
    # A whole class opening the real link from behind one router: hits count nothing.
    assert [client.get(f"/g/{code}").status_code for _ in range(6)] == [200] * 6
    guesses = [client.get(f"/g/ZZZZ-ZZ{n}Z").status_code for n in range(2, 5)]
    guesses.append(client.head("/g/ZZZZ-ZZ5Z").status_code)
    assert guesses == [404, 404, 404, 429]
    page = client.get(f"/g/{code}")  # once over the limit, a guess that hits tells nothing either
    assert page.status_code == 429 and "Please slow down" in page.get_data(as_text=True)
    assert client.get(f"/g/{code}", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200


def test_links_carry_only_a_trusted_host(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_TRUSTED_HOSTS", "quiz.example.org, localhost")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}",
            "RATELIMIT_ENABLED": False,
        }
    )
    try:
        db.upgrade(app.extensions["quiz_db"]["engine"])
        client = app.test_client()
        bank = live_bank.of(app).current()
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
        page = client.get("/quiz/1", headers={"Host": "quiz.example.org"})
        data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "action": "next"}
        data |= {f"q_{k}": v for k, v in page_answers(bank, 1).items()}
        assert client.post("/quiz/1", data=data, headers={"Host": "quiz.example.org"}).status_code == 303
        html = client.get("/quiz/2", headers={"Host": "quiz.example.org"}).get_data(as_text=True)
        assert "http://quiz.example.org/resume/" in html
        assert client.get("/quiz/2", headers={"Host": "evil.example"}).status_code == 400
    finally:
        db.dispose(app)


def test_every_redirect_to_a_report_is_kept_out_of_caches(client, bank):
    for step in range(1, len(bank.pages)):
        assert post_page(client, step, page_answers(bank, step)).status_code == 303
    last = post_page(client, len(bank.pages), page_answers(bank, len(bank.pages)))
    redirects = [last, client.get("/report"), client.get("/quiz/1")]  # finished: a quiz page leads to the report
    for response in redirects:
        assert response.status_code in (302, 303) and response.headers["Location"].startswith("/r/")
        assert response.headers["Cache-Control"] == "no-store", response.request.path
