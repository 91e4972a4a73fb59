"""Warnings for editors (quiz/advice.py): valid banks that would measure badly or read hard."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.advice import grade
from quiz.bank import DEFAULT_PATH
from quiz.bank import load_bank
from quiz.bank import read_bank

MINI = (Path(__file__).parent / "data" / "mini.yaml").read_text()


def warnings_of(replace: dict | None = None) -> list[str]:
    text = MINI
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    found: list[str] = []
    read_bank(text, "mini.yaml", found)
    return found


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_the_shipped_bank_has_no_warnings():
    found: list[str] = []
    load_bank(DEFAULT_PATH, found)
    assert found == []


def test_warnings_never_stop_a_bank_loading():
    assert warnings_of() and read_bank(MINI, "mini.yaml").version == "test-1"


def test_text_above_grade_8_is_reported_at_its_line_with_its_grade():
    text = "I notice when someone is uncomfortable."
    assert grade(text) > 8
    line = line_of(MINI, text)
    assert (
        f"mini.yaml:{line}:11: warning: items[2] 'care_notice'.text: reads at US grade {grade(text):.1f} "
        "(aim for 8 or below): use shorter sentences and words" in warnings_of()
    )
    plain = warnings_of({text: "I can tell when someone feels bad."})
    assert not any("'care_notice'.text" in w for w in plain)


def test_a_best_option_much_longer_than_the_others_gives_itself_away():
    found = warnings_of(
        {
            "text: Explain it and send a summary.": 'text: "Explain it in plain words, make sure they follow and send a summary."'
        }
    )
    assert any(
        "the best option 'b' has 13 words, the others 5 on average: its length gives it away" in w for w in found
    )
    assert any("options run from 5 to 13 words; make them about the same length" in w for w in found)


def test_always_choosing_the_longest_option_must_not_beat_chance():
    assert any("always choosing the longest option scores 3.0 points" in w for w in warnings_of())
    fixed = warnings_of({"text: Say you explained it twice.": "text: Say you have explained it twice already."})
    assert not any("always choosing the longest option" in w for w in fixed)


@pytest.mark.parametrize(
    "negated", ["I do not like sorting out other people's problems.", "Other people's problems never interest me."]
)
def test_a_reverse_keyed_statement_written_as_a_negation(negated):
    found = warnings_of({"text: Other people's problems are theirs to sort out.": f"text: {negated}"})
    assert any("'care_rushed'.text: reverse-keyed statement with" in w and "write the opposite" in w for w in found)


def test_british_spelling_in_text_people_read():
    found = warnings_of(
        {"text: Would you like hands-on clinical tasks?": "text: Would you like to organise clinical tasks?"}
    )
    assert any("'clinical_interest'.text: 'organise' is British spelling or usage" in w for w in found)
    # Ids and source notes are for editors, not read by takers.
    assert not warnings_of({"    source: AAMA\n": "    source: AAMA, programme notes\n"}) != warnings_of()


def test_short_and_one_sided_scales():
    found = warnings_of()
    assert any("'care'.id: 3 statements; a skill needs about 8" in w for w in found)
    assert any("'care'.id: 33% of its statements are reverse-keyed; aim for 40% to 50%" in w for w in found)
