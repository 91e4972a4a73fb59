"""The shipped deployment, run: nginx with deploy/nginx/pcc-quiz.conf in front of gunicorn started
the way deploy/systemd/pcc-quiz.service starts it, all on loopback.

Both files are used as shipped but for their ports and paths. TLS: the test makes a self-signed
certificate for 127.0.0.1 with openssl and puts it where the site file has its placeholders, so
the HTTPS server block itself answers every request, and the client checks that certificate.
Clients connect from different loopback addresses (127.0.0.2, 127.0.0.3, ...), as different people
would, to see which address the app's rate limits count.
"""

from __future__ import annotations

import getpass
import gzip
import http.client
import os
import re
import shlex
import shutil
import signal
import ssl
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from conftest import MINI_PATH
from conftest import csrf_token
from conftest import page_answers
from servers import BIN
from servers import HOST
from servers import ROOT
from servers import clean_env
from servers import free_port
from servers import keep_cookies
from test_serving import quiz_form

from quiz import create_app
from quiz import db
from quiz.files import STATIC

DEPLOY = ROOT / "deploy"
TOKEN_LIMIT = 3  # per minute, for the private-link URLs
SECURITY_HEADERS = [
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Strict-Transport-Security",
]


def program(name: str) -> str:
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if not found:
        pytest.skip(
            f"{name} is not installed, so the deployment tests are skipped: sudo apt-get install {name} "
            "(make test installs it when run as root)"
        )
    return found


def replaced(text: str, replacements: dict[str, str]) -> str:
    """The shipped text with each placeholder replaced; every one must be there to replace."""
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in the shipped file: update tests/test_deploy.py"
        text = text.replace(old, new)
    return text


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's settings, each key with every value it is given."""
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def here(text: str, state: Path) -> str:
    """A unit's paths on a server, as they are in this test: the checkout, its .venv, the state."""
    for old, new in {
        "/srv/pcc-quiz/.venv/bin/": f"{BIN}/",
        "/srv/pcc-quiz/": f"{ROOT}/",
        "/var/lib/pcc-quiz": str(state),
    }.items():
        text = text.replace(old, new)
    return text


def unit_command(name: str, state: Path) -> tuple[list[str], dict[str, str]]:
    """A unit's ExecStart and its Environment= settings, with this test's paths."""
    settings = unit(name)
    [command] = settings["ExecStart"]
    environment = {}
    for line in settings.get("Environment", []):
        for assignment in shlex.split(line):
            key, value = assignment.split("=", 1)
            environment[key] = here(value, state)
    return shlex.split(here(command, state)), environment


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Site:
    https_port: int
    http_port: int
    tls: ssl.SSLContext
    state: Path
    settings: dict[str, str]
    body_limit: int
    logs: Path

    def fetch(
        self,
        path: str,
        method: str = "GET",
        headers: dict | None = None,
        body: bytes | str | None = None,
        source: str = "127.0.0.4",
        tls: bool = True,
    ) -> Response:
        if tls:
            connection = http.client.HTTPSConnection(
                HOST, self.https_port, context=self.tls, source_address=(source, 0), timeout=30
            )
        else:
            connection = http.client.HTTPConnection(HOST, self.http_port, source_address=(source, 0), timeout=30)
        try:
            connection.request(method, path, body, headers or {})
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()


