from __future__ import annotations

import pytest
from conftest import MINI_PATH

from quiz import BrokenBank
from quiz import create_app
from quiz import instance_secret_key


def test_config_comes_from_prefixed_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'quiz.db'}")
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"


def test_test_config_overrides_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'quiz.db'}")
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    assert create_app({"SECRET_KEY": "given"}).config["SECRET_KEY"] == "given"


def test_broken_bank_stops_the_app_with_line_numbered_problems(tmp_path):
    broken = tmp_path / "questions.yaml"
    broken.write_text(MINI_PATH.read_text().replace("    kind: likert\n", "    kind: likret\n", 1))
    with pytest.raises(BrokenBank) as error:
        create_app({"SECRET_KEY": "x", "QUESTIONS_PATH": str(broken), "DATABASE_URL": f"sqlite:///{tmp_path / 'q.db'}"})
    line = next(i for i, text in enumerate(broken.read_text().splitlines(), 1) if "likret" in text)
    assert (
        f"questions.yaml:{line}:11: items[0] 'care_listen'.kind: expected 'likert', 'scenario' or 'attention', "
        "got 'likret' (did you mean 'likert'?)"
    ) in str(error.value.message)


def test_secret_key_is_created_once_and_reused(tmp_path):
    first = instance_secret_key(tmp_path)
    assert len(first) == 64
    assert instance_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_instance_folder_can_be_moved_out_of_an_installed_app(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "FLASK_DATABASE_URL", "FLASK_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLASK_INSTANCE_PATH", "state")  # relative to where it was started
    app = create_app()
    state = tmp_path / "state"
    assert app.instance_path == str(state)
    assert app.config["DATABASE_URL"] == f"sqlite:///{state / 'quiz.db'}"
    assert (state / "secret_key").read_text() == app.config["SECRET_KEY"]
