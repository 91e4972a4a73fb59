"""Score answers against the bank and build the fit report as plain, JSON-ready data. No Flask.

Answers map a question id to the chosen option: "1".."5" for agree-scale statements, an option
key for scenarios and profile questions, a list of keys for tick-box questions. The report holds
every text it shows, so a stored report reads the same after questions.yaml changes.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace

from .bank import AllCondition
from .bank import AnswerCondition
from .bank import AnyCondition
from .bank import BandCondition
from .bank import Bank
from .bank import FlagsCondition
from .bank import Item
from .bank import LowestSkillCondition
from .bank import Range
from .bank import ScoreCondition
from .references import SKILLS_SCORE

Answers = Mapping[str, "str | list[str]"]
MIN_ANSWERED_SHARE = 0.75  # a dimension with fewer answered items says "not enough answers"
REPORT_FORMAT = 2


def round_half_up(value: float) -> int:
    # Python's round() sends 62.5 to 62; people expect 63.
    return math.floor(value + 0.5)


def likert_answer(answer) -> int | None:
    """The 1-5 answer, or None when missing or not on the scale."""
    try:
        value = int(answer)
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= 5 else None


def item_points(item: Item, answer) -> tuple[int, int] | None:
    """(points, maximum) for one answer: 0-4 on the agree scale after reverse keying, 0-3 for a scenario."""
    if item.kind == "likert":
        value = likert_answer(answer)
        if value is None:
            return None
        return (5 - value if item.reverse else value - 1), 4
    if item.kind != "scenario" or not isinstance(answer, str):  # attention checks score nothing
        return None
    points = {option.key: option.points for option in item.options}.get(answer)
    return None if points is None else (points, 3)


def option_order(item, seed: int | None) -> list:
    """A situation's options as one attempt sees them: shuffled by its seed, so position says
    nothing about the answer; the file's order without a seed (attempts from before)."""
    options = list(item.options)
    if seed is not None and item.kind == "scenario":
        random.Random(f"{seed}:{item.id}").shuffle(options)  # a str seed is hashed the same everywhere
    return options


def dimension_scores(bank: Bank, answers: Answers) -> dict[str, int | None]:
    scores = {}
    for dimension in bank.dimensions:
        items = bank.items_of(dimension.id)
        answered = filter(None, (item_points(item, answers.get(item.id)) for item in items))
        credits = [points / top for points, top in answered]
        enough = items and len(credits) >= MIN_ANSWERED_SHARE * len(items)
        scores[dimension.id] = round_half_up(100 * statistics.fmean(credits)) if enough else None
    return scores


def _weighted(bank: Bank, values: Mapping[str, float | None]) -> list[tuple[float, float]]:
    """(weight, value) for every skill that counts and has a value."""
    return [(d.weight, value) for d in bank.skills if (value := values.get(d.id)) is not None and d.weight > 0]


def skills_score(bank: Bank, scores: Mapping[str, int | None]) -> int | None:
    """Weighted mean of the skill dimensions that have enough answers; the context is its own result."""
    weighted = _weighted(bank, scores)
    total = sum(weight for weight, _ in weighted)
    return round_half_up(sum(weight * score for weight, score in weighted) / total) if total else None


def in_range(ranges: list[Range], value: int) -> Range:
    return next(r for r in ranges if r.min <= value <= r.max)


# --- how precise each score is ----------------------------------------------------------------


def prior_precision(bank: Bank) -> dict:
    """Reliability and score SD as the bank declares them, before real results can say."""
    return {
        "source": "prior",
        "results": 0,
        "dimensions": {d.id: {"reliability": d.reliability, "sd": d.score_sd} for d in bank.dimensions},
    }


def standard_errors(bank: Bank, precision: dict) -> dict[str, float]:
    """One standard error of measurement per dimension, in score points: SD x sqrt(1 - reliability)."""
    out = {}
    for d in bank.dimensions:
        known = precision["dimensions"].get(d.id) or {"reliability": d.reliability, "sd": d.score_sd}
        out[d.id] = known["sd"] * math.sqrt(max(0.0, 1 - known["reliability"]))
    return out


