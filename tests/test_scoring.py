"""Scoring and report rules (quiz/scoring.py), on the small test bank and on edited copies of it.

Expected values are worked out here from the rules the README states (exact fractions, rounding
half up), never copied from the code under test. The shipped questions.yaml is only checked for
what must hold of any bank: its texts avoid words that judge people, and its reports keep their
own rules for any answers.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from quiz.bank import DEFAULT_PATH
from quiz.bank import read_bank
from quiz.old_reports import readable
from quiz.scoring import build_report
from quiz.scoring import careless_notes
from quiz.scoring import dimension_scores
from quiz.scoring import inconsistency
from quiz.scoring import item_points
from quiz.scoring import option_order
from quiz.scoring import prior_precision
from quiz.scoring import raised_flags
from quiz.scoring import skills_score
from quiz.scoring import spread
from quiz.stats import precision_from_results

MINI_PATH = Path(__file__).parent / "data" / "mini.yaml"
MINI = MINI_PATH.read_text()
# Someone with a diploma, no credentials and an interest in clinical tasks.
PROFILE = {"education": "diploma", "certifications": ["none"], "clinical_interest": "yes"}


def mini(replace: dict | None = None):
    text = MINI
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return read_bank(text, "mini.yaml")


@pytest.fixture(scope="module")
def bank():
    return mini()


def half_up(value) -> int:
    return math.floor(Fraction(value) + Fraction(1, 2))


def answers(care=("4", "2", "4", "b"), fit=("4", "2", "4", "4"), check="4", **profile):
    """Answers to the mini bank: care_listen, care_rushed (reversed), care_notice, care_scenario;
    fit_people, fit_hours (reversed), fit_desk, fit_helping; the attention check (asks for 4)."""
    ids = [
        "care_listen",
        "care_rushed",
        "care_notice",
        "care_scenario",
        "fit_people",
        "fit_hours",
        "fit_desk",
        "fit_helping",
    ]
    given = dict(zip(ids, [*care, *fit], strict=True))
    given = {k: v for k, v in given.items() if v is not None}
    if check is not None:
        given["check_agree"] = check
    return {**PROFILE, **profile, **given}


# --- points and scores ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "points"), [("1", 0), ("2", 1), ("3", 2), ("4", 3), ("5", 4)])
def test_agree_keyed_answer_earns_answer_minus_one_of_four(bank, raw, points):
    assert item_points(bank.questions["care_listen"], raw) == (points, 4)


@pytest.mark.parametrize(("raw", "points"), [("1", 4), ("2", 3), ("3", 2), ("4", 1), ("5", 0)])
def test_reverse_keyed_answer_earns_five_minus_answer_of_four(bank, raw, points):
    assert item_points(bank.questions["care_rushed"], raw) == (points, 4)


@pytest.mark.parametrize(("key", "points"), [("a", 1), ("b", 3), ("c", 0)])
def test_scenario_option_earns_its_points_of_three(bank, key, points):
    assert item_points(bank.questions["care_scenario"], key) == (points, 3)


@pytest.mark.parametrize("answer", [None, "", "0", "6", "x", ["4"], "4.0"])
def test_missing_or_invalid_answer_earns_nothing(bank, answer):
    assert item_points(bank.questions["care_listen"], answer) is None
    assert item_points(bank.questions["care_scenario"], answer) is None


def test_attention_check_is_never_scored(bank):
    assert item_points(bank.questions["check_agree"], "4") is None
    assert "check_agree" not in [i.id for d in bank.dimensions for i in bank.items_of(d.id)]


def test_dimension_score_is_the_mean_credit_rounded_half_up(bank):
    # care: 3/4 + 3/4 + 3/4 + 3/3 = 13/4 over 4 items -> 81.25 -> 81
    scores = dimension_scores(bank, answers())
    assert scores["care"] == half_up(100 * (Fraction(3, 4) * 3 + 1) / 4) == 81
    # One half exactly: credits 2/4, 2/4, 2/4 and 3/3 -> 62.5 -> 63 (Python's round gives 62).
    assert dimension_scores(bank, answers(care=("3", "3", "3", "b")))["care"] == 63


def test_a_dimension_needs_three_quarters_of_its_items_answered(bank):
    assert dimension_scores(bank, answers(care=("4", "2", "4", None)))["care"] == 75  # 3 of 4 answered
    assert dimension_scores(bank, answers(care=("4", "2", None, None)))["care"] is None


def test_skills_score_leaves_out_the_context_dimension(bank):
    low_fit = answers(fit=("1", "5", "1", "1"))
    assert dimension_scores(bank, low_fit)["fit"] == 0
    assert skills_score(bank, dimension_scores(bank, low_fit)) == dimension_scores(bank, low_fit)["care"]


def test_skills_score_is_weighted_by_the_bank():
    two_skills = mini(
        {
            "  - id: fit\n    label: Work-context fit\n    kind: context\n": "  - id: fit\n    label: Work-context fit\n    kind: skill\n    weight: 3\n",
            "    labels:\n      - {id: suits, label: Suits you, min: 60, max: 100, tone: high}\n"
            "      - {id: look_closer, label: Worth a closer look, min: 0, max: 59, tone: low}\n": "",
            "    when: {score: fit, label: [look_closer]}\n": "    when: {score: fit, below: 60}\n",
            "        - {score: fit, label: [look_closer]}": "        - {score: fit, below: 60}",
        }
    )
    scores = {"care": 80, "fit": 40}
    assert skills_score(two_skills, scores) == half_up(Fraction(80 * 1 + 40 * 3, 4)) == 50


# --- ranges, near the line, precision ----------------------------------------------------------


def test_range_is_one_standard_error_either_way_from_the_priors(bank):
    report = build_report(bank, answers())
    care = next(d for d in report["dimensions"] if d["id"] == "care")
    error = 15 * math.sqrt(1 - 0.75)  # the mini bank's prior: SD 15, reliability 0.75
    assert care["error"] == round(error, 1)
    assert (care["low"], care["high"]) == (
        half_up(Fraction(81) - Fraction(error)),
        half_up(Fraction(81) + Fraction(error)),
    )


def test_a_range_crossing_a_line_says_near_the_line_with_the_other_label(bank):
    labels = bank.score_labels
    near = spread(labels, 72, 5.0, "Near the line with {nearby}.")
    assert (near["low"], near["high"], near["score_label"], near["nearby"]) == (67, 77, "Strength", "Solid base")
    assert near["near"] == "Near the line with Solid base."
    clear = spread(labels, 85, 5.0, "Near the line with {nearby}.")
    assert clear["near"] is None and clear["nearby"] is None


def test_ranges_stop_at_0_and_100(bank):
    assert spread(bank.score_labels, 97, 7.5, "{nearby}")[["low", "high"][1]] == 100
    assert spread(bank.score_labels, 3, 7.5, "{nearby}")["low"] == 0


def test_skills_range_combines_the_errors_of_the_skills(bank):
    report = build_report(bank, answers())
    # One skill in the mini bank: the skills range is that skill's range.
    care = next(d for d in report["dimensions"] if d["id"] == "care")
    assert (report["skills"]["low"], report["skills"]["high"]) == (care["low"], care["high"])


def test_precision_comes_from_the_priors_until_enough_results_then_from_alpha():
    bank = mini({"  min_results: 1000\n": "  min_results: 10\n"})
    few = [answers()] * (bank.precision.min_results - 1)
    assert precision_from_results(bank, few) == prior_precision(bank)
    varied = [
        answers(care=(a, b, c, "b"))
        for a, b, c in [
            ("5", "1", "5"),
            ("2", "4", "2"),
            ("4", "2", "3"),
            ("1", "5", "1"),
            ("3", "3", "3"),
            ("5", "2", "4"),
            ("2", "5", "1"),
            ("4", "1", "5"),
            ("3", "4", "2"),
            ("1", "4", "2"),
        ]
    ]
    estimate = precision_from_results(bank, varied)
    assert estimate["source"] == "results" and estimate["results"] == 10
    assert estimate["dimensions"]["care"] != prior_precision(bank)["dimensions"]["care"]
    report = build_report(bank, answers(), estimate)
    assert report["precision"] == {"source": "results", "results": 10}


# --- bands and caps ----------------------------------------------------------------------------


def test_band_follows_the_skills_score(bank):
    assert build_report(bank, answers())["band"]["id"] == "strong"  # care 81, fit fine, no flag
    assert build_report(bank, answers(care=("4", "2", "3", "a")))["band"]["id"] == "promising"  # 58
    assert build_report(bank, answers(care=("2", "4", "2", "c")))["band"]["id"] == "explore"  # 19


def test_a_poor_day_to_day_fit_caps_a_strong_band_and_says_why(bank):
    report = build_report(bank, answers(fit=("2", "4", "2", "2")))  # fit 25: Worth a closer look
    assert report["band"]["id"] == "promising"
    [cap] = report["caps"]
    assert cap["id"] == "day_to_day" and cap["details"] == ["Work-context fit: 25"]


def test_a_strong_flag_caps_the_band_but_a_mild_one_does_not(bank):
    strong = build_report(bank, answers(fit=("5", "5", "5", "5")))
    assert [c["id"] for c in strong["caps"]] == ["flagged"] and strong["band"]["id"] == "promising"
    mild = build_report(bank, answers(fit=("5", "4", "5", "5")))
    assert mild["caps"] == [] and mild["band"]["id"] == "strong"


def test_caps_never_raise_a_band(bank):
    report = build_report(bank, answers(care=("4", "2", "3", "a"), fit=("5", "5", "1", "1")))
    assert report["band"]["id"] == "promising" and report["caps"] == []


def test_a_capped_result_is_not_called_near_the_line(bank):
    report = build_report(bank, answers(care=("5", "2", "4", "a"), fit=("2", "4", "2", "2")))  # care 71
    assert report["caps"] and report["skills"]["near"] is None


def test_band_headline_says_near_the_line_when_the_skills_range_crosses_a_band(bank):
    report = build_report(bank, answers(care=("5", "2", "4", "a")))  # 71, likely 64 to 79
    assert report["band"]["id"] == "strong"
    assert report["skills"]["near"] == "Near the line with Promising fit."


# --- things to check ---------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "level"), [("5", "strong"), ("4", "mild"), ("3", None), ("1", None)])
def test_flag_levels_follow_the_listed_answers(bank, raw, level):
    raised = raised_flags(bank, answers(fit=("4", raw, "4", "4")))
    assert [lvl for _, lvl in raised] == ([level] if level else [])


def test_flag_rows_use_the_words_of_their_level(bank):
    [strong] = build_report(bank, answers(fit=("4", "5", "4", "4")))["flags"]
    [mild] = build_report(bank, answers(fit=("4", "4", "4", "4")))["flags"]
    assert strong["text"] == "You said weekend shifts would be very hard." and strong["level"] == "strong"
    assert mild["text"] == "You said weekend shifts would be hard." and mild["level"] == "mild"


def test_a_flag_can_read_a_profile_question():
    flagged = mini(
        {
            "    item: fit_hours\n    strong: [5]\n    mild: [4]\n": '    item: clinical_interest\n    strong: ["no"]\n    mild: []\n',
        }
    )
    assert [(f.id, lvl) for f, lvl in raised_flags(flagged, answers(clinical_interest="no"))] == [
        ("hours_flag", "strong")
    ]
    assert raised_flags(flagged, answers(clinical_interest="yes")) == []


# --- careless answering ------------------------------------------------------------------------


def test_careful_answers_give_no_caution(bank):
    report = build_report(bank, answers())
    assert report["careless"] is False and report["quality_notes"] == []


def test_a_missed_attention_check_gives_its_note_and_withholds_nothing_from_the_scores(bank):
    careful, careless = build_report(bank, answers()), build_report(bank, answers(check="2"))
    assert careless["careless"] and careless["quality_notes"] == [bank.quality.attention_note]
    assert [d["score"] for d in careless["dimensions"]] == [d["score"] for d in careful["dimensions"]]
    assert careless["band"] == careful["band"]  # kept in the data; the page shows no headline


def test_one_sign_is_a_caution_beside_the_band_and_more_withhold_it():
    bank = mini({"  withhold_at_signs: 1\n": "  withhold_at_signs: 2\n"})
    one = build_report(bank, answers(check="2"))
    assert one["quality_notes"] == [bank.quality.attention_note] and one["careless"] is False
    two = build_report(bank, answers(care=("4", "4", "4", "b"), fit=("4", "4", "4", "4"), check="2"))
    assert two["careless"] is True and len(two["quality_notes"]) == 2


def test_a_forgiven_slip_on_an_attention_check_alone_gives_no_caution():
    bank = mini({"  withhold_at_signs: 1\n": "  withhold_at_signs: 2\n  attention_slips_forgiven: 1\n"})
    assert careless_notes(bank, answers(check="2")) == []
    # With another sign beside it, the slip counts again.
    notes = careless_notes(bank, answers(care=("5", "5", "4", "b"), check="2"))
    assert notes == [bank.quality.attention_note, bank.quality.inconsistency_note]


def test_the_same_answer_everywhere_gives_its_note(bank):
    notes = careless_notes(bank, answers(care=("4", "4", "4", "b"), fit=("4", "4", "4", "4")))
    assert bank.quality.same_answer_note in notes


def test_inconsistency_is_how_far_each_opposite_pair_is_from_mirroring(bank):
    assert inconsistency(bank, answers(care=("5", "1", "4", "b"))) == 0  # 5 + 1 = 6 mirrors exactly
    assert inconsistency(bank, answers(care=("5", "5", "4", "b"))) == 4
    assert bank.quality.inconsistency_note in careless_notes(bank, answers(care=("5", "4", "4", "b")))  # 3 >= 2
    assert bank.quality.inconsistency_note not in careless_notes(bank, answers(care=("5", "2", "4", "b")))  # 1 < 2


# --- strengths, areas and the table agree ------------------------------------------------------


def test_strengths_are_skills_labelled_high_and_areas_skills_labelled_low(bank):
    strong, weak = build_report(bank, answers()), build_report(bank, answers(care=("2", "4", "2", "c")))
    assert [d["id"] for d in strong["strengths"]] == ["care"] and strong["areas"] == []
    assert [d["id"] for d in weak["areas"]] == ["care"] and weak["strengths"] == []
    assert weak["strengths_are_relative"]


def test_a_solid_base_is_neither_a_strength_nor_an_area_to_build(bank):
    report = build_report(bank, answers(care=("4", "2", "3", "a")))  # 58: Solid base
    assert report["areas"] == [] and report["strengths_are_relative"]
    assert [d["score_label"] for d in report["strengths"]] == ["Solid base"]


# --- steps, careers and the scenario order -----------------------------------------------------


def test_steps_follow_conditions_and_say_because(bank):
    steps = {s["id"]: s for s in build_report(bank, answers())["steps"]}
    assert list(steps) == ["cert_step", "network_step"]
    assert (
        steps["cert_step"]["because"]
        == "Because you told us: certifications \u201cNone of these\u201d. Because of your result: Strong fit."
    )
    assert steps["network_step"]["because"] == ""
    assert steps["cert_step"]["cost"] == "About $125"


def test_a_step_whose_requirement_is_not_met_says_what_is_needed_first(bank):
    steps = {s["id"]: s for s in build_report(bank, answers(education="less_than_hs"))["steps"]}
    assert steps["diploma_step"]["first_needs"] == []
    assert steps["cert_step"]["first_needs"] == ["a diploma or GED"]


def test_matched_careers_come_first(bank):
    careers = build_report(bank, answers(fit=("2", "4", "2", "2")))["careers"]
    assert [(c["id"], c["matched"]) for c in careers] == [("records_career", True), ("assistant_career", True)]
    careers = build_report(bank, answers(clinical_interest="no"))["careers"]
    assert [(c["id"], c["matched"]) for c in careers] == [("records_career", False), ("assistant_career", False)]


def test_option_order_is_fixed_by_the_seed_and_differs_between_seeds(bank):
    scenario = bank.questions["care_scenario"]
    assert [o.key for o in option_order(scenario, None)] == ["a", "b", "c"]
    orders = {tuple(o.key for o in option_order(scenario, seed)) for seed in range(40)}
    assert len(orders) == 6  # every order of three options turns up
    assert option_order(scenario, 7) == option_order(scenario, 7)
    assert option_order(bank.questions["care_listen"], 7) == []  # statements have no options to shuffle


def test_the_report_lists_a_situations_options_in_the_order_they_were_shown(bank):
    report = build_report(bank, answers(), option_seed=7)
    [row] = [r for g in report["contributions"] for r in g["items"] if r["id"] == "care_scenario"]
    shown = [o.text for o in option_order(bank.questions["care_scenario"], 7)]
    assert [o["text"] for o in row["options"]] == shown
    assert [o["chosen"] for o in row["options"]] == [t == "Explain it and send a summary." for t in shown]


# --- the report as data ------------------------------------------------------------------------


def test_report_is_plain_json_that_holds_its_own_texts(bank):
    report = build_report(bank, answers(fit=("4", "5", "4", "4")))
    assert json.loads(json.dumps(report)) == report
    assert report["flags"][0]["tip"] == "Ask about hours."
    assert report["rules"]["marks"] == [50, 70]
    assert report["day_to_day"][0]["score_label"] in ("Suits you", "Worth a closer look")


def test_cut_offs_edited_in_the_bank_move_labels_marks_strengths_and_caps_together():
    edited = mini(
        {
            "  - {id: strength, label: Strength, min: 70, max: 100, tone: high}\n"
            "  - {id: solid, label: Solid base, min: 50, max: 69, tone: middle}\n"
            "  - {id: to_build, label: Area to build, min: 0, max: 49, tone: low}": "  - {id: strength, label: Strength, min: 85, max: 100, tone: high}\n"
            "  - {id: solid, label: Solid base, min: 65, max: 84, tone: middle}\n"
            "  - {id: to_build, label: Area to build, min: 0, max: 64, tone: low}",
        }
    )
    report = build_report(edited, answers(care=("5", "2", "4", "a")))  # care 71
    care = next(d for d in report["dimensions"] if d["id"] == "care")
    assert care["score_label"] == "Solid base" and report["rules"]["marks"] == [65, 85]
    assert report["strengths_are_relative"] and report["areas"] == []
    low = build_report(edited, answers(care=("4", "2", "3", "a")))  # 58: now an area to build
    assert [d["id"] for d in low["areas"]] == ["care"]
    assert "skill_floor" not in [c["id"] for c in low["caps"]]  # the band is not strong, so nothing to cap


def test_a_report_stored_in_the_first_format_reads_with_its_own_numbers_and_words():
    stored = {
        "title": "Old quiz",
        "version": "2026.11-2",
        "digest": "a" * 64,
        "overall": 68,
        "band": {"id": "promising", "label": "Promising fit", "headline": "A good base."},
        "caps": [],
        "dimensions": [
            {
                "id": "empathy",
                "label": "Patient empathy",
                "kind": "skill",
                "description": "d",
                "job_task": "t",
                "score": 68,
                "weight": 1,
                "score_label": "Solid base",
                "score_label_id": "solid",
                "strength": "s",
                "actions": ["a"],
            }
        ],
        "strengths": [],
        "strengths_are_relative": True,
        "areas": [],
        "flags": [],
        "quality_notes": ["You agreed with almost everything."],
        "steps": [{"id": "network", "title": "Network", "detail": "d", "time": "t", "because": "Shown to everyone."}],
        "careers": [],
        "explore_emphasis": False,
        "contributions": [
            {
                "dimension": "Patient empathy",
                "score": 68,
                "items": [
                    {
                        "id": "x",
                        "text": "x",
                        "kind": "likert",
                        "reverse": False,
                        "answer": "Agree",
                        "points": 3,
                        "max_points": 4,
                    }
                ],
            }
        ],
        "rules": {
            "bands": [
                {"label": "Strong fit", "min": 70, "max": 100},
                {"label": "Promising fit", "min": 50, "max": 69},
                {"label": "Explore", "min": 0, "max": 49},
            ],
            "score_labels": [
                {"label": "Strength", "min": 70, "max": 100},
                {"label": "Solid base", "min": 50, "max": 69},
                {"label": "Area to build", "min": 0, "max": 49},
            ],
            "caps": [],
            "min_answered_share": 0.75,
        },
        "role": {},
        "limits": "Early version.",
    }
    shown = readable(stored)
    assert shown["legacy"] and shown["skills"]["score"] == 68 and shown["band"]["tone"] == "middle"
    assert shown["dimensions"][0]["score_label"] == "Solid base" and shown["dimensions"][0]["tone"] == "middle"
    assert shown["quality_notes"] == stored["quality_notes"] and shown["careless"] is False
    assert shown["steps"][0]["because"] == "" and shown["rules"]["marks"] == [50, 70]
    assert readable(shown) is shown


# --- any answers, any bank ---------------------------------------------------------------------

LIKERT = st.sampled_from(["1", "2", "3", "4", "5", None])


@settings(max_examples=150, deadline=None)
@given(
    st.tuples(LIKERT, LIKERT, LIKERT, st.sampled_from(["a", "b", "c", None])),
    st.tuples(LIKERT, LIKERT, LIKERT, LIKERT),
    st.sampled_from(["1", "2", "3", "4", "5", None]),
)
def test_report_keeps_its_rules_for_any_answers(care, fit, check):
    bank = mini()
    report = build_report(bank, answers(care=care, fit=fit, check=check))
    for d in report["dimensions"]:
        if d["score"] is not None:
            assert 0 <= d["low"] <= d["score"] <= d["high"] <= 100
            labels = {r.label: r for r in bank.labels_of(bank.dimension_by_id[d["id"]])}
            assert labels[d["score_label"]].min <= d["score"] <= labels[d["score_label"]].max
    assert all(d["tone"] == "high" for d in report["strengths"] if not report["strengths_are_relative"])
    assert all(d["tone"] == "low" for d in report["areas"])
    assert not {d["id"] for d in report["strengths"]} & {d["id"] for d in report["areas"]}
    if report["band"] is not None:
        band = next(b for b in bank.bands if b.id == report["band"]["id"])
        assert band.min <= report["skills"]["score"] or report["caps"] == []


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["care_listen", "care_rushed", "care_notice", "fit_people", "fit_hours", "fit_desk"]),
    st.integers(1, 4),
    st.tuples(LIKERT, LIKERT, LIKERT, LIKERT),
)
def test_a_better_answer_never_lowers_its_dimension_score(item_id, raw, rest):
    bank = mini()
    item = bank.questions[item_id]
    worse, better = (str(raw + 1), str(raw)) if item.reverse else (str(raw), str(raw + 1))
    base = answers(care=rest[:3] + ("b",), fit=rest)
    low, high = dimension_scores(bank, {**base, item_id: worse}), dimension_scores(bank, {**base, item_id: better})
    if low[item.dimension] is not None:
        assert high[item.dimension] >= low[item.dimension]


JUDGING = re.compile(r"\b(unfit|fail(s|ed)?|not suited|poor|weak)\b", re.IGNORECASE)


def test_the_shipped_bank_never_judges_people():
    assert not JUDGING.search(DEFAULT_PATH.read_text())
