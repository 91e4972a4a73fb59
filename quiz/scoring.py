"""Score answers against the bank and build the fit report as plain, JSON-ready data. No Flask.

Answers map a question id to the chosen option: "1".."5" for agree-scale items, an option key
for scenarios and profile questions, a list of keys for tick-box questions. The report holds every
text it shows, so a stored report reads the same after questions.yaml changes.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Mapping

from .bank import Bank
from .bank import Condition
from .bank import Item
from .bank import Range

Answers = Mapping[str, "str | list[str]"]
MIN_ANSWERED_SHARE = 0.75  # a dimension with fewer answered items says "not enough answers"
AGREE = 4  # raw answers of 4 and 5 count as agreeing


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
    if not isinstance(answer, str):  # missing, or a list where one option was expected
        return None
    points = {option.key: option.points for option in item.options}.get(answer)
    return None if points is None else (points, 3)


def dimension_scores(bank: Bank, answers: Answers) -> dict[str, int | None]:
    scores = {}
    for dimension in bank.dimensions:
        items = bank.items_of(dimension.id)
        answered = filter(None, (item_points(item, answers.get(item.id)) for item in items))
        credits = [points / top for points, top in answered]
        enough = items and len(credits) >= MIN_ANSWERED_SHARE * len(items)
        scores[dimension.id] = round_half_up(100 * statistics.fmean(credits)) if enough else None
    return scores


def overall_score(bank: Bank, scores: Mapping[str, int | None]) -> int | None:
    """Weighted mean of the dimension scores that have enough answers."""
    weighted = [(d.weight, scores[d.id]) for d in bank.dimensions if scores.get(d.id) is not None]
    total = sum(weight for weight, _ in weighted)
    if not total:
        return None
    return round_half_up(sum(weight * score for weight, score in weighted) / total)


def in_range(ranges: list[Range], value: int) -> Range:
    return next(r for r in ranges if r.min <= value <= r.max)


def raised_flags(bank: Bank, answers: Answers):
    return [flag for flag in bank.flags if likert_answer(answers.get(flag.item)) in flag.answers]


def choose_band(bank: Bank, overall: int, scores, flags) -> tuple[Range, list[dict]]:
    """The band for the overall score, lowered by every cap whose rule fails; with the reasons."""
    uncapped = band = in_range(bank.bands, overall)
    bands = {b.id: b for b in bank.bands}
    applied = []
    for cap in bank.band_caps:
        if cap.skill_score_below is not None:
            low = [d for d in bank.dimensions if d.kind == "skill" and scores.get(d.id) is not None
                   and scores[d.id] < cap.skill_score_below]
            details = [f"{d.label}: {scores[d.id]}" for d in low]
        else:
            details = [flag.title for flag in flags] if len(flags) >= cap.flags_at_least else []
        target = bands[cap.cap]
        if details and uncapped.min > target.min:
            applied.append({"id": cap.id, "reason": cap.reason, "details": details})
            band = min(band, target, key=lambda b: b.min)
    return band, applied


def quality_notes(bank: Bank, answers: Answers) -> list[str]:
    """Cautions about the answering pattern; they never change a score."""
    quality = bank.quality
    raw = [v for item in bank.items if item.kind == "likert" if (v := likert_answer(answers.get(item.id)))]
    if len(raw) < 2:
        return []
    notes = []
    if statistics.fmean(raw) >= quality.agree_mean_at_least:
        notes.append(quality.agree_note)
    if statistics.pstdev(raw) < quality.same_answer_sd_below:
        notes.append(quality.same_answer_note)
    both_agreed = sum(
        1 for pair in quality.opposite_pairs
        if (likert_answer(answers.get(pair.agree)) or 0) >= AGREE
        and (likert_answer(answers.get(pair.opposite)) or 0) >= AGREE
    )
    if both_agreed >= quality.opposite_pairs_at_least:
        notes.append(quality.opposite_note)
    return notes


def chosen(answer) -> set[str]:
    if answer is None:
        return set()
    return {answer} if isinstance(answer, str) else set(answer)


def holds(cond: Condition | None, answers: Answers, scores, band_id: str | None) -> bool:
    """Evaluate a declarative `when` condition from questions.yaml."""
    if cond is None:
        return True
    if cond.all is not None:
        return all(holds(c, answers, scores, band_id) for c in cond.all)
    if cond.any is not None:
        return any(holds(c, answers, scores, band_id) for c in cond.any)
    if cond.answer is not None:
        picked = chosen(answers.get(cond.answer))
        if cond.in_ is not None:
            return bool(picked & set(cond.in_))
        return not picked & set(cond.not_in or [])
    if cond.score is not None:
        score = scores.get(cond.score)
        return score is not None and (cond.at_least is None or score >= cond.at_least) and (
            cond.below is None or score < cond.below
        )
    return band_id in (cond.band or [])


def _reasons(bank: Bank, cond: Condition | None, answers, scores, band_id) -> list[tuple[str, str, str]]:
    """The (kind, what, value) facts a holding condition rests on: answer, 'highest education', 'Associate degree'."""
    if cond is None or not holds(cond, answers, scores, band_id):
        return []
    parts = cond.all or cond.any
    if parts:
        return [reason for c in parts for reason in _reasons(bank, c, answers, scores, band_id)]
    if cond.answer is not None:
        question = bank.questions[cond.answer]
        labels = [o.text for o in question.options if o.key in chosen(answers.get(cond.answer))]
        return [("answer", question.short, ", ".join(labels) or "no answer")]
    if cond.score is not None:
        return [("score", bank.dimension_by_id[cond.score].label, str(scores[cond.score]))]
    return [("score", "overall band", next(b.label for b in bank.bands if b.id == band_id))]


def because(bank: Bank, cond: Condition | None, answers, scores, band_id) -> str:
    reasons = list(dict.fromkeys(_reasons(bank, cond, answers, scores, band_id)))
    if not reasons:
        return "Shown to everyone."
    told = "; ".join(f"{what} \u201c{value}\u201d" for kind, what, value in reasons if kind == "answer")
    scored = "; ".join(f"{what} {value}" for kind, what, value in reasons if kind == "score")
    sentences = [f"Because you told us: {told}." if told else "", f"Because your scores are: {scored}." if scored else ""]
    return " ".join(s for s in sentences if s)


def _answer_label(bank: Bank, question, answer) -> str:
    if getattr(question, "kind", None) == "likert":
        value = likert_answer(answer)
        return bank.scale[value - 1] if value else "No answer"
    labels = [o.text for o in question.options if o.key in chosen(answer)]
    return ", ".join(labels) or "No answer"


def build_report(bank: Bank, answers: Answers) -> dict:
    """Everything the report page shows, computed once from the answers."""
    scores = dimension_scores(bank, answers)
    overall = overall_score(bank, scores)
    flags = raised_flags(bank, answers)
    band, caps = choose_band(bank, overall, scores, flags) if overall is not None else (None, [])
    band_id = band.id if band else None

    dimensions = []
    for d in bank.dimensions:
        score = scores[d.id]
        label = in_range(bank.score_labels, score) if score is not None else None
        dimensions.append({
            "id": d.id, "label": d.label, "kind": d.kind, "description": d.description,
            "job_task": d.job_task, "score": score, "weight": d.weight,
            "score_label": label.label if label else "Not enough answers",
            "score_label_id": label.id if label else None,
            "strength": d.strength, "actions": list(d.build),
        })
    top_label = max(bank.score_labels, key=lambda r: r.min).id
    ranked = sorted((d for d in dimensions if d["score"] is not None), key=lambda d: -d["score"])
    # The top 2-3: up to three Strengths, topped up to two with the next highest scores.
    strengths = [d for d in ranked if d["score_label_id"] == top_label][:3]
    if len(strengths) < 2:
        strengths = ranked[:2]
    areas = [d for d in reversed(ranked) if d["score_label_id"] != top_label and d not in strengths][:2]
    if not areas and len(ranked) > len(strengths):
        areas = [ranked[-1]]

    contributions = []
    for d in bank.dimensions:
        rows = []
        for item in bank.items_of(d.id):
            got = item_points(item, answers.get(item.id))
            rows.append({
                "id": item.id, "text": item.text, "kind": item.kind, "reverse": item.reverse,
                "answer": _answer_label(bank, item, answers.get(item.id)),
                "points": got[0] if got else None, "max_points": got[1] if got else None,
            })
        contributions.append({"dimension": d.label, "score": scores[d.id], "items": rows})

    careers = [
        {"id": c.id, "title": c.title, "onet": c.onet, "summary": c.summary,
         "matched": c.when is not None and holds(c.when, answers, scores, band_id), "why": c.why}
        for c in bank.careers
    ]
    careers.sort(key=lambda c: not c["matched"])  # stable: matched first, each group in file order

    items_by_id = {item.id: item for item in bank.items}
    return {
        "title": bank.title,
        "version": bank.version,
        "digest": bank.digest,
        "overall": overall,
        "band": {"id": band.id, "label": band.label, "headline": band.headline} if band else None,
        "caps": caps,
        "dimensions": dimensions,
        "strengths": strengths,
        "strengths_are_relative": any(d["score_label_id"] != top_label for d in strengths),
        "areas": areas,
        "flags": [
            {"id": f.id, "title": f.title, "tip": f.tip, "item": items_by_id[f.item].text,
             "answer": _answer_label(bank, items_by_id[f.item], answers.get(f.item))}
            for f in flags
        ],
        "quality_notes": quality_notes(bank, answers),
        "steps": [
            {"id": s.id, "title": s.title, "detail": s.detail, "time": s.time,
             "because": because(bank, s.when, answers, scores, band_id)}
            for s in bank.steps if holds(s.when, answers, scores, band_id)
        ],
        "careers": careers,
        "explore_emphasis": band_id == min(bank.bands, key=lambda b: b.min).id,
        "contributions": contributions,
        "rules": {
            "bands": [{"label": b.label, "min": b.min, "max": b.max} for b in bank.bands],
            "score_labels": [{"label": r.label, "min": r.min, "max": r.max} for r in bank.score_labels],
            "caps": [cap.reason for cap in bank.band_caps],
            "min_answered_share": MIN_ANSWERED_SHARE,
        },
        "role": bank.role.model_dump(),
        "limits": bank.limits,
    }