def skills_error(bank: Bank, scores, errors: Mapping[str, float]) -> float | None:
    """The skills score's standard error, as a weighted mean of independent errors."""
    weighted = _weighted(bank, {d.id: errors[d.id] for d in bank.skills if scores.get(d.id) is not None})
    total = sum(weight for weight, _ in weighted)
    return math.sqrt(sum((weight * error) ** 2 for weight, error in weighted)) / total if total else None


def spread(ranges: list[Range], score: int | None, error: float | None, near_note: str) -> dict:
    """A score with its range (plus or minus one error), its label, and whether it sits near a line."""
    if score is None:
        return {
            "score": None,
            "low": None,
            "high": None,
            "score_label": None,
            "label_id": None,
            "tone": None,
            "near": None,
            "nearby": None,
        }
    error = error or 0.0
    low, high = max(0, round_half_up(score - error)), min(100, round_half_up(score + error))
    here = in_range(ranges, score)
    # The nearest range other than this one that the interval reaches, if any.
    reached = [in_range(ranges, low), in_range(ranges, high)]
    others = sorted({r.id: r for r in reached if r.id != here.id}.values(), key=lambda r: abs(r.min - score))
    near = near_note.replace("{nearby}", others[0].label) if others else None
    return {
        "score": score,
        "low": low,
        "high": high,
        "score_label": here.label,
        "label_id": here.id,
        "tone": here.tone,
        "near": near,
        "nearby": others[0].label if others else None,
    }


# --- conditions, flags and the band -----------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a `when` condition can test."""

    answers: Answers
    scores: Mapping[str, int | None]
    skills: int | None
    band_id: str | None
    flags: tuple[tuple[str, str], ...]  # (flag id, "strong" or "mild")
    labels: Mapping[str, str | None]  # dimension id -> its label's id
    skill_ids: tuple[str, ...]


def chosen(answer) -> set[str]:
    if answer is None:
        return set()
    return {answer} if isinstance(answer, str) else set(answer)


def holds(cond, facts: Facts) -> bool:
    """Evaluate a declarative `when` condition from questions.yaml."""
    match cond:
        case None:
            return True
        case AllCondition():
            return all(holds(c, facts) for c in cond.all)
        case AnyCondition():
            return any(holds(c, facts) for c in cond.any)
        case AnswerCondition(in_=listed) if listed is not None:
            return bool(chosen(facts.answers.get(cond.answer)) & set(listed))
        case AnswerCondition():
            return not chosen(facts.answers.get(cond.answer)) & set(cond.not_in or [])
        case ScoreCondition(label=labels) if labels is not None:
            return facts.labels.get(cond.score) in labels
        case ScoreCondition():
            score = facts.skills if cond.score == SKILLS_SCORE else facts.scores.get(cond.score)
            return (
                score is not None
                and (cond.at_least is None or score >= cond.at_least)
                and (cond.below is None or score < cond.below)
            )
        case LowestSkillCondition():
            return any(facts.labels.get(d) in cond.any_skill_labelled for d in facts.skill_ids)
        case FlagsCondition():
            counted = [f for f, level in facts.flags if cond.counting == "any" or level == "strong"]
            return len(counted) >= cond.flags_at_least
        case BandCondition():
            return facts.band_id in cond.band
    raise TypeError(f"not a condition: {cond!r}")


def raised_flags(bank: Bank, answers: Answers) -> list[tuple]:
    """(flag, "strong" or "mild") for every flag an answer raises."""
    raised = []
    for flag in bank.flags:
        question = bank.questions[flag.item]
        answer = answers.get(flag.item)
        value = likert_answer(answer) if getattr(question, "kind", None) == "likert" else answer
        if value is None:
            continue
        level = "strong" if value in flag.strong else "mild" if value in flag.mild else None
        if level:
            raised.append((flag, level))
    return raised


