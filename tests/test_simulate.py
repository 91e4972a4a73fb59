"""The simulator (quiz/simulate.py): pinned on the small test bank, where the right answers can be
worked out by hand, then the shipped bank against the targets the README records."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from quiz.bank import DEFAULT_PATH
from quiz.bank import load_bank
from quiz.bank import read_bank
from quiz.simulate import Model
from quiz.simulate import scenario_strategies
from quiz.simulate import score_test_wise_taker
from quiz.simulate import simulate
from quiz.simulate import unreached

MINI_PATH = Path(__file__).parent / "data" / "mini.yaml"
FLASK = str(Path(sys.executable).with_name("flask"))
# Answers that follow the trait and nothing else.
EXACT = Model(
    loading=1.5,
    desirability=0,
    item_spread=0,
    person_lean=0,
    acquiescence=0,
    noise=0.01,
    scenario_pull=50,
    obviousness=0,
    lapse=0,
)


def mini(replace: dict | None = None):
    text = MINI_PATH.read_text()
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return read_bank(text, "mini.yaml")


def share(counter, label) -> float:
    return counter[label] / max(1, sum(counter.values()))


def test_answers_that_follow_the_trait_sort_people_by_their_true_level():
    result = simulate(mini(), people=600, seed=3, model=EXACT, careless_people=10)
    assert share(result.bands_by_third["lowest"], "Strong fit") == 0
    assert share(result.bands_by_third["top"], "Explore and compare") == 0
    assert share(result.bands_by_third["top"], "Strong fit") > share(result.bands_by_third["lowest"], "Strong fit")


def test_answers_that_follow_only_how_agreeable_statements_are_give_everyone_the_same_band():
    # No trait at all: every answer is 3 + the statement's lean, so everybody scores alike.
    result = simulate(
        mini(),
        people=200,
        seed=3,
        careless_people=10,
        model=Model(
            loading=0,
            desirability=1,
            item_spread=0,
            person_lean=0,
            acquiescence=0,
            noise=0.01,
            scenario_pull=0,
            obviousness=0,
        ),
    )
    assert max(result.bands.values()) >= 0.6 * result.people  # only the situation's random pick varies
    assert result.same_band < 1


def test_without_noise_a_retest_gives_the_same_band_and_labels():
    result = simulate(mini(), people=300, seed=5, model=EXACT, careless_people=10)
    assert result.same_band > 0.97 and result.same_label > 0.97


def test_random_responders_miss_an_attention_check_four_times_in_five():
    # Only the attention check can catch them here: the other signs are switched off.
    bank = mini(
        {
            "  same_answer_sd_below: 0.4\n": "  same_answer_sd_below: 0\n",
            "  inconsistency_at_least: 2\n": "  inconsistency_at_least: 4\n",
        }
    )
    result = simulate(bank, people=50, seed=11, careless_people=2000)
    assert abs(result.cautioned["random responders"] - 4 / 5) < 0.03
    assert result.cautioned["model-consistent people (false cautions)"] < 0.05  # lapses only


def test_strategies_score_the_longest_option_and_chance_as_worked_out_by_hand():
    # care_scenario: a "Point them to the portal." (5 words, 1 point), b "Explain it and send a
    # summary." (6 words, 3 points), c "Say you explained it twice." (5 words, 0 points).
    strategies = scenario_strategies(mini())
    assert strategies["always the longest option"] == 1
    assert strategies["choosing at random"] == strategies["always the same letter"] == pytest.approx(4 / 9)


def test_score_test_wise_taker_is_scored_and_cautioned_by_the_real_report():
    taker = score_test_wise_taker(mini())
    # 5 on care_listen (4 of 4), care_rushed (reversed: 0 of 4), care_notice (4 of 4); the longest
    # option b (3 of 3): (1 + 0 + 1 + 1) / 4 = 75, a Strong fit on the mini bank. The attention
    # check asks for 4, not 5.
    assert taker == {"skills": 75, "band": "Strong fit", "cautioned": True}


def test_what_no_simulated_person_reaches_is_listed():
    never = mini(
        {
            "    when: {answer: education, in: [less_than_hs]}": "    when: {all: [{answer: education, in: [less_than_hs]}, "
            "{answer: education, in: [degree]}]}"
        }
    )
    before = unreached(mini(), simulate(mini(), people=200, seed=1, careless_people=10))
    after = unreached(never, simulate(never, people=200, seed=1, careless_people=10))
    # The mini bank's one skill can never be below the rest while the band is strong, so its skill
    # floor is never reached either way.
    assert before == ["cap skill_floor"]
    assert after == ["cap skill_floor", "step diploma_step"]


def test_simulate_command_prints_every_section_and_refuses_a_broken_bank(tmp_path):
    done = subprocess.run(
        [FLASK, "--app", "quiz", "simulate", str(MINI_PATH), "--people", "200", "--careless", "50", "--seed", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for heading in (
        "200 simulated people, seed 2",
        "lowest third",
        "Retest",
        "random responders:",
        "always the longest option:",
        "Precision on the simulated answers",
        "never reached:",
    ):
        assert heading in done.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINI_PATH.read_text().replace("kind: likert", "kind: likret", 1))
    failed = subprocess.run(
        [FLASK, "--app", "quiz", "simulate", str(broken)], capture_output=True, text=True, timeout=60
    )
    assert failed.returncode == 1 and "likret" in failed.stderr


def test_the_shipped_bank_meets_the_targets_the_readme_records():
    bank = load_bank(DEFAULT_PATH)
    result = simulate(bank)  # the defaults, as `flask simulate` runs: 3,000 people, seed 1
    assert share(result.bands_by_third["lowest"], "Strong fit") <= 0.05
    assert share(result.bands_by_third["top"], "Explore and compare") <= 0.05
    assert result.same_band_clear >= 0.85
    assert result.cautioned["random responders"] >= 0.8
    assert result.cautioned["model-consistent people (false cautions)"] <= 0.05
    chance = result.strategies["choosing at random"]
    assert result.strategies["always the longest option"] <= chance
    assert result.strategies["always the same letter"] <= chance
    assert unreached(bank, result) == []
    assert_the_readme_records(result)


def percent(value: float) -> str:
    return f"{round(value * 100)}%"


def assert_the_readme_records(result) -> None:
    """The README's table of the simulator's run is this run's, figure for figure."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    everyone = " / ".join(
        percent(share(result.bands, band)) for band in ["Strong fit", "Promising fit", "Explore and compare"]
    )
    careless = result.cautioned["random responders"], result.withheld["random responders"]
    rows = [
        f"| Strong fit / Promising fit / Explore and compare, everyone | {everyone} |",
        f"| Strong fit in the lowest third of true level | {percent(share(result.bands_by_third['lowest'], 'Strong fit'))} |",
        f"| Explore and compare in the top third | {percent(share(result.bands_by_third['top'], 'Explore and compare'))} |",
        f"results ({percent(result.clear_share)} of people) | {percent(result.same_band_clear)} ({percent(result.same_band)} of everyone) |",
        f"| same label on each dimension on a retest | {percent(result.same_label)} |",
        f"| random responders cautioned / band headline left out | {percent(careless[0])} / {percent(careless[1])} |",
        f"(share of situation points) | {' / '.join(percent(result.strategies[s]) for s in ['always the longest option', 'always the same letter', 'choosing at random'])} |",
        f"reaches {result.reached['step']['try_it_first']:,} of the {result.people:,}",
        f"| careful people whose counselor is told most answers were in the middle | {result.many_middle:.1%} |",
        f"{result.many_middle:.1%} of the simulator's careful people get that note",
    ]
    stale = [row for row in rows if row not in " ".join(readme.split())]
    assert not stale, f"the README's simulator figures differ from this run; it should say: {stale}"
