from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import MINI_PATH

from quiz.bank import DEFAULT_PATH
from quiz.bank import MAX_BANK_BYTES
from quiz.cli import check_command

FLASK = str(Path(sys.executable).with_name("flask"))


def broken_copy(tmp_path) -> tuple[Path, str]:
    """The mini bank with a scenario option worth 5 points, and "LINE:COLUMN" of that 5."""
    path = tmp_path / "questions.yaml"
    path.write_text(MINI_PATH.read_text().replace("summary., points: 3}", "summary., points: 5}", 1))
    line, text = next((i, text) for i, text in enumerate(path.read_text().splitlines(), 1) if "points: 5" in text)
    return path, f"{line}:{text.index('points: 5') + len('points: ') + 1}"


def test_check_summarises_a_valid_bank_and_lists_its_warnings(bank):
    result = CliRunner().invoke(check_command, [str(MINI_PATH)])
    assert result.exit_code == 0
    assert f"version {bank.version}" in result.output
    for dimension in bank.dimensions:
        items = bank.items_of(dimension.id)
        reverse = sum(i.reverse for i in items)
        scenarios = sum(i.kind == "scenario" for i in items)
        assert f"{dimension.id:<16}{len(items):>6}{reverse:>9}{scenarios:>10}" in result.output
    assert f"{len(bank.pages)} pages, about {bank.estimated_minutes()} minutes" in result.output
    warned = [line for line in result.output.splitlines() if ": warning: " in line]
    assert warned and f"{len(warned)} warnings:" in result.output


def test_check_passes_the_shipped_bank_without_warnings():
    result = CliRunner().invoke(check_command, [str(DEFAULT_PATH)])
    assert result.exit_code == 0 and "0 warnings" in result.output and ": warning: " not in result.output


def test_check_reports_problems_with_lines_and_exits_1(tmp_path):
    path, line = broken_copy(tmp_path)
    result = CliRunner().invoke(check_command, [str(path)])
    assert result.exit_code == 1
    assert (
        f"questions.yaml:{line}: items[3] 'care_scenario'.options[1] 'b'.points: expected at most 3, got 5"
        in result.output
    )


def test_flask_check_command_both_ways(tmp_path):
    good = subprocess.run([FLASK, "--app", "quiz", "check"], capture_output=True, text=True)
    assert good.returncode == 0, good.stderr
    assert "OK (version" in good.stdout
    path, line = broken_copy(tmp_path)
    bad = subprocess.run([FLASK, "--app", "quiz", "check", str(path)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert f":{line}: " in bad.stderr and "expected at most 3, got 5" in bad.stderr


def test_app_refuses_to_start_on_a_broken_bank(tmp_path):
    path, line = broken_copy(tmp_path)
    env = {"FLASK_QUESTIONS_PATH": str(path), "FLASK_SECRET_KEY": "x", "PATH": ""}
    result = subprocess.run([FLASK, "--app", "quiz", "routes"], capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "the quiz cannot start" in result.stderr
    assert f":{line}: " in result.stderr and "Traceback" not in result.stderr


def test_check_refuses_a_file_over_the_size_limit_with_its_size(tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_text("- " * (MAX_BANK_BYTES // 2 + 1))
    result = CliRunner().invoke(check_command, [str(path)])
    assert result.exit_code == 1
    assert (
        f"{path}:1:1: the file is {MAX_BANK_BYTES + 2:,} bytes, over the limit of {MAX_BANK_BYTES:,}" in result.output
    )