def reasons(bank: Bank, cond, facts: Facts) -> list[tuple[str, str, str]]:
    """The (kind, what, value) facts a holding condition rests on: answer, 'highest education', 'Associate degree'."""
    if cond is None or not holds(cond, facts):
        return []
    match cond:
        case AllCondition() | AnyCondition():
            parts = cond.all if isinstance(cond, AllCondition) else [c for c in cond.any if holds(c, facts)]
            return [reason for c in parts for reason in reasons(bank, c, facts)]
        case AnswerCondition():
            question = bank.profile_by_id[cond.answer]
            labels = [o.text for o in question.options if o.key in chosen(facts.answers.get(cond.answer))]
            return [("answer", question.short, ", ".join(labels) or "no answer")]
        case ScoreCondition() if cond.score == SKILLS_SCORE:
            return [("score", "skills score", str(facts.skills))]
        case ScoreCondition():
            return [("score", bank.dimension_by_id[cond.score].label, str(facts.scores[cond.score]))]
        case LowestSkillCondition():
            low = [d for d in bank.skills if facts.labels.get(d.id) in cond.any_skill_labelled]
            return [("score", d.label, str(facts.scores[d.id])) for d in low]
        case FlagsCondition():
            titles = {f.id: f.title for f in bank.flags}
            return [("flag", titles[f], level) for f, level in facts.flags]
        case BandCondition():
            return [("band", "result", next(b.label for b in bank.bands if b.id == facts.band_id))]
    return []


def choose_band(bank: Bank, facts: Facts) -> tuple[Range | None, list[dict]]:
    """The band for the skills score, lowered by every cap whose condition holds; with the reasons."""
    if facts.skills is None:
        return None, []
    uncapped = band = in_range(bank.bands, facts.skills)
    bands = {b.id: b for b in bank.bands}
    applied = []
    for cap in bank.band_caps:
        target = bands[cap.cap]
        if uncapped.min > target.min and holds(cap.when, facts):
            details = [
                f"{what}: {value}" if kind == "score" else what for kind, what, value in reasons(bank, cap.when, facts)
            ]
            applied.append({"id": cap.id, "reason": cap.reason, "details": list(dict.fromkeys(details))})
            band = min(band, target, key=lambda b: b.min)
    return band, applied


def because(bank: Bank, cond, facts: Facts) -> str:
    """Why a step is shown, in the person's own answers and scores; empty for steps shown to all."""
    found = list(dict.fromkeys(reasons(bank, cond, facts)))
    told = "; ".join(f"{what} \u201c{value}\u201d" for kind, what, value in found if kind == "answer")
    scored = "; ".join(
        value if kind == "band" else f"{what} {value}" for kind, what, value in found if kind in ("score", "band")
    )
    sentences = [
        f"Because you told us: {told}." if told else "",
        f"Because of your result: {scored}." if scored else "",
    ]
    return " ".join(s for s in sentences if s)


# --- careless answering -----------------------------------------------------------------------


def inconsistency(bank: Bank, answers: Answers) -> float | None:
    """Mean distance from consistency over the opposite pairs: 0 when each pair mirrors, up to 4."""
    mirror = len(bank.scale) + 1
    gaps = []
    for pair in bank.quality.opposite_pairs:
        agree, opposite = likert_answer(answers.get(pair.agree)), likert_answer(answers.get(pair.opposite))
        if agree and opposite:
            gaps.append(abs(agree + opposite - mirror))
    return statistics.fmean(gaps) if gaps else None


def middle_share(bank: Bank, answers: Answers) -> float:
    """The share of all the statements given the middle of the agree scale ("Neither agree nor
    disagree"); one left unanswered counts as not in the middle, so a few answers never make a
    half. Not a sign of careless answering: it is told to the counselor only."""
    values = [likert_answer(answers.get(item.id)) for item in bank.items if item.kind == "likert"]
    middle = (len(bank.scale) + 1) // 2
    return sum(value == middle for value in values) / len(values) if values else 0.0


def careless_signs(bank: Bank, answers: Answers) -> list[str]:
    """The signs of careless answering, as the note each one shows: one per missed attention
    check, then nearly the same answer everywhere, then opposite statements answered alike."""
    quality = bank.quality
    signs = [
        quality.attention_note
        for i in bank.items
        if i.kind == "attention" and likert_answer(answers.get(i.id)) not in (None, i.expect)
    ]
    raw = [v for i in bank.items if i.kind in ("likert", "attention") if (v := likert_answer(answers.get(i.id)))]
    if len(raw) >= 2 and statistics.pstdev(raw) < quality.same_answer_sd_below:
        signs.append(quality.same_answer_note)
    index = inconsistency(bank, answers)
    if index is not None and index >= quality.inconsistency_at_least:
        signs.append(quality.inconsistency_note)
    return signs