def wait_until(check, what: str, logs: dict[subprocess.Popen, Path], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process, log in logs.items():
            if process.poll() is not None:
                pytest.fail(f"{what}: {process.args[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"{what} did not happen within {timeout} s:\n" + "\n".join(log.read_text()[-2000:] for log in logs.values())
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    nginx = program("nginx")
    openssl = program("openssl")
    home = tmp_path_factory.mktemp("deploy")
    state = home / "state"
    state.mkdir()

    # The app's limit and its database, as `flask db upgrade` makes it.
    url = f"sqlite:///{state / 'quiz.db'}"
    app = create_app({"SECRET_KEY": "migrations-only", "DATABASE_URL": url})
    db.upgrade(app.extensions["quiz_db"]["engine"])
    db.dispose(app)

    cert, key = home / "cert.pem", home / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=IP:{HOST}",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )

    gunicorn_port, https_port, http_port = free_port(), free_port(), free_port()
    command, environment = unit_command("pcc-quiz.service", state)
    settings = environment | {
        "GUNICORN_BIND": f"{HOST}:{gunicorn_port}",
        "GUNICORN_WORKERS": "1",  # one worker: one in-memory limit store
        "DATABASE_URL": url,
        "FLASK_SECRET_KEY": "deploy-test",
        "FLASK_LIMIT_TOKENS": f"{TOKEN_LIMIT} per minute",
        "FLASK_QUESTIONS_PATH": str(MINI_PATH),  # the test bank, like the other serving tests
    }
    [working_directory] = unit("pcc-quiz.service")["WorkingDirectory"]

    conf_path = re.search(r"--conf-path=(\S+)", subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr)
    site_file = replaced(
        (DEPLOY / "nginx" / "pcc-quiz.conf").read_text(),
        {
            "listen 80;": f"listen {HOST}:{http_port};",
            "listen [::]:80;": "",
            "listen 443 ssl http2;": f"listen {HOST}:{https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            "server 127.0.0.1:8000;": f"server {HOST}:{gunicorn_port};",
            "/etc/letsencrypt/live/quiz.example.org/fullchain.pem": str(cert),
            "/etc/letsencrypt/live/quiz.example.org/privkey.pem": str(key),
            "/srv/pcc-quiz/": f"{ROOT}/",
        },
    )
    (home / "pcc-quiz.conf").write_text(site_file)
    # What /etc/nginx/nginx.conf gives a site on Debian, in this test's own directory.
    (home / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
{"user " + getpass.getuser() + ";" if os.geteuid() == 0 else ""}
pid {home}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    include {Path(conf_path.group(1)).parent}/mime.types;
    default_type application/octet-stream;
    access_log {home}/access.log;
    client_body_temp_path {home}/body;
    proxy_temp_path {home}/proxy;
    fastcgi_temp_path {home}/fastcgi;
    uwsgi_temp_path {home}/uwsgi;
    scgi_temp_path {home}/scgi;
    include {home}/pcc-quiz.conf;
}}
""")

    with open(home / "gunicorn.log", "wb") as log:
        gunicorn = subprocess.Popen(
            command,
            cwd=here(working_directory, state),
            env=clean_env(**settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with open(home / "nginx.log", "wb") as log:
        nginx_process = subprocess.Popen(
            [nginx, "-p", str(home), "-e", str(home / "error.log"), "-c", str(home / "nginx.conf")],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    tls = ssl.create_default_context(cafile=str(cert))
    running = Site(https_port, http_port, tls, state, settings, app.config["MAX_CONTENT_LENGTH"], home)
    try:
        wait_until(
            lambda: running.fetch("/").status == 200,
            "the quiz answering through nginx",
            {gunicorn: home / "gunicorn.log", nginx_process: home / "nginx.log"},
        )
        yield running
    finally:
        stop(nginx_process)
        stop(gunicorn)


def security_headers_of(response: Response) -> dict[str, list[str]]:
    return {name: response.headers.get_all(name) or [] for name in SECURITY_HEADERS}


# --- tests ----------------------------------------------------------------------------------------


def test_plain_http_is_sent_to_https(site):
    response = site.fetch("/quiz/1?step=2", tls=False)
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/quiz/1?step=2"


def test_pages_and_text_files_are_compressed_for_clients_that_accept_it(site):
    landing = site.fetch("/", headers={"Accept-Encoding": "gzip"})
    assert landing.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in landing.headers["Vary"]
    html = gzip.decompress(landing.body).decode()
    assert html.startswith("<!doctype html>")
    [stylesheet] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    css = (STATIC / "css" / "site.css").read_bytes()
    compressed = site.fetch(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip" and gzip.decompress(compressed.body) == css
    assert len(compressed.body) < len(css) / 2
    plain = site.fetch(stylesheet)
    assert "Content-Encoding" not in plain.headers and plain.body == css


def test_the_app_sees_https_and_the_address_people_reached_it_at(site, bank):
    jar: dict[str, str] = {}
    page = site.fetch("/quiz/1")
    keep_cookies(jar, page.headers.get_all("Set-Cookie") or [])
    form = urllib.parse.urlencode(quiz_form(csrf_token(page.text), page_answers(bank, 1)), doseq=True)
    sent = site.fetch(
        "/quiz/1",
        "POST",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Referer": f"https://{HOST}:{site.https_port}/quiz/1",  # Flask-WTF checks it on HTTPS, as browsers send it
        },
        form,
    )
    assert sent.status == 303, sent.text[:500]
    assert all("Secure" in cookie for cookie in sent.headers.get_all("Set-Cookie"))
    keep_cookies(jar, sent.headers.get_all("Set-Cookie"))
    page_2 = site.fetch("/quiz/2", headers={"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    assert re.search(rf'href="https://{re.escape(HOST)}:{site.https_port}/resume/[A-Za-z0-9_-]{{43}}"', page_2.text)
    # The app's own headers, once each: nginx adds none to what it passes on.
    headers = security_headers_of(page_2)
    assert all(len(values) == 1 for values in headers.values()), headers
    assert "script-src 'self'" in headers["Content-Security-Policy"][0]


def test_rate_limits_count_the_client_address_nginx_passes_on(site):
    bogus = f"/r/{'Q' * 43}"
    for _ in range(TOKEN_LIMIT):
        assert site.fetch(bogus, source="127.0.0.2").status == 404
    limited = site.fetch(bogus, source="127.0.0.2")
    assert limited.status == 429 and "Please slow down" in limited.text
    # A header of its own does not make the same client someone else: nginx replaces it.
    assert site.fetch(bogus, source="127.0.0.2", headers={"X-Forwarded-For": "127.0.0.9"}).status == 429
    # Another person, at another address, still has the whole limit.
    assert site.fetch(bogus, source="127.0.0.3").status == 404


def test_private_links_stay_out_of_nginx_logs(site):
    token = "T0kenT0ken" * 4 + "abc"
    for path in (f"/r/{token}", f"/resume/{token}?from=mail", f"/d/{token}"):
        assert site.fetch(path, source="127.0.0.5").status == 404
    logs = [path for path in site.logs.iterdir() if path.suffix == ".log" and path.name != "gunicorn.log"]
    assert {path.name for path in logs} >= {"access.log", "error.log"}
    assert not [path.name for path in logs if token in path.read_text()]


def test_static_files_come_from_nginx_with_a_year_of_caching(site):
    [stylesheet] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', site.fetch("/").text)
    css = site.fetch(stylesheet)
    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    script = site.fetch("/static/js/print.js")
    assert script.status == 200 and script.headers["Cache-Control"] == "public, max-age=31536000, immutable"

    missing = site.fetch("/static/css/none.css")
    assert missing.status == 404 and "We could not find that page" in missing.text
    assert missing.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("status", [413, 414])
def test_nginx_refuses_oversized_requests_with_its_own_page_and_security_headers(site, status):
    if status == 413:
        # The same limit as the app's: a body just at it still reaches the app, which refuses plain text.
        at_limit = site.fetch("/quiz/1", "POST", {"Content-Type": "text/plain"}, b"x" * site.body_limit)
        assert at_limit.status == 415, at_limit.status
        response = site.fetch("/quiz/1", "POST", {"Content-Type": "text/plain"}, b"x" * (site.body_limit + 1))
        title = "That was more than we can accept"
    else:
        response = site.fetch("/quiz/" + "1" * 5000)
        title = "That address is too long"
    assert response.status == status
    assert f"<h1>{title}</h1>" in response.text
    headers = security_headers_of(response)
    assert all(len(values) == 1 for values in headers.values()), headers
    # nginx's own policy, not the app's: this page came from nginx.
    assert headers["Content-Security-Policy"][0].startswith("default-src 'none';")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"][0]
    assert headers["X-Content-Type-Options"] == ["nosniff"] and headers["X-Frame-Options"] == ["DENY"]
    assert headers["Strict-Transport-Security"][0].startswith("max-age=")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_systemd_units_are_valid_and_the_timer_runs_the_purge(site, tmp_path):
    names = ["pcc-quiz.service", "pcc-quiz-purge.service", "pcc-quiz-purge.timer"]
    env_file = tmp_path / "env"
    env_file.write_text((DEPLOY / "systemd" / "pcc-quiz.env").read_text())
    for name in names:
        text = here((DEPLOY / "systemd" / name).read_text(), site.state)
        (tmp_path / name).write_text(
            replaced(text, {"/etc/pcc-quiz/env": str(env_file)}) if name.endswith(".service") else text
        )
    checked = subprocess.run(
        [program("systemd-analyze"), "verify", *(str(tmp_path / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")
    assert "Unit" not in unit("pcc-quiz-purge.timer")  # so it starts the service of its own name
    assert unit("pcc-quiz-purge.timer")["OnCalendar"]

    # The purge unit's command, with the server's settings, on the running deployment's database.
    command, environment = unit_command("pcc-quiz-purge.service", site.state)
    done = subprocess.run(
        command,
        cwd=site.state,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(
            **environment,
            DATABASE_URL=site.settings["DATABASE_URL"],
            FLASK_SECRET_KEY=site.settings["FLASK_SECRET_KEY"],
        ),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deleted 0 unfinished attempt(s) older than 30 days"), done.stdout
