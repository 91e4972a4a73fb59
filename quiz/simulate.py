"""Synthetic quiz takers, scored through the real report code, so an editor can see what a bank
does before real people take it. No Flask.

The model of an answer (every parameter is an option of `flask --app quiz simulate`):
each person has a true level on each dimension (standard normal, correlated across dimensions),
a tendency to agree with anything, and a pull of their own toward the desirable answer. An
agree-scale answer is 3 + the statement's lean toward its desirable pole + (loading x trait + the
person's pull) toward that pole + the tendency to agree + noise, rounded to 1-5. Reverse keying
cancels the tendency to agree but not the pull. A situation's choice is drawn toward better
options by the trait, by how plainly better they look, and by the person's pull. Attentive
people answer attention checks as asked, but for rare lapses.

"True level" is what the bank's own dimensions would measure without error: the thirds show
whether the verdict follows it, not whether the dimensions are the right ones for the job.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

import numpy as np

from .bank import Bank
from .scoring import build_report
from .scoring import careless_notes
from .scoring import item_points
from .scoring import middle_share
from .scoring import withholds_band
from .stats import cronbach_alpha


@dataclass(frozen=True)
class Model:
    loading: float = 0.6  # scale points an answer moves per standard deviation of the trait
    desirability: float = 0.8  # how far statements lean, on average, toward their desirable pole
    item_spread: float = 0.5  # how much statements differ in that lean (SD)
    person_lean: float = (
        0.3  # SD of each person's own pull toward the desirable answer (not cancelled by reverse keying)
    )
    acquiescence: float = 0.3  # SD of a person's tendency to agree with anything
    noise: float = 0.8  # SD of everything else in one answer
    correlation: float = 0.3  # between one person's true levels on two dimensions
    scenario_pull: float = 1.0  # how strongly the trait favours better options in a situation
    obviousness: float = 0.5  # how much better options draw even a person of average level
    lapse: float = 0.02  # chance an attentive person misses one attention check


@dataclass
class Simulation:
    people: int
    bands: Counter = field(default_factory=Counter)  # band label -> people
    bands_by_third: dict = field(default_factory=dict)  # "lowest"/"middle"/"top" -> Counter
    same_band: float = 0.0  # on retest, everyone
    same_band_clear: float = 0.0  # on retest, people whose result was not near a line
    clear_share: float = 0.0
    same_label: float = 0.0  # dimension labels, on retest
    cautioned: dict = field(default_factory=dict)  # responder kind -> share given a caution
    withheld: dict = field(default_factory=dict)  # responder kind -> share whose band headline is left out
    many_middle: float = 0.0  # share of careful people whose counselor is told most answers were in the middle
    strategies: dict = field(default_factory=dict)  # strategy -> mean share of situation points
    test_wise: dict = field(default_factory=dict)
    faker: dict = field(default_factory=dict)
    reached: dict = field(default_factory=dict)  # "band"/"cap"/"flag"/"step"/"career" -> {id: count}
    precision: dict = field(default_factory=dict)  # dimension id -> (alpha, sd) on simulated answers


def _trait_levels(rng, people: int, dimensions: int, correlation: float) -> np.ndarray:
    cov = np.full((dimensions, dimensions), correlation) + np.eye(dimensions) * (1 - correlation)
    return rng.multivariate_normal(np.zeros(dimensions), cov, size=people)


def _profile_answers(rng, bank: Bank) -> dict:
    answers = {}
    for question in bank.profile:
        keys = [o.key for o in question.options]
        if question.multiple:
            free = [k for k in keys if k not in question.exclusive]
            if rng.random() < 0.3 and question.exclusive:
                answers[question.id] = [question.exclusive[0]]
            else:
                picked = [k for k in free if rng.random() < 0.3] or [free[rng.integers(len(free))]]
                answers[question.id] = picked
        elif question.required or rng.random() < 0.8:
            answers[question.id] = keys[rng.integers(len(keys))]
    return answers


class Takers:
    """The people of one run: true levels, tendencies and item leans, fixed for a retest."""

    def __init__(self, bank: Bank, people: int, model: Model, rng):
        self.bank, self.model, self.rng = bank, model, rng
        self.dimension_index = {d.id: i for i, d in enumerate(bank.dimensions)}
        self.traits = _trait_levels(rng, people, len(bank.dimensions), model.correlation)
        self.tendency = rng.normal(0, model.acquiescence, people)
        self.desire = rng.normal(0, model.person_lean, people)
        likert = [i for i in bank.items if i.kind == "likert"]
        self.lean = {
            i.id: model.desirability * (-1 if i.reverse else 1) + rng.normal(0, model.item_spread) for i in likert
        }
        self.profiles = [_profile_answers(rng, bank) for _ in range(people)]
        weights = np.array([d.weight if d.kind == "skill" else 0.0 for d in bank.dimensions])
        self.true_fit = self.traits @ weights / weights.sum()

    def answers(self, person: int) -> dict:
        """One take of the quiz by `person`; each call draws new noise."""
        model, rng, bank = self.model, self.rng, self.bank
        answers = dict(self.profiles[person])
        for item in bank.items:
            if item.kind == "attention":
                lapsed = rng.random() < model.lapse
                answers[item.id] = str(rng.integers(1, 6) if lapsed else item.expect)
                continue
            trait = self.traits[person][self.dimension_index[item.dimension or ""]]
            if item.kind == "likert":
                sign = -1 if item.reverse else 1
                pull = model.loading * trait + self.desire[person]  # both point at the desirable pole
                value = 3 + self.lean[item.id] + sign * pull + self.tendency[person] + rng.normal(0, model.noise)
                answers[item.id] = str(int(np.clip(np.rint(value), 1, 5)))
            else:
                points = np.array([o.points for o in item.options], dtype=float)
                draw = model.scenario_pull * trait + model.obviousness + self.desire[person]
                utility = draw * (points - points.mean()) + rng.gumbel(size=len(points))
                answers[item.id] = item.options[int(np.argmax(utility))].key
        return answers


CAREFUL = "model-consistent people (false cautions)"


def careless_answers(rng, bank: Bank, kind: str, value: int = 3) -> dict:
    """A responder who is not reading: at random, the same answer everywhere, or agreeing with all."""
    answers = _profile_answers(rng, bank)
    for item in bank.items:
        if item.kind == "scenario":
            answers[item.id] = item.options[rng.integers(len(item.options))].key
        elif kind == "random":
            answers[item.id] = str(rng.integers(1, 6))
        elif kind == "same":
            answers[item.id] = str(value)
        else:  # "agree": agreeing with everything
            answers[item.id] = str(rng.integers(4, 6))
    return answers


def _words(text: str) -> int:
    return len(text.split())


def scenario_strategies(bank: Bank) -> dict[str, float]:
    """Mean share of situation points for answering without reading: always the longest option,
    always one letter (the options are shuffled, so any option), and choosing at random."""
    scenarios = [i for i in bank.items if i.kind == "scenario"]
    if not scenarios:
        return {}
    longest, chance = [], []
    for item in scenarios:
        most = max(_words(o.text) for o in item.options)
        tied = [o.points or 0 for o in item.options if _words(o.text) == most]
        longest.append(statistics.fmean(tied) / 3)
        chance.append(statistics.fmean(o.points or 0 for o in item.options) / 3)
    return {
        "always the longest option": statistics.fmean(longest),
        "always the same letter": statistics.fmean(chance),
        "choosing at random": statistics.fmean(chance),
    }


def score_test_wise_taker(bank: Bank) -> dict:
    """Top marks everywhere, one step back on the flag statements, the longest option in situations."""
    answers = {q.id: q.options[0].key for q in bank.profile}
    flagged = {f.item for f in bank.flags}
    for item in bank.items:
        if item.kind == "scenario":
            answers[item.id] = max(item.options, key=lambda o: _words(o.text)).key
        else:
            answers[item.id] = "4" if item.id in flagged else "5"
    report = build_report(bank, answers)
    return {
        "skills": report["skills"]["score"],
        "band": report["band"]["label"] if report["band"] else None,
        "cautioned": bool(report["quality_notes"]),
    }


def score_faker(bank: Bank) -> dict:
    """Someone who answers as the job would like rather than as they are: Agree with every
    agree-keyed statement, Disagree with every reversed one, the best option in every situation.
    Self-report cannot catch this; the simulator shows what it earns."""
    answers = {q.id: q.options[0].key for q in bank.profile}
    for item in bank.items:
        if item.kind == "scenario":
            answers[item.id] = max(item.options, key=lambda o: o.points or 0).key
        elif item.kind == "attention":
            answers[item.id] = str(item.expect)
        else:
            answers[item.id] = "2" if item.reverse else "4"
    report = build_report(bank, answers)
    return {
        "skills": report["skills"]["score"],
        "band": report["band"]["label"] if report["band"] else None,
        "cautioned": bool(report["quality_notes"]),
    }


def _count_reached(reached: dict, report: dict) -> None:
    if report["band"]:
        reached["band"][report["band"]["id"]] += 1
    for cap in report["caps"]:
        reached["cap"][cap["id"]] += 1
    for flag in report["flags"]:
        reached["flag"][f"{flag['id']} ({flag['level']})"] += 1
    for step in report["steps"]:
        reached["step"][step["id"]] += 1
    for career in report["careers"]:
        if career["matched"]:
            reached["career"][career["id"]] += 1


def simulate(
    bank: Bank, people: int = 3000, seed: int = 1, model: Model | None = None, careless_people: int = 1000
) -> Simulation:
    model = model or Model()
    rng = np.random.default_rng(seed)
    takers = Takers(bank, people, model, rng)
    result = Simulation(people=people)
    result.reached = {kind: Counter() for kind in ("band", "cap", "flag", "step", "career")}
    cuts = np.quantile(takers.true_fit, [1 / 3, 2 / 3])
    thirds: dict[str, Counter] = {"lowest": Counter(), "middle": Counter(), "top": Counter()}
    same_band = same_band_clear = clear = same_label = labels = 0
    first_takes, consistent_cautions, consistent_withheld = [], 0, 0
    for person in range(people):
        first_answers = takers.answers(person)
        first, second = build_report(bank, first_answers), build_report(bank, takers.answers(person))
        first_takes.append(first_answers)
        band = first["band"]["label"] if first["band"] else "no result"
        result.bands[band] += 1
        third = (
            "lowest" if takers.true_fit[person] < cuts[0] else "middle" if takers.true_fit[person] < cuts[1] else "top"
        )
        thirds[third][band] += 1
        same = (first["band"] or {}).get("id") == (second["band"] or {}).get("id")
        same_band += same
        if first["skills"]["near"] is None and not first["careless"]:
            clear += 1
            same_band_clear += same
        for a, b in zip(first["dimensions"], second["dimensions"], strict=True):
            labels += 1
            same_label += a["label_id"] == b["label_id"]
        consistent_cautions += bool(first["quality_notes"])
        consistent_withheld += first["careless"]
        _count_reached(result.reached, first)
    result.bands_by_third = thirds
    result.same_band = same_band / people
    result.same_band_clear = same_band_clear / clear if clear else 0.0
    result.clear_share = clear / people
    result.same_label = same_label / labels if labels else 0.0
    result.cautioned[CAREFUL] = consistent_cautions / people
    result.withheld[CAREFUL] = consistent_withheld / people
    result.many_middle = (
        sum(middle_share(bank, answers) >= bank.discussion.many_middle_share for answers in first_takes) / people
    )
    for kind, label in (
        ("random", "random responders"),
        ("same", "straight-liners"),
        ("agree", "agreeing with everything"),
    ):
        sets = [careless_answers(rng, bank, kind, 1 + n % 5) for n in range(careless_people)]
        result.cautioned[label] = sum(bool(careless_notes(bank, a)) for a in sets) / careless_people
        result.withheld[label] = sum(withholds_band(bank, a) for a in sets) / careless_people
    result.strategies = scenario_strategies(bank)
    result.test_wise = score_test_wise_taker(bank)
    result.faker = score_faker(bank)
    result.precision = simulated_precision(bank, first_takes)
    return result


def simulated_precision(bank: Bank, answer_sets: list[dict]) -> dict:
    out = {}
    for dimension in bank.dimensions:
        items = bank.items_of(dimension.id)
        rows = []
        for a in answer_sets:
            points = [got for i in items if (got := item_points(i, a.get(i.id))) is not None]
            if len(points) == len(items):
                rows.append([p / top for p, top in points])
        scores = [100 * statistics.fmean(r) for r in rows]
        out[dimension.id] = (cronbach_alpha(rows), statistics.stdev(scores) if len(scores) > 1 else None)
    return out


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def format_simulation(bank: Bank, result: Simulation, model: Model, seed: int) -> str:
    order = [b.label for b in sorted(bank.bands, key=lambda b: -b.min)]
    lines = [
        f"{result.people} simulated people, seed {seed}; model: "
        + ", ".join(f"{k}={v:g}" for k, v in model.__dict__.items()),
        "",
    ]
    lines.append(f"  {'band':<24}{'everyone':>9}{'lowest third':>14}{'middle third':>14}{'top third':>11}")
    for label in order + (["no result"] if result.bands["no result"] else []):
        row = [result.bands[label] / result.people]
        row += [c[label] / max(1, sum(c.values())) for c in result.bands_by_third.values()]
        lines.append(f"  {label:<24}" + "".join(f"{_pct(v):>{w}}" for v, w in zip(row, (9, 14, 14, 11), strict=True)))
    lines += [
        "  (thirds by true skill level, the weighted mean of each person's true skill levels)",
        "",
        "Retest (same people, new noise):",
        f"  same band: {_pct(result.same_band)} of everyone; {_pct(result.same_band_clear)} of the "
        f"{_pct(result.clear_share)} whose result was not near a line",
        f"  same label on each dimension: {_pct(result.same_label)}",
        "",
        "Careless answering (share cautioned; share whose band headline is left out):",
        *[f"  {kind}: {_pct(share)}; {_pct(result.withheld[kind])}" for kind, share in result.cautioned.items()],
        f"  careful people whose counselor is told most answers were in the middle "
        f"({bank.discussion.many_middle_share:.0%} or more): {result.many_middle:.1%}",
        "",
        "Situations answered without reading (share of the points):",
        *[f"  {name}: {_pct(share)}" for name, share in result.strategies.items()],
        f"  test-wise taker (top marks, one step back on flag statements, longest options): skills "
        f"{result.test_wise['skills']}, band {result.test_wise['band']}, "
        f"cautioned: {'yes' if result.test_wise['cautioned'] else 'no'}",
        f"  answering as the job would like (Agree, Disagree when reversed, best options): skills "
        f"{result.faker['skills']}, band {result.faker['band']}, "
        f"cautioned: {'yes' if result.faker['cautioned'] else 'no'} "
        "(no self-report quiz can catch this)",
        "",
        "Precision on the simulated answers (alpha, SD) next to the bank's priors:",
    ]
    for d in bank.dimensions:
        alpha, sd = result.precision[d.id]
        shown = f"alpha {alpha:.2f}, SD {sd:.1f}" if alpha is not None and sd is not None else "not enough data"
        lines.append(f"  {d.id:<16}{shown}   (prior: reliability {d.reliability:g}, SD {d.score_sd:g})")
    lines += [
        "",
        "Reached by at least one simulated person (profile answers are drawn at random, so the counts show "
        "what can be reached, not how often):",
    ]
    for kind, ids in reachable(bank).items():
        lines.append(f"  {kind}s: " + ", ".join(f"{i} {result.reached[kind][i]}" for i in ids))
    never = unreached(bank, result)
    lines.append("  never reached: " + (", ".join(never) if never else "none"))
    return "\n".join(lines)


def reachable(bank: Bank) -> dict[str, list[str]]:
    """Every band, cap, flag level, step and matched career the bank can show."""
    return {
        "band": [b.id for b in bank.bands],
        "cap": [c.id for c in bank.band_caps],
        "flag": [
            f"{f.id} ({level})" for f in bank.flags for level in ("strong", "mild") if level == "strong" or f.mild
        ],
        "step": [s.id for s in bank.steps],
        "career": [c.id for c in bank.careers if c.when is not None],
    }


def unreached(bank: Bank, result: Simulation) -> list[str]:
    """What no simulated person reached: a band, cap, flag, step or career nobody will see."""
    return [f"{kind} {i}" for kind, ids in reachable(bank).items() for i in ids if not result.reached[kind][i]]