def careless_notes(bank: Bank, answers: Answers) -> list[str]:
    """Kind cautions when the answers look careless, each once; they never change a score.

    A missed attention check or two with no other sign is taken for a slip (up to
    `attention_slips_forgiven`): no caution.
    """
    signs = careless_signs(bank, answers)
    slips = all(sign == bank.quality.attention_note for sign in signs)
    if slips and len(signs) <= bank.quality.attention_slips_forgiven:
        return []
    return list(dict.fromkeys(signs))


def withholds_band(bank: Bank, answers: Answers) -> bool:
    """Enough signs that the band headline would mislead: it is left out, the scores stay."""
    return len(careless_signs(bank, answers)) >= bank.quality.withhold_at_signs


# --- the report, section by section -------------------------------------------------------------


def answer_label(bank: Bank, question, answer) -> str:
    if getattr(question, "kind", None) in ("likert", "attention"):
        value = likert_answer(answer)
        return bank.scale[value - 1] if value else "No answer"
    labels = [o.text for o in question.options if o.key in chosen(answer)]
    return ", ".join(labels) or "No answer"


def dimension_rows(bank: Bank, scores, errors) -> list[dict]:
    rows = []
    for d in bank.dimensions:
        shown = spread(bank.labels_of(d), scores[d.id], errors[d.id], bank.precision.near_note)
        rows.append(
            {
                "id": d.id,
                "label": d.label,
                "kind": d.kind,
                "description": d.description,
                "job_task": d.job_task,
                "weight": d.weight,
                "strength": d.strength,
                "actions": list(d.build),
                "error": round(errors[d.id], 1),
                **shown,
                "score_label": shown["score_label"] or "Not enough answers",
            }
        )
    return rows


def strengths_and_areas(bank: Bank, rows: list[dict]) -> tuple[list[dict], bool, list[dict]]:
    """Strengths are skills labelled high, areas to build skills labelled low: as the table says.

    Without any strength, the two highest scores are shown as "your highest scores" instead.
    """
    ranked = sorted((r for r in rows if r["kind"] == "skill" and r["score"] is not None), key=lambda r: -r["score"])
    strengths = [r for r in ranked if r["tone"] == "high"][:3]
    relative = not strengths
    if relative:
        strengths = [r for r in ranked if r["tone"] != "low"][:2]
    areas = [r for r in reversed(ranked) if r["tone"] == "low"][:2]
    return strengths, relative, areas


def flag_rows(bank: Bank, raised, answers) -> list[dict]:
    return [
        {
            "id": f.id,
            "title": f.title,
            "level": level,
            "tip": f.tip,
            "text": f.strong_text if level == "strong" else f.mild_text,
            "item": bank.questions[f.item].text,
            "answer": answer_label(bank, bank.questions[f.item], answers.get(f.item)),
        }
        for f, level in raised
    ]


def step_rows(bank: Bank, facts: Facts) -> list[dict]:
    return [
        {
            "id": s.id,
            "title": s.title,
            "detail": s.detail,
            "time": s.time,
            "cost": s.cost,
            "funding": s.funding,
            "because": because(bank, s.when, facts),
            "first_needs": [need.text for need in s.needs if not holds(need.when, facts)],
            "links": bank.links_of(s.links),
        }
        for s in bank.steps
        if holds(s.when, facts)
    ]


def career_rows(bank: Bank, facts: Facts) -> list[dict]:
    careers = [
        {
            "id": c.id,
            "title": c.title,
            "onet": c.onet,
            "summary": c.summary,
            "why": c.why,
            "matched": c.when is not None and holds(c.when, facts),
            "links": bank.links_of(c.links),
        }
        for c in bank.careers
    ]
    return sorted(careers, key=lambda c: not c["matched"])  # stable: matched first, each group in file order


