"""The package as a user gets it: the wheel, in a fresh virtual environment, run from anywhere.

uv builds the sdist and from it the wheel, as a release would, makes a new environment and
installs the wheel with the locked versions of its dependencies (from uv's cache after the first
run). Nothing of the checkout is on that environment's path: the app, its templates, stylesheet,
questions and migrations all come from the wheel, and it runs from a directory of its own.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import page_answers
from servers import BIN
from servers import ROOT
from servers import clean_env
from test_serving import Browser
from test_serving import Server

# Nothing from the checkout or the test run's own environment on the path.
ISOLATED = {"PYTHONPATH": "", "VIRTUAL_ENV": ""}


def run(command: list[str], cwd: Path, timeout: float = 120, **settings: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(**ISOLATED, **settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel, the new environment, an empty directory to run it from)."""
    home = tmp_path_factory.mktemp("install")
    uv = str(BIN / "uv")
    run([uv, "build", "--quiet", "--out-dir", str(home / "dist"), str(ROOT)], home)
    [wheel] = (home / "dist").glob("*.whl")
    venv = home / "venv"
    run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], home)
    # Bytecode compiled once here, as pip does, rather than by every process started below.
    run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--compile-bytecode",
            "--python",
            str(venv / "bin" / "python"),
            "--constraint",
            str(ROOT / "requirements.lock"),
            str(wheel),
        ],
        home,
        timeout=300,
    )
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    return wheel, venv, elsewhere


def test_the_wheel_carries_templates_static_questions_migrations_and_licence(installed):
    wheel, _, _ = installed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [metadata] = [name for name in names if name.endswith(".dist-info/METADATA")]
        headers = archive.read(metadata).decode()
    shipped = {
        "quiz/questions.yaml",
        "quiz/templates/base.html",
        "quiz/templates/quiz/report.html",
        "quiz/static/css/site.css",
        "quiz/static/js/print.js",
        "quiz/migrations/env.py",
        "quiz/migrations/script.py.mako",
        "quiz/migrations/versions/0001_groups_and_attempts.py",
    }
    assert shipped - names == set()
    assert not any(name.startswith(("tests/", "bench/", "templates/", "static/")) for name in names)
    assert "License-Expression: MIT" in headers and "License-File: LICENSE" in headers
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_the_check_command_runs_from_the_wheel_in_any_directory(installed):
    _, venv, elsewhere = installed
    [site] = (venv / "lib").glob("python3*/site-packages")
    # No --app: `check` is a plugin command, for when a broken bank stops the app loading. The
    # path it names shows which quiz package ran: with the checkout's, it would name the checkout.
    done = run([str(venv / "bin" / "flask"), "check"], elsewhere)
    assert done.stdout.startswith(f"{site / 'quiz' / 'questions.yaml'}: OK (version "), done.stdout


def test_an_installed_app_serves_a_whole_quiz_and_its_stylesheet_from_another_directory(installed, bank, tmp_path):
    _, venv, elsewhere = installed
    # No DATABASE_URL or secret key: both go to Flask's instance folder of an installed package.
    run([str(venv / "bin" / "flask"), "--app", "quiz", "db", "upgrade"], elsewhere)
    instance = venv / "var" / "quiz-instance"
    assert (instance / "quiz.db").is_file()

    server = Server("wheel", tmp_path, workers=1, bin_dir=venv / "bin", cwd=elsewhere, **ISOLATED)
    try:
        server.wait_ready()
        person = Browser()
        landing = person.get(server, "/").body
        [stylesheet] = re.findall(r'<link rel="stylesheet" href="([^"]+)"', landing)
        served = person.get(server, stylesheet)
        assert served.status == 200 and served.headers["Content-Type"].startswith("text/css")
        assert served.body == (ROOT / "static" / "css" / "site.css").read_text()
        for step in range(1, len(bank.pages) + 1):
            sent = person.post_page(server, step, page_answers(bank, step))
            assert sent.status == 303, (step, sent.status, sent.body[:300])
        assert re.fullmatch(r"/r/[A-Za-z0-9_-]{43}", sent.location)
        report = person.get(server, sent.location)
        assert report.status == 200 and "Delete my results" in report.body
    finally:
        server.stop()
    assert (instance / "secret_key").is_file()
