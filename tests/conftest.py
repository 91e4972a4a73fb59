from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from quiz import create_app
from quiz import db
from quiz.bank import load_bank
from quiz.models import Base

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The small test bank: view and storage tests take the quiz on it, so editing the shipped
# questions.yaml breaks none of them (the shipped bank has tests of its own).
MINI_PATH = Path(__file__).parent / "data" / "mini.yaml"

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def pytest_addoption(parser):
    parser.addoption(
        "--no-skips",
        action="store_true",
        default=bool(os.environ.get("CI")),
        help="fail the run if any test is skipped (on by default when CI is set)",
    )


def pytest_runtest_logreport(report):
    if report.skipped:
        SKIPPED.append(
            f"{report.nodeid}: {report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr}"
        )


def pytest_sessionfinish(session, exitstatus):
    # Browser and PostgreSQL tests skip on a machine without them; CI must run them all.
    if SKIPPED and session.config.getoption("--no-skips"):
        print("\n--no-skips: these tests were skipped, so the run fails:\n  " + "\n  ".join(SKIPPED))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


SKIPPED: list[str] = []


@pytest.fixture(scope="session")
def postgres_server():
    """An engine on the test PostgreSQL server, or a skip saying how to get one."""
    engine = create_engine(POSTGRES_URL)
    try:
        engine.connect().close()
    except OperationalError as error:
        engine.dispose()
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} (set TEST_DATABASE_URL): {error.orig}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema(postgres_server):
    """One schema for the whole run, migrated once: the tests' PostgreSQL database."""
    schema = f"test_{secrets.token_hex(6)}"
    with postgres_server.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    migrate(url)
    yield schema, url
    with postgres_server.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh, migrated database for one test: a new file on SQLite; on PostgreSQL the run's
    schema, emptied after the test (much faster than a schema and its migration per test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'quiz.db'}"
        return
    schema, url = request.getfixturevalue("postgres_schema")
    yield url
    with request.getfixturevalue("postgres_server").begin() as connection:
        tables = ", ".join(f"{schema}.{table.name}" for table in reversed(Base.metadata.sorted_tables))
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def migrate(url: str) -> None:
    """What a deploy does before starting the app (`flask db upgrade`); SQLite migrates itself."""
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()


# Settings a developer's shell may hold; a test that reads the environment must see none of them
# unless it sets them itself (FLASK_QUESTIONS_PATH alone once made a dozen view tests fail).
ENVIRONMENT = ("FLASK_", "RATELIMIT_", "GUNICORN_", "QUIZ_")
ENVIRONMENT_NAMES = ("DATABASE_URL", "SECRET_KEY")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith(ENVIRONMENT) or name in ENVIRONMENT_NAMES:
            monkeypatch.delenv(name)


@pytest.fixture
def make_app(database_url):
    """Make apps on this test's database, migrated first; `make_app(QUESTIONS_PATH=...)` overrides
    a setting. Every app made is closed at the end of the test."""
    made = []

    def make(**config):
        # CSRF stays on: the tests post forms the way a browser does, token included.
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "QUESTIONS_PATH": str(MINI_PATH),
            "RATELIMIT_ENABLED": False,  # tests/test_security.py turns it on where it is the point
        }
        made.append(create_app(settings | config))
        return made[-1]

    yield make
    for app in made:
        db.dispose(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def bank():
    """The small test bank, as the app fixture loads it; pure tests need no app or database."""
    return load_bank(MINI_PATH)


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def typical_answer(question) -> str | list[str]:
    """A plausible, consistent answer: 'Agree' (or 'Disagree' when reversed), the best scenario option."""
    kind = getattr(question, "kind", None)
    if kind == "likert":
        return "2" if question.reverse else "4"
    if kind == "scenario":
        return max(question.options, key=lambda option: option.points).key
    if kind == "attention":
        return str(question.expect)
    first = question.options[0].key
    return [first] if getattr(question, "multiple", False) else first


def page_answers(bank, step: int) -> dict:
    return {qid: typical_answer(bank.questions[qid]) for qid in bank.pages[step - 1].questions}


def post_page(client, step: int, answers: dict, action: str = "next", token: str | None = None):
    """Post one quiz page as a browser would: fetch it for the token, then submit."""
    if token is None:
        token = csrf_token(client.get(f"/quiz/{step}").get_data(as_text=True))
    data = {"csrf_token": token, "action": action}
    for qid, value in answers.items():
        data[f"q_{qid}"] = value
    return client.post(f"/quiz/{step}", data=data)


def checked_values(html: str, qid: str) -> set[str]:
    """Values of the checked inputs of one question, read from the rendered page."""
    inputs = re.findall(rf'<input[^>]*name="q_{qid}"[^>]*>', html)
    return {re.search(r'value="([^"]*)"', i).group(1) for i in inputs if " checked" in i}


class QuizActions:
    """Taking the quiz as one browser, like flaskr's AuthActions: a page, the whole quiz, a token."""

    def __init__(self, client, bank):
        self.client, self.bank = client, bank

    def token(self, url: str) -> str:
        return csrf_token(self.client.get(url).get_data(as_text=True))

    def answer(self, step: int, answers: dict | None = None, action: str = "next"):
        """Post one page, by default with its typical answers."""
        return post_page(self.client, step, page_answers(self.bank, step) if answers is None else answers, action)

    def finish(self, answers_for=page_answers) -> tuple[dict, str]:
        """Answer every page; the answers and the private report URL the last page leads to."""
        answers = {}
        for step in range(1, len(self.bank.pages) + 1):
            page = answers_for(self.bank, step)
            response = post_page(self.client, step, page)
            assert response.status_code == 303, response.get_data(as_text=True)[:500]
            answers.update(page)
        assert re.fullmatch(r"/r/[A-Za-z0-9_-]{43}", response.headers["Location"])
        return answers, response.headers["Location"]


@pytest.fixture
def quiz(client, bank):
    return QuizActions(client, bank)


def finish_quiz(client, bank) -> tuple[dict, str]:
    """The whole quiz in this client (QuizActions.finish, for clients other than the fixture's)."""
    return QuizActions(client, bank).finish()