def contribution_rows(bank: Bank, answers: Answers, scores, option_seed: int | None) -> list[dict]:
    contributions = []
    for d in bank.dimensions:
        rows = []
        for item in bank.items_of(d.id):
            got = item_points(item, answers.get(item.id))
            rows.append(
                {
                    "id": item.id,
                    "text": item.text,
                    "kind": item.kind,
                    "reverse": item.reverse,
                    "answer": answer_label(bank, item, answers.get(item.id)),
                    "points": got[0] if got else None,
                    "max_points": got[1] if got else (3 if item.kind == "scenario" else 4),
                    # A situation's options in the order this person saw them, with what each is worth.
                    "options": [
                        {"text": o.text, "points": o.points, "chosen": o.key == answers.get(item.id)}
                        for o in option_order(item, option_seed)
                    ],
                }
            )
        contributions.append({"dimension": d.label, "score": scores[d.id], "items": rows})
    return contributions


def role_facts(bank: Bank) -> dict:
    """The role's facts as stored in a report, with each credential's links written out."""
    role = bank.role.model_dump()
    for stored, credential in zip(role["credentials"], bank.role.credentials, strict=True):
        stored["links"] = bank.links_of(credential.links)
    role["outlook"]["links"] = bank.links_of(bank.role.outlook.links)
    return role


def rules(bank: Bank) -> dict:
    return {
        "bands": [{"label": b.label, "min": b.min, "max": b.max, "tone": b.tone} for b in bank.bands],
        "score_labels": [{"label": r.label, "min": r.min, "max": r.max, "tone": r.tone} for r in bank.score_labels],
        "caps": [cap.reason for cap in bank.band_caps],
        "min_answered_share": MIN_ANSWERED_SHARE,
        # Where the chart draws its lines: every label's lower edge except 0.
        "marks": sorted(r.min for r in bank.score_labels if r.min > 0),
    }


def build_report(bank: Bank, answers: Answers, precision: dict | None = None, option_seed: int | None = None) -> dict:
    """Everything the report page shows, computed once from the answers."""
    precision = precision or prior_precision(bank)
    scores = dimension_scores(bank, answers)
    errors = standard_errors(bank, precision)
    skills = skills_score(bank, scores)
    raised = raised_flags(bank, answers)
    labels = {
        d.id: in_range(bank.labels_of(d), score).id if (score := scores[d.id]) is not None else None
        for d in bank.dimensions
    }
    facts = Facts(
        answers,
        scores,
        skills,
        None,
        tuple((f.id, level) for f, level in raised),
        labels,
        tuple(d.id for d in bank.skills),
    )
    band, caps = choose_band(bank, facts)
    facts = replace(facts, band_id=band.id if band else None)
    rows = dimension_rows(bank, scores, errors)
    strengths, relative, areas = strengths_and_areas(bank, rows)
    notes = careless_notes(bank, answers)
    withheld = withholds_band(bank, answers)
    skills_shown = spread(bank.bands, skills, skills_error(bank, scores, errors), bank.precision.near_note)
    return {
        "format": REPORT_FORMAT,
        "title": bank.title,
        "version": bank.version,
        "digest": bank.digest,
        "skills": {**skills_shown, "near": skills_shown["near"] if not caps else None},
        "band": {"id": band.id, "label": band.label, "headline": band.headline, "tone": band.tone} if band else None,
        "caps": caps,
        "careless": withheld,
        "careless_headline": bank.quality.headline,
        "quality_notes": notes,
        "retake_note": bank.quality.retake_note,
        "dimensions": rows,
        "day_to_day": [r for r in rows if r["kind"] == "context"],
        "strengths": strengths,
        "strengths_are_relative": relative,
        "areas": areas,
        "flags": flag_rows(bank, raised, answers),
        "steps": step_rows(bank, facts),
        "careers": career_rows(bank, facts),
        "explore_emphasis": band is not None and band.id == min(bank.bands, key=lambda b: b.min).id,
        "contributions": contribution_rows(bank, answers, scores, option_seed),
        "precision": {"source": precision["source"], "results": precision["results"]},
        "rules": rules(bank),
        "role": role_facts(bank),
        "limits": bank.limits,
        "talk_it_over": {**bank.talk_it_over.model_dump(), "links": bank.links_of(bank.talk_it_over.links)},
    }
