"""Item statistics for editors: alpha, item-total correlations and the `stats` command."""

from __future__ import annotations

import random

import pytest

from quiz import db
from quiz import records
from quiz.scoring import build_report
from quiz.stats import corrected_item_total
from quiz.stats import cronbach_alpha
from quiz.stats import dimension_stats
from quiz.stats import format_stats


def test_alpha_of_a_hand_worked_example():
    # items [1,2,3] and [2,1,3]: variances 1 and 1, totals [3,3,6] variance 3 -> 2 * (1 - 2/3)
    assert cronbach_alpha([[1, 2], [2, 1], [3, 3]]) == pytest.approx(2 / 3)


def test_alpha_is_one_for_identical_items_and_undefined_without_spread():
    assert cronbach_alpha([[1, 1, 1], [2, 2, 2], [4, 4, 4]]) == pytest.approx(1.0)
    assert cronbach_alpha([[2, 2], [2, 2], [2, 2]]) is None
    assert cronbach_alpha([[1, 2]]) is None


def test_corrected_item_total_leaves_the_item_out():
    rows = [[1, 1, 5], [2, 2, 4], [3, 3, 3], [4, 4, 2]]
    # item 2 against items 0+1 (2, 4, 6, 8): perfectly opposite
    assert corrected_item_total(rows, 2) == pytest.approx(-1.0)
    assert corrected_item_total([[1, 1], [1, 2], [1, 3]], 0) is None


def consistent_answers(bank, level: int, odd_item: str | None = None) -> dict:
    """Everyone answers every item of every dimension at one pole: all 1s or all 5s (reverse-keyed
    items mirrored, scenarios at 0 or 3 points), so items within a dimension agree perfectly.
    `odd_item` is answered the other way round."""
    answers = {}
    for item in bank.items:
        high = (level == 5) != (item.id == odd_item)
        if item.kind == "likert":
            answers[item.id] = str(1 if high == item.reverse else 5)
        elif item.kind == "attention":
            answers[item.id] = str(item.expect)
        else:
            answers[item.id] = max(item.options, key=lambda o: o.points if high else -o.points).key
    for question in bank.profile:
        answers[question.id] = [question.options[0].key] if question.multiple else question.options[0].key
    return answers


def test_dimension_stats_on_results_with_known_structure(bank):
    levels = [1, 5] * 10
    sets = [consistent_answers(bank, level, odd_item="fit_people") for level in levels]
    stats = {d.id: d for d in dimension_stats(bank, sets)}
    assert stats["care"].results == 20
    assert stats["care"].alpha == pytest.approx(1.0)
    assert stats["care"].mean == pytest.approx(50.0)
    people = next(i for i in stats["fit"].items if i.id == "fit_people")
    assert people.item_total == pytest.approx(-1.0)
    assert stats["fit"].alpha < 0.70


def test_random_answers_give_low_alpha(bank):
    rng = random.Random(4)
    sets = []
    for _ in range(300):
        answers = {}
        for item in bank.items:
            answers[item.id] = rng.choice(item.options).key if item.kind == "scenario" else str(rng.randint(1, 5))
        sets.append(answers)
    for d in dimension_stats(bank, sets):
        assert d.alpha < 0.4, (d.id, d.alpha)


def store_result(app, bank, answers, digest=None, version=None, group=None):
    with app.app_context(), db.writing() as write:
        attempt, _ = records.start_attempt(write, bank, group)
        records.finish_attempt(write, attempt.id, answers, build_report(bank, answers))
        if digest:
            attempt = write.get(type(attempt), attempt.id)
            attempt.bank_digest, attempt.bank_version = digest, version


def test_stats_command_reports_flags_and_leaves_out_older_versions(app, bank, runner):
    for level in [1, 5] * 5:
        store_result(app, bank, consistent_answers(bank, level, odd_item="fit_people"))
    store_result(app, bank, consistent_answers(bank, 5), digest="0" * 64, version="2025.1")
    result = runner.invoke(args=["stats"])
    assert result.exit_code == 0, result.output
    assert f"10 result(s) from quiz version {bank.version}" in result.output
    assert "Excluded 1 result(s) scored by other versions of the quiz (2025.1: 1)" in result.output
    assert "care (Patient care): n=10 mean=50.0 sd=52.7 alpha=1.00\n" in result.output
    people = next(line for line in result.output.splitlines() if line.strip().startswith("fit_people"))
    assert "-1.00" in people and "consider rewriting" in people
    assert "under 0.70" in next(
        line for line in result.output.splitlines() if line.startswith("fit (Work-context fit)")
    )


def test_stats_command_says_the_priors_are_used_until_enough_results_exist(app, bank, runner):
    for level in [1, 5, 1]:
        store_result(app, bank, consistent_answers(bank, level))
    result = runner.invoke(args=["stats"])
    assert (
        "use the reliability and SD priors in the question bank: 3 of the 1000 results needed so far." in result.output
    )


def test_items_nearly_everyone_gives_top_marks_are_flagged(bank):
    sets = [consistent_answers(bank, 5)] * 9 + [consistent_answers(bank, 1)]
    lines = format_stats(dimension_stats(bank, sets)).splitlines()
    listen = next(line for line in lines if line.strip().startswith("care_listen"))
    assert "nearly everyone gives it top marks" in listen


def test_stats_command_for_one_group(app, bank, runner):
    with app.app_context(), db.writing() as write:
        group, _ = records.create_group(write, "Cohort", "")
        code = group.code
    with app.app_context():
        group = records.find_group_by_code(db.session(), code)
    store_result(app, bank, consistent_answers(bank, 5), group=group)
    store_result(app, bank, consistent_answers(bank, 1))
    result = runner.invoke(args=["stats", "--group", code])
    assert f"1 result(s) from quiz version {bank.version} (group {code})" in result.output
