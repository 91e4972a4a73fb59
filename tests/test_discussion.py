"""The counselor's discussion guide, as a pure function of a report and its bank: every question
comes from the bank, near-the-line questions only where a result is near a line, and a way to
explore each flag that was raised."""

from __future__ import annotations

import math

import pytest
from conftest import page_answers

from quiz.bank import DEFAULT_PATH
from quiz.bank import load_bank
from quiz.discussion import guide
from quiz.discussion import possessive
from quiz.scoring import build_report


@pytest.fixture(scope="module")
def shipped():
    return load_bank(DEFAULT_PATH)


def all_answers(bank, change=None):
    answers = {}
    for step in range(1, len(bank.pages) + 1):
        answers.update(page_answers(bank, step))
    return {**answers, **(change or {})}


def test_possessive_names_the_client_or_says_this_client():
    assert possessive("Dana") == "Dana\u2019s"
    assert possessive("") == possessive(None) == "This client\u2019s"


def test_every_dimension_gets_its_two_questions_from_the_bank(shipped):
    report = build_report(shipped, all_answers(shipped))
    made = guide(report, shipped)
    assert [d["label"] for d in made["dimensions"]] == [d.label for d in shipped.dimensions]
    for row, dimension in zip(made["dimensions"], shipped.dimensions, strict=True):
        assert row["ask"] == dimension.guide.ask and len(row["ask"]) == 2
    assert made["text"].intro == shipped.discussion.intro
    assert len(made["steps"]) + made["blank_rows"] == max(shipped.discussion.plan_rows, len(made["steps"]) + 2)


def test_a_near_the_line_question_only_where_the_result_is_near_a_line(shipped):
    report = build_report(shipped, all_answers(shipped))
    rows = {row["id"]: row for row in report["dimensions"]}
    made = guide(report, shipped)
    near = [d for d in made["dimensions"] if d["near_question"]]
    assert near, "typical answers put no score near a line; pick answers that do"
    for row, dimension in zip(made["dimensions"], shipped.dimensions, strict=True):
        if rows[dimension.id]["near"]:
            assert row["near_question"] == dimension.guide.near and row["nearby"] == rows[dimension.id]["nearby"]
        else:
            assert row["near_question"] is None and row["nearby"] is None


def test_each_raised_flag_comes_with_its_way_to_explore_it(shipped):
    raising = {flag.item: flag.strong[0] for flag in shipped.flags}
    answers = all_answers(shipped, {item: str(value) for item, value in raising.items()})
    report = build_report(shipped, answers)
    made = guide(report, shipped)
    assert len(made["flags"]) == len(shipped.flags)
    by_title = {flag.title: flag for flag in shipped.flags}
    for row in made["flags"]:
        assert row["explore"] == by_title[row["title"]].explore != ""
    assert guide(build_report(shipped, all_answers(shipped)), shipped)["flags"] == []


def test_careless_answers_get_the_careless_note_and_no_band(shipped):
    # "Agree" to every statement and every attention check: the same answer throughout.
    same = {item.id: "4" for item in shipped.items if item.kind in ("likert", "attention")}
    report = build_report(shipped, all_answers(shipped, same))
    assert report["careless"]
    made = guide(report, shipped)
    assert made["band"] is None and made["band_note"] == shipped.discussion.careless


def test_a_dimension_the_bank_no_longer_has_gets_no_invented_questions(shipped):
    report = build_report(shipped, all_answers(shipped))
    report["dimensions"][0] = {**report["dimensions"][0], "id": "retired"}
    assert guide(report, shipped)["dimensions"][0]["ask"] == []


def test_a_promising_band_with_two_things_to_check_finds_out_more_before_paying(shipped):
    """Found by a counselor's review: paid training was offered first to people whose answers
    said the daily work might not suit them."""
    two = {flag.item: str(flag.strong[0]) for flag in shipped.flags[1:3]}
    profile = {
        "education": "diploma",
        "certifications": ["none"],
        "clinical_interest": "yes",
        "training_time": "years_1_2",
    }
    steps = [s["id"] for s in build_report(shipped, all_answers(shipped, {**two, **profile}))["steps"]]
    assert "try_it_first" in steps and "ma_program" in steps
    assert steps.index("try_it_first") < steps.index("ma_program")
    calm = [s["id"] for s in build_report(shipped, all_answers(shipped, profile))["steps"]]
    assert "try_it_first" not in calm and "ma_program" in calm


def test_the_counselor_is_told_when_half_the_statements_got_the_middle_answer(shipped):
    statements = [item.id for item in shipped.items if item.kind == "likert"]
    share = shipped.discussion.many_middle_share
    enough = math.ceil(len(statements) * share)  # just at the share, and one fewer

    def middle(count):
        return all_answers(shipped, {qid: "3" if n < count else "4" for n, qid in enumerate(statements)})

    at_share, below = middle(enough), middle(enough - 1)
    told = guide(build_report(shipped, at_share), shipped, at_share)
    assert told["many_middle"] == shipped.discussion.many_middle
    assert guide(build_report(shipped, below), shipped, below)["many_middle"] is None
    # Without the answers (or with none in the middle) nothing is said.
    assert guide(build_report(shipped, at_share), shipped)["many_middle"] is None
    plain = all_answers(shipped, {qid: "4" for qid in statements})
    assert guide(build_report(shipped, plain), shipped, plain)["many_middle"] is None


def test_a_few_answers_in_the_middle_never_make_half_of_the_statements(shipped):
    statements = [item.id for item in shipped.items if item.kind == "likert"]
    answers = all_answers(shipped)
    for qid in statements[3:]:
        answers.pop(qid)  # left unanswered
    answers.update({qid: "3" for qid in statements[:3]})
    assert guide(build_report(shipped, answers), shipped, answers)["many_middle"] is None
