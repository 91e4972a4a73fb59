"""The README says what the code does: its sample `check` messages are what `check` prints for
those mistakes, and it names no file the repository does not have."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from quiz.bank import DEFAULT_PATH
from quiz.bank import BankError
from quiz.bank import read_bank

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
# The mistake behind each sample message, as a replacement in the shipped questions.yaml.
MISTAKES = {
    "'emp_scenario'.options[0] 'a'.points": ("        points: 3\n", "        points: 5\n"),
    "'emp_slow_down'.txt": ("    text: When someone sounds confused", "    txt: When someone sounds confused"),
    "'emp_patience'.reverse": (
        "    reverse: true\n    text: People who ask me",
        "    reverse: yes\n    text: People who ask me",
    ),
}


def sample_messages() -> list[str]:
    block = re.search(r"For example \(`tests/test_readme\.py`[^\n]*\n[^\n]*\n\n```text\n(.*?)```", README, re.S)
    assert block, "the README's sample check messages are gone"
    return block.group(1).splitlines()


@pytest.mark.parametrize("message", sample_messages())
def test_the_readme_sample_messages_are_what_check_prints(message):
    [where] = [key for key in MISTAKES if key in message]
    old, new = MISTAKES[where]
    text = DEFAULT_PATH.read_text()
    assert old in text, f"the mistake behind {where} no longer applies to questions.yaml"
    with pytest.raises(BankError) as caught:
        read_bank(text.replace(old, new, 1), "questions.yaml")
    assert caught.value.problems == [message]


def test_the_readme_names_only_files_the_repository_has():
    tracked = set(
        subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    )
    folders = {str(Path(f).parent) for f in tracked} | {str(p) for f in tracked for p in Path(f).parents}
    named = set(re.findall(r"\]\(([\w./-]+)\)", README)) | set(
        re.findall(r"`((?:quiz|tests|deploy|bench|scripts|docs)/[\w./-]*)`", README)
    )
    missing = sorted(n for n in named if n.rstrip("/") not in tracked | folders and not n.startswith("http"))
    assert not missing, f"the README names files the repository does not have: {missing}"
