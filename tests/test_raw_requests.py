"""What gunicorn hands the app, over real sockets: chunked bodies, forwarded headers, long URLs, logs.

The test client frames every body with a Content-Length and never passes through gunicorn, so
these run against one gunicorn server, started as deployed (gunicorn.conf.py), on SQLite.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import time
from urllib.parse import urlencode

import pytest
from conftest import csrf_token
from conftest import page_answers
from servers import HOST
from test_hostile import NAMELESS_PART
from test_serving import Browser
from test_serving import Server
from test_serving import quiz_form

from quiz import db

MAX_CONTENT_LENGTH = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    url = f"sqlite:///{folder / 'quiz.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    running = Server(
        "raw",
        folder,
        workers=1,
        DATABASE_URL=url,
        FLASK_SECRET_KEY=secrets.token_hex(32),
        FLASK_LIMIT_ANSWERS="10000 per minute",
        FLASK_LIMIT_TOKENS="10000 per minute",
    )
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def raw_request(server, method: str, path: str, headers: dict, body: bytes = b"", chunked: bool = False):
    """Send one request as bytes; (status, headers, body) of the answer."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{server.port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        pieces = [body[i : i + 1000] for i in range(0, len(body), 1000)]
        payload = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    with socket.create_connection((HOST, server.port), timeout=15) as sock:
        sock.sendall("\r\n".join(lines).encode() + b"\r\n\r\n" + payload)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, content = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answer_headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        answer_headers.setdefault(name.strip().lower(), []).append(value.strip())
    return int(status_line.split()[1]), answer_headers, content


@pytest.fixture(scope="module")
def scene(server, bank):
    """A counselor's session with a group and one finished result in it, and every POST route."""
    counselor = Browser()
    created = counselor.post(
        server,
        "/counselors",
        {"csrf_token": csrf_token(counselor.get(server, "/counselors").body), "name": "Raw cohort", "note": ""},
    )
    code = created.location.rsplit("/", 1)[1]
    client = Browser()
    join = client.get(server, f"/g/{code}")
    client.post(server, f"/g/{code}", {"csrf_token": csrf_token(join.body), "client_name": "R."})
    for step in range(1, len(bank.pages) + 1):
        finished = client.post_page(server, step, page_answers(bank, step))
    report_token = finished.location.rsplit("/", 1)[1]
    result = re.search(rf"/dashboard/{code}/results/(\d+)", counselor.get(server, f"/dashboard/{code}").body).group(1)
    routes = [f"/quiz/{step}" for step in range(1, len(bank.pages) + 1)] + [
        "/restart",
        "/counselors",
        f"/g/{code}",
        f"/r/{report_token}/delete",
        f"/dashboard/{code}/status",
        f"/dashboard/{code}/results/{result}/delete",
        f"/dashboard/{code}/delete",
    ]
    token = csrf_token(counselor.get(server, "/counselors").body)
    return routes, {"Cookie": cookie_header(counselor), "X-CSRFToken": token}


def cookie_header(browser: Browser) -> str:
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


ODD_BODIES = {
    # name: (content type, body, the answer a sized body gets)
    "multipart part without a name": ("multipart/form-data; boundary=xyz", NAMELESS_PART, 400),
    "JSON list": ("application/json", json.dumps([1, 2]).encode(), 415),
    "JSON string": ("application/json", json.dumps("x").encode(), 415),
    "form over the size limit": ("application/x-www-form-urlencoded", b"q_x=" + b"a" * MAX_CONTENT_LENGTH, 413),
    "multipart over the size limit": (
        "multipart/form-data; boundary=xyz",
        b'--xyz\r\nContent-Disposition: form-data; name="note"\r\n\r\n'
        + b"a" * MAX_CONTENT_LENGTH
        + b"\r\n--xyz--\r\n",
        413,
    ),
}


@pytest.mark.parametrize("kind", ODD_BODIES)
def test_a_chunked_body_gets_the_same_answer_as_the_same_body_with_a_length(server, scene, kind):
    routes, session = scene
    content_type, body, expected = ODD_BODIES[kind]
    answers = {}
    for route in routes:
        for chunked in (False, True):
            status, _, page = raw_request(
                server, "POST", route, session | {"Content-Type": content_type}, body, chunked
            )
            answers[route, chunked] = status
            assert b"Traceback" not in page
    assert answers == {key: expected for key in answers}, kind


def test_a_chunked_quiz_page_is_saved_like_any_other(server, bank):
    person = Browser()
    form = quiz_form(csrf_token(person.get(server, "/quiz/1").body), page_answers(bank, 1))
    headers = {"Cookie": cookie_header(person), "Content-Type": "application/x-www-form-urlencoded"}
    status, answer_headers, _ = raw_request(
        server, "POST", "/quiz/1", headers, urlencode(form, doseq=True).encode(), chunked=True
    )
    assert status == 303 and answer_headers["location"] == ["/quiz/2"]
    assert person.get(server, "/quiz/2").status == 200  # saved: the attempt has begun


def test_the_access_log_leaves_out_query_strings(server):
    marker = secrets.token_hex(4)
    assert Browser().get(server, f"/?email=a@b.example&ref={marker}").status == 200
    deadline = time.monotonic() + 5
    while '"GET / HTTP/1.1" 200' not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = server.log()
    assert '"GET / HTTP/1.1" 200' in log
    assert "a@b.example" not in log and marker not in log and "email" not in log


def test_a_forwarded_proto_header_switches_nothing_on_without_a_proxy(server):
    # FLASK_PROXY_COUNT is 0 here: nothing is in front, so a client saying "https" is not believed.
    status, headers, _ = raw_request(server, "GET", "/quiz/1", {"X-Forwarded-Proto": "https"})
    assert status == 200 and "strict-transport-security" not in headers
    assert headers["set-cookie"] and not any("Secure" in cookie for cookie in headers["set-cookie"])


def test_an_over_long_url_gets_the_apps_own_414_with_its_headers(server):
    status, headers, body = raw_request(server, "GET", "/quiz/" + "9" * 3000, {})
    assert status == 414
    assert "frame-ancestors 'none'" in headers["content-security-policy"][0]
    assert headers["x-content-type-options"] == ["nosniff"]
    assert b"That address is far too long" in body
