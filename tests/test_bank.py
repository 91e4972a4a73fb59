"""questions.yaml loading: the shipped bank is valid, and every kind of mistake an editor can
make gives a problem that names the right line and column and says how to fix it.

Most tests break tests/data/mini.yaml (the smallest valid bank) with one text replacement and
look for the exact problem line. Expected lines and columns are found by searching the broken
text, never written down, so mini.yaml can grow without breaking the table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from quiz.bank import MAX_BANK_BYTES
from quiz.bank import MAX_VERSION_LENGTH
from quiz.bank import Bank
from quiz.bank import BankError
from quiz.bank import load_bank
from quiz.bank import read_bank
from quiz.models import Attempt
from quiz.models import BankVersion

ROOT = Path(__file__).parent.parent
MINI_PATH = Path(__file__).parent / "data" / "mini.yaml"
MINI = MINI_PATH.read_text(encoding="utf-8")
PROBLEM_LINE = re.compile(r"^mini\.yaml:\d+:\d+: ")


def problems_of(text: str) -> list[str]:
    """The problems read_bank reports for `text`; fails the test if it accepts the text."""
    with pytest.raises(BankError) as caught:
        read_bank(text, "mini.yaml")
    return caught.value.problems


def position_of(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `text[index]`."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def mutate(old: str, new: str) -> str:
    assert MINI.count(old) >= 1, f"{old!r} is not in mini.yaml; the case is stale"
    return MINI.replace(old, new, 1)


# --- valid banks -------------------------------------------------------------------------------


def test_mini_bank_is_valid():
    bank = read_bank(MINI, "mini.yaml")
    assert [d.kind for d in bank.dimensions] == ["skill", "context"]
    assert all(len(bank.items_of(d.id)) == 4 for d in bank.dimensions)
    assert any(item.reverse for item in bank.items)
    assert [o.points for o in bank.questions["care_scenario"].options] == [1, 3, 0]
    certifications = bank.questions["certifications"]
    assert certifications.multiple and certifications.exclusive == ["none"]
    # Quoted "yes"/"no" keys stay text, and so does the unquoted `none`.
    assert [o.key for o in bank.questions["clinical_interest"].options] == ["yes", "no"]
    assert bank.steps[1].when.all[1].any[1].band == ["strong", "promising"]
    assert bank.careers[1].when.in_ == ["yes"]
    assert len(bank.digest) == 64


def test_shipped_questions_yaml_is_valid():
    bank = load_bank(ROOT / "questions.yaml")
    assert len(bank.dimensions) == 7
    for dimension in bank.dimensions:
        items = bank.items_of(dimension.id)
        assert len(items) >= 4, dimension.id
        if dimension.kind == "skill":
            assert sum(item.kind == "scenario" for item in items) == 1, dimension.id
    assert all(item.source.strip() for item in bank.items)
    assert all(question.source.strip() for question in bank.profile)
    # A YAML 1.1 reader would turn these option keys into booleans.
    assert {"yes", "no"} <= {o.key for o in bank.questions["clinical_interest"].options}


# --- one mistake, one exact problem --------------------------------------------------------------
#
# Each case: (text in mini.yaml, its replacement, marker, expected problem after "LINE:COL: ").
# The marker is searched for in the broken text: the problem should stand where the marker
# starts, or at its `|` when it has one. A marker occurs once, except in duplicate cases: there
# it occurs twice, the problem stands at the second, and `{first}` in the expected text is the
# line of the first.

CASES = [
    # YAML itself
    pytest.param(
        "title: Mini quiz",
        "title: [Mini quiz",
        "scale|: [Strongly",
        "YAML syntax: expected ',' or ']', but got ':' (while parsing a flow sequence that starts on line 9); "
        "close the '[' with ']', or put an entry that contains ':' or ',' in quotes",
        id="syntax-unclosed-bracket-names-its-line",
    ),
    pytest.param(
        "limits: This quiz",
        'limits: "This quiz',
        '|"This quiz',
        "YAML syntax: this quoted text is never closed; add the closing quote",
        id="syntax-unclosed-quote-points-at-the-quote",
    ),
    pytest.param(
        'version: "test-1"',
        'version: "test-1',
        '"|2024"',
        "YAML syntax: expected <block end>, but found '<scalar>' (while parsing a block mapping that starts on "
        "line 8); a quote opened above may be left open, or text follows a closing quote",
        id="syntax-quote-closed-lines-later",
    ),
    pytest.param(
        "title: Mini quiz",
        "title Mini quiz",
        "title Mini quiz",
        "YAML syntax: no ':' after this name; write 'name: value', or check this line's indentation",
        id="syntax-missing-colon",
    ),
    pytest.param(
        "    short: highest education",
        "\tshort: highest education",
        "\tshort",
        "YAML syntax: found character '\\t' that cannot start any token; indent with spaces, not tabs",
        id="tab-indent-says-use-spaces",
    ),
    pytest.param(
        "    short: highest education",
        "      short: highest education",
        "short|: highest",
        "YAML syntax: mapping values are not allowed here; "
        "check this line's indentation, or put text that contains ': ' in quotes",
        id="over-indented-line",
    ),
    pytest.param(
        "  attention_note: One answer was not the one asked for.\n",
        "  attention_note: One answer was not the one asked for.\n  attention_note: Again.\n",
        "attention_note",
        "duplicate key 'attention_note' (first given on line {first}; keep one)",
        id="duplicate-key-names-first-line",
    ),
    pytest.param(
        "title: Mini quiz",
        "title: &t Mini quiz",
        "&t",
        "anchor '&t' is not supported here; write the value out in full (no &name or *name in this file)",
        id="anchor-refused-at-the-ampersand",
    ),
    pytest.param(
        "title: Mini quiz",
        "title: !!str &t Mini quiz",
        "&t",
        "anchor '&t' is not supported here; write the value out in full (no &name or *name in this file)",
        id="anchor-after-tag-still-points-at-the-ampersand",
    ),
    pytest.param(
        "    title: Busy days",
        "    title: *people_title",
        "*people_title",
        "alias '*people_title' is not supported here; write the value out in full (no &name or *name in this file)",
        id="alias-refused",
    ),
    pytest.param(
        "    reverse: true\n    text: Other",
        "    reverse: yes\n    text: Other",
        "yes\n",
        "items[1] 'care_rushed'.reverse: expected true or false, got 'yes' "
        "(write true: only true and false are booleans here)",
        id="yes-is-not-a-boolean",
    ),
    pytest.param(
        "    multiple: true\n",
        "    multiple: off\n",
        "off\n",
        "profile[1] 'certifications'.multiple: expected true or false, got 'off' "
        "(write false: only true and false are booleans here)",
        id="off-is-not-a-boolean",
    ),
    pytest.param(
        'version: "test-1"',
        "version: 1.10",
        "1.10",
        'version: expected text, got the number 1.10 (put it in quotes: "1.10")',
        id="number-where-text-expected-quotes-it-as-typed",
    ),
    pytest.param(
        '{key: "yes", text: "Yes"}',
        '{key: true, text: "Yes"}',
        "true, text",
        "profile[2] 'clinical_interest'.options[0].key: expected text, got the boolean true "
        '(put it in quotes: "true")',
        id="boolean-where-text-expected",
    ),
    pytest.param(
        "  min_results: 1000\n",
        "  min_results: 1:30\n",
        "1:30",
        "precision.min_results: expected a whole number, got '1:30'",
        id="yaml11-sexagesimal-stays-text",
    ),
    pytest.param(
        "title: Mini quiz",
        "title: Mini\x00 quiz",
        "\x00",
        "the character '\\x00' (U+0000) is not allowed in YAML; delete it",
        id="control-character-located",
    ),
    # schema
    pytest.param(
        "    short: highest education",
        "    shrot: highest education",
        "shrot",
        "profile[0] 'education'.shrot: unknown field 'shrot' (did you mean 'short'?)",
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        "title: Mini quiz",
        "1: Mini quiz\ntitle: Mini quiz",
        "1: Mini",
        "1: unknown field '1' (allowed here: version, title, scale, role, dimensions, items, profile, pages, "
        "score_labels, bands, band_caps, flags, quality, precision, steps, careers, links, talk_it_over, discussion, limits)",
        id="number-key-is-an-unknown-field",
    ),
    pytest.param(
        "    source: Job Zone 3\n",
        "",
        "id: education",
        "profile[0] 'education'.source: missing required field 'source'",
        id="missing-required-field-at-its-mapping",
    ),
    pytest.param(
        "  duties: [Schedule appointments]",
        "  duties: {first: Schedule appointments}",
        "{first",
        "role.duties: expected a list (one '- ' line per entry), got a mapping",
        id="mapping-where-list-expected",
    ),
    pytest.param(
        "    when: {answer: education, in: [less_than_hs]}",
        "    when: [education, less_than_hs]",
        "[education, less",
        "steps[0] 'diploma_step'.when: expected a mapping of 'name: value' lines, got a list",
        id="list-where-mapping-expected",
    ),
    pytest.param(
        "{key: b, text: Explain it and send a summary., points: 3}",
        "{key: b, text: Explain it and send a summary., points: 7}",
        "points: |7}",
        "items[3] 'care_scenario'.options[1] 'b'.points: expected at most 3, got 7",
        id="option-points-out-of-range",
    ),
    pytest.param(
        "    kind: scenario\n",
        "    kind: scenery\n",
        "scenery",
        "items[3] 'care_scenario'.kind: expected 'likert', 'scenario' or 'attention', got 'scenery' (did you mean 'scenario'?)",
        id="unknown-literal-did-you-mean",
    ),
    # cross-references and counts
    pytest.param(
        "  - id: fit_desk\n",
        "  - id: fit_people\n",
        "fit_people\n",
        "items[6] 'fit_people'.id: duplicate question id 'fit_people' (first used on line {first})",
        id="duplicate-question-id-names-both-lines",
    ),
    pytest.param(
        "    dimension: fit\n    kind: likert\n    text: I'm comfortable",
        "    dimension: fitt\n    kind: likert\n    text: I'm comfortable",
        "fitt",
        "items[6] 'fit_desk'.dimension: unknown dimension 'fitt' (did you mean 'fit'?)",
        id="item-with-unknown-dimension",
    ),
    pytest.param(
        "[care_notice,",
        "[care_notise,",
        "care_notise",
        "pages[2] 'busy_days'.questions[0]: unknown question 'care_notise' (did you mean 'care_notice'?)",
        id="page-names-unknown-question",
    ),
    pytest.param(
        "fit_desk, fit_helping, check_agree]",
        "fit_helping, check_agree]",
        "id: |fit_desk",
        "items[6] 'fit_desk'.id: question 'fit_desk' is on no page (add it to a page's `questions`)",
        id="item-on-no-page",
    ),
    pytest.param(
        "fit_people, fit_hours]",
        "fit_people, fit_hours, fit_desk]",
        ", |fit_desk",
        "pages[2] 'busy_days'.questions[2]: question 'fit_desk' is listed twice (also on line {first}); keep one",
        id="item-on-two-pages",
    ),
    pytest.param(
        "summary., points: 3}",
        "summary., points: 2}",
        "|- {key: a, text: Point",
        "items[3] 'care_scenario'.options: no option is worth 3 points (the most is 2); give the best answer 3",
        id="scenario-without-a-3-point-option",
    ),
    pytest.param(
        "    multiple: true\n    exclusive: [none]",
        "    multiple: true\n    exclusive: [nne]",
        "nne",
        "profile[1] 'certifications'.exclusive[0]: 'nne' is not an option of 'certifications' (did you mean 'none'?)",
        id="exclusive-names-unknown-option",
    ),
    pytest.param(
        "    short: highest education\n",
        "    short: highest education\n    exclusive: [less_than_hs]\n",
        "|[less_than_hs]\n",
        "profile[0] 'education'.exclusive: `exclusive` only matters with `multiple: true`; "
        "add that or remove `exclusive`",
        id="exclusive-on-single-choice-question",
    ),
    pytest.param(
        "{flags_at_least: 1}",
        "{flags_at_least: 2}",
        "flags_at_least: |2",
        "band_caps[2] 'flagged'.when.flags_at_least: there are only 1 flags, so this never holds",
        id="flag-count-out-of-reach",
    ),
    pytest.param(
        "Promising fit, min: 50, max: 69,",
        "Promising fit, min: 50, max: 60,",
        "Strong fit, min: |70",
        "bands[0] 'strong'.min: no band covers 61-69 (bands must cover 0-100)",
        id="bands-with-a-gap",
    ),
    pytest.param(
        "Explore and compare, min: 0, max: 49,",
        "Explore and compare, min: 0, max: 55,",
        "Promising fit, min: |50",
        "bands[1] 'promising'.min: overlaps 'explore' on 50-55 (each score must fall in exactly one)",
        id="bands-that-overlap",
    ),
    pytest.param(
        "Strong fit, min: 70, max: 100",
        "Strong fit, min: 70, max: 99",
        "max: |99",
        "bands[0] 'strong'.max: no band covers 100 (bands must cover 0-100)",
        id="bands-stop-short-of-100",
    ),
    pytest.param(
        "Area to build, min: 0,",
        "Area to build, min: 5,",
        "min: |5,",
        "score_labels[2] 'to_build'.min: no score label covers 0-4 (score labels must cover 0-100)",
        id="score-labels-with-a-gap",
    ),
    pytest.param(
        "{answer: education, in: [less_than_hs]}",
        "{answer: educaton, in: [less_than_hs]}",
        "educaton",
        "steps[0] 'diploma_step'.when.answer: unknown profile question 'educaton' (did you mean 'education'?)",
        id="condition-names-unknown-question",
    ),
    pytest.param(
        "{answer: education, in: [less_than_hs]}",
        "{answer: education, in: [less_than_h]}",
        "less_than_h]",
        "steps[0] 'diploma_step'.when.in[0]: 'less_than_h' is not an option of 'education' "
        "(did you mean 'less_than_hs'?)",
        id="condition-names-unknown-option",
    ),
    pytest.param(
        "{answer: certifications, not_in: [cmaa, cma]}",
        "{answer: certifications, not_in: [cmaa, cna]}",
        "cna",
        "steps[1] 'cert_step'.when.all[0].not_in[1]: 'cna' is not an option of 'certifications' (did you mean 'cma'?)",
        id="nested-condition-names-unknown-option",
    ),
    pytest.param(
        "{score: fit, label: [look_closer]}",
        "{score: fitt, label: [look_closer]}",
        "fitt",
        "band_caps[1] 'day_to_day'.when.score: unknown dimension 'fitt' (did you mean 'fit'?)",
        id="condition-with-unknown-dimension",
    ),
    pytest.param(
        "{band: [strong, promising]}",
        "{band: [strong, promisng]}",
        "promisng",
        "steps[1] 'cert_step'.when.all[1].any[1].band[1]: unknown band 'promisng' (did you mean 'promising'?)",
        id="condition-with-unknown-band",
    ),
    pytest.param(
        "{score: care, at_least: 70}",
        "{score: care, at_least: 70, band: [strong]}",
        "|{score: care",
        "careers[0] 'records_career'.when.all[0]: a condition needs exactly one of answer, score, "
        "any_skill_labelled, flags_at_least, band, all, any (got score, band)",
        id="condition-with-two-tests",
    ),
    pytest.param(
        "  - id: fit_helping\n    dimension: fit\n",
        "  - id: fit_helping\n    dimension: care\n",
        "id: |fit\n",
        "dimensions[1] 'fit'.id: dimension 'fit' has 3 items, needs at least 4 (add items with `dimension: fit`)",
        id="dimension-with-too-few-items",
    ),
    pytest.param(
        "item: fit_hours",
        "item: fit_hour",
        "fit_hour\n",
        "flags[0] 'hours_flag'.item: unknown question 'fit_hour' (did you mean 'fit_hours'?)",
        id="flag-on-unknown-item",
    ),
    pytest.param(
        "{score: care, at_least: 70}",
        "{score: care, at_leats: 70}",
        "at_leats",
        "careers[0] 'records_career'.when.all[0].at_leats: unknown field 'at_leats' (did you mean 'at_least'?)",
        id="condition-field-misspelled-in-its-own-kind",
    ),
    pytest.param(
        "{score: care, at_least: 70}",
        "{score: care}",
        "|{score: care}",
        "careers[0] 'records_career'.when.all[0]: a `score` condition needs `at_least` and/or `below`, or "
        "`label`, not both",
        id="score-condition-without-a-test",
    ),
    pytest.param(
        "{answer: education, in: [less_than_hs]}",
        "{answer: education, in: [less_than_hs], not_in: [degree]}",
        "|{answer: education, in: [less_than_hs], not",
        "steps[0] 'diploma_step'.when: an `answer` condition needs exactly one of `in` or `not_in`",
        id="answer-condition-with-in-and-not-in",
    ),
    pytest.param(
        "label: [look_closer]}",
        "label: [look_closr]}",
        "look_closr",
        "band_caps[1] 'day_to_day'.when.label[0]: 'look_closr' is not a label of fit (labels: suits, look_closer) "
        "(did you mean 'look_closer'?)",
        id="score-condition-with-unknown-label",
    ),
    pytest.param(
        "{any_skill_labelled: [to_build]}",
        "{any_skill_labelled: [tobuild]}",
        "tobuild",
        "band_caps[0] 'skill_floor'.when.any_skill_labelled[0]: 'tobuild' is not a label of a skill "
        "(labels: strength, solid, to_build) (did you mean 'to_build'?)",
        id="skill-label-condition-with-unknown-label",
    ),
    pytest.param(
        "    expect: 4\n",
        "",
        "  - |id: check_agree",
        "items[8] 'check_agree': an attention check needs `expect`: the scale value (1-5) its text asks for",
        id="attention-check-without-expect",
    ),
    pytest.param(
        "    kind: attention\n",
        "    kind: attention\n    dimension: care\n",
        "dimension: |care\n    text: Please",
        "items[8] 'check_agree'.dimension: an attention check is not scored; remove `dimension`",
        id="attention-check-with-a-dimension",
    ),
    pytest.param(
        "    strong: [5]\n",
        "    strong: [6]\n",
        "[|6]",
        "flags[0] 'hours_flag'.strong[0]: 6 is not an answer of 'fit_hours' (answers: 1, 2, 3, 4, 5)",
        id="flag-answer-off-the-scale",
    ),
    pytest.param(
        "    mild: [4]\n",
        "    mild: [5]\n",
        "mild: [|5]",
        "flags[0] 'hours_flag'.mild[0]: 5 is listed under both `strong` and `mild`; keep one",
        id="flag-answer-both-strong-and-mild",
    ),
    pytest.param(
        '"Near the line with {nearby}."',
        '"Near the line with {neighbour}."',
        '|"Near the line with',
        "precision.near_note: unknown placeholder {neighbour} (this text can use {nearby})",
        id="unknown-placeholder",
    ),
    pytest.param(
        "  - id: care\n",
        "  - id: skills\n",
        "id: |skills",
        "dimensions[0] 'skills'.id: 'skills' names the skills score in conditions; choose another id",
        id="dimension-id-reserved",
    ),
    pytest.param(
        "cap: promising",
        "cap: promisng",
        "promisng",
        "band_caps[0] 'skill_floor'.cap: unknown band 'promisng' (did you mean 'promising'?)",
        id="band-cap-names-unknown-band",
    ),
    pytest.param(
        "{agree: care_listen, opposite: care_rushed}",
        "{agree: care_rushed, opposite: care_listen}",
        "|{agree: care_rushed",
        "quality.opposite_pairs[0]: `agree` must be an agree-keyed item and `opposite` a reverse-keyed one",
        id="opposite-pair-with-wrong-keying",
    ),
]


def _expected(broken: str, marker: str, fragment: str) -> str:
    offset = marker.find("|")
    needle = marker.replace("|", "")
    starts = [m.start() for m in re.finditer(re.escape(needle), broken)]
    assert len(starts) == (2 if "{first}" in fragment else 1), f"marker {needle!r} found {len(starts)} times"
    line, column = position_of(broken, starts[-1] + max(offset, 0))
    fragment = fragment.replace("{first}", str(position_of(broken, starts[0])[0]))
    return f"mini.yaml:{line}:{column}: {fragment}"


@pytest.mark.parametrize(("old", "new", "marker", "fragment"), CASES)
def test_mistake_is_reported_at_its_line(old, new, marker, fragment):
    broken = mutate(old, new)
    assert _expected(broken, marker, fragment) in problems_of(broken)


def test_case_table_is_big_enough():
    assert len(CASES) >= 20


# --- whole files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "mini.yaml:1:1: the file is empty", id="empty"),
        pytest.param("# only a comment\n\n", "mini.yaml:1:1: the file is empty", id="only-comments"),
        pytest.param("- a\n- b\n", "mini.yaml:1:1: expected a mapping of 'name: value' lines, got a list", id="a-list"),
        pytest.param(
            "[" * 5000,
            "mini.yaml:1:101: nesting is deeper than 100 levels; look for a '[' or '{' that is never closed",
            id="deep-nesting-is-a-problem-not-a-crash",
        ),
        pytest.param(
            "a: 1\n---\nb: 2\n",
            "mini.yaml:2:1: YAML syntax: a second document starts here; remove this '---' line",
            id="two-documents",
        ),
    ],
)
def test_whole_file_problem(text, expected):
    assert problems_of(text) == [expected]


def test_deeply_nested_conditions_are_a_problem_not_a_crash():
    condition = "{band: [strong]}"
    for _ in range(200):
        condition = "{all: [" + condition + "]}"
    broken = mutate("{answer: education, in: [less_than_hs]}", condition)
    [problem] = problems_of(broken)
    assert "nesting is deeper than 100 levels" in problem


# --- YAML 1.1 traps that must stay text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "value"),
    [
        pytest.param("    time: A few months\n", "    time: 1:30\n", "1:30", id="sexagesimal"),
        pytest.param("    time: A few months\n", "    time: 2024-05-01\n", "2024-05-01", id="date"),
        pytest.param("    time: A few months\n", "    time: no\n", "no", id="norway"),
        pytest.param("    time: A few months\n", "    time: 0x1F\n", "0x1F", id="hex"),
        pytest.param("    time: A few months\n", "    time: 1e3\n", "1e3", id="exponent"),
    ],
)
def test_yaml11_traps_stay_text(old, new, value):
    bank = read_bank(mutate(old, new), "mini.yaml")
    assert bank.steps[0].time == value


def test_merge_key_is_not_merged():
    broken = mutate("  - id: fit\n", "  - <<: {weight: 2}\n    id: fit\n")
    assert any("unknown field '<<'" in p for p in problems_of(broken))


# --- reporting ---------------------------------------------------------------------------------


def test_all_problems_reported_in_one_run():
    broken = mutate("{key: b, text: Explain it and send a summary., points: 3}", "{key: b, text: Explain., points: 9}")
    broken = broken.replace("    reverse: true\n    text: Other", "    reverse: yes\n    text: Other", 1)
    problems = problems_of(broken)
    assert len(problems) == 2
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == sorted(lines)
    assert "'care_rushed'.reverse" in problems[0]
    assert "'care_scenario'.options[1] 'b'.points" in problems[1]


def test_misspelled_field_is_one_problem_not_two():
    # pydantic sees a missing 'short' and an unknown 'shrot'; the editor made one mistake.
    [problem] = problems_of(mutate("    short: highest education", "    shrot: highest education"))
    assert "did you mean 'short'?" in problem


def test_bank_error_message_lists_every_problem():
    broken = mutate("title: Mini quiz", "titel: Mini quiz")
    with pytest.raises(BankError) as caught:
        read_bank(broken, "mini.yaml")
    assert str(caught.value).startswith("1 problem in the question bank:\nmini.yaml:")


# --- never anything but a Bank or a BankError --------------------------------------------------


def _read_or_problems(text: str) -> None:
    try:
        assert isinstance(read_bank(text, "mini.yaml"), Bank)
    except BankError as error:
        assert error.problems
        for problem in error.problems:
            assert PROBLEM_LINE.match(problem), problem


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_gives_a_bank_or_problems(text):
    _read_or_problems(text)


@st.composite
def slice_mutations(draw) -> str:
    """mini.yaml with a slice deleted, doubled or replaced: mostly broken YAML."""
    start = draw(st.integers(0, len(MINI)))
    end = draw(st.integers(start, min(len(MINI), start + 80)))
    middle = draw(
        st.one_of(
            st.sampled_from(["", MINI[start:end] * 2, "\n", "  ", ": ", "- ", "[", "{", "'", '"', "&a", "*a"]),
            st.text(max_size=10),
        )
    )
    return MINI[:start] + middle + MINI[end:]


@st.composite
def line_mutations(draw) -> str:
    """mini.yaml with lines dropped, repeated or re-indented: mostly valid YAML, wrong bank."""
    lines = MINI.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(["drop", "repeat", "indent", "dedent"]))
        if change == "drop":
            del lines[i]
        elif change == "repeat":
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
        elif change == "indent":
            lines[i] = "  " + lines[i]
        else:
            lines[i] = lines[i].lstrip(" ")
    return "".join(lines)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(slice_mutations(), line_mutations()))
def test_mutated_mini_gives_a_bank_or_problems(text):
    _read_or_problems(text)


# --- files on disk -----------------------------------------------------------------------------


def test_load_bank_on_missing_file(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(BankError) as caught:
        load_bank(missing)
    [problem] = caught.value.problems
    assert problem.startswith(f"{missing}: cannot read the question bank: ")
    assert "No such file" in problem


def test_load_bank_on_file_that_is_not_utf8(tmp_path):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(BankError) as caught:
        load_bank(latin1)
    [problem] = caught.value.problems
    assert problem.startswith(f"{latin1}: cannot read the question bank: ")


def test_load_bank_names_the_file_in_problems(tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_text(MINI.replace("title: Mini quiz", "titel: Mini quiz", 1), encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert caught.value.problems[0].startswith(f"{path}:9:1: ")


# --- lengths the database stores ---------------------------------------------------------------


def test_a_version_longer_than_the_database_stores_is_a_located_problem():
    longest = "v" * MAX_VERSION_LENGTH
    assert read_bank(mutate('version: "test-1"', f'version: "{longest}"')).version == longest
    broken = mutate('version: "test-1"', f'version: "{longest}x"')
    line, column = position_of(broken, broken.index(f'"{longest}x"'))
    [problem] = problems_of(broken)
    assert problem.startswith(f"mini.yaml:{line}:{column}: version: 'vvvv")
    assert problem.endswith(
        f"is {MAX_VERSION_LENGTH + 1} characters long, more than the {MAX_VERSION_LENGTH} that are stored (shorten it)"
    )


def test_every_string_column_filled_from_the_bank_has_the_length_the_bank_checks():
    # Ids, texts and answers are stored inside JSON, which has no length; these are columns.
    from_bank = [Attempt.__table__.c.bank_version, BankVersion.__table__.c.version]
    assert [column.type.length for column in from_bank] == [MAX_VERSION_LENGTH] * len(from_bank)
    assert Bank.model_fields["version"].metadata[0].max_length == MAX_VERSION_LENGTH


def test_a_file_over_the_size_limit_is_refused_without_being_parsed(tmp_path):
    path = tmp_path / "questions.yaml"
    path.write_text("x" * (MAX_BANK_BYTES + 1), encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert caught.value.problems == [
        f"{path}:1:1: the file is {MAX_BANK_BYTES + 1:,} bytes, over the limit of {MAX_BANK_BYTES:,} (1 MiB) for a "
        "question bank; the shipped one is about 45 KB, so check that the right file was copied"
    ]
    path.write_text(MINI + "#" * (MAX_BANK_BYTES - len(MINI.encode()) - 1) + "\n", encoding="utf-8")
    assert load_bank(path).version == "test-1"  # at the limit exactly: read as usual
