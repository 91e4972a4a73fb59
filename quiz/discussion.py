"""The counselor's view of one report: the results written about the client, and what to ask.

A stored report is written to the person who took the quiz ("Your strengths"). A counselor
reading it needs the same results about the client, with a discussion guide: two open questions
for each part of the job, a question to tell which side of a line a near-the-line result falls,
a way to explore each thing to check, and the rows of a plan to fill in together. Every word of
the guide comes from questions.yaml (`guide` of each dimension, `explore` of each flag, and
`discussion`). No Flask here.
"""

from __future__ import annotations

from .bank import Bank
from .scoring import middle_share


def possessive(name: str | None) -> str:
    """ "Dana's", or "This client's" when the client gave no name."""
    return f"{name}\u2019s" if name else "This client\u2019s"


def _dimension(row: dict, bank: Bank) -> dict:
    dimension = bank.dimension_by_id.get(row["id"])
    guide = dimension.guide if dimension else None
    return {
        "label": row["label"],
        "kind": row.get("kind", "skill"),
        "score": row["score"],
        "score_label": row.get("score_label"),
        "tone": row.get("tone"),
        "low": row.get("low"),
        "high": row.get("high"),
        "nearby": row.get("nearby") if row.get("near") else None,
        "ask": list(guide.ask) if guide else [],
        "near_question": guide.near if guide and row.get("near") else None,
    }


def _flag(row: dict, bank: Bank) -> dict:
    flag = next((f for f in bank.flags if f.id == row.get("id")), None)
    return {
        "title": row["title"],
        "level": row.get("level", "strong"),
        "item": row["item"],
        "answer": row["answer"],
        "explore": flag.explore if flag else "",
    }


def guide(report: dict, bank: Bank, answers: dict | None = None) -> dict:
    """What the counselor's page shows of `report` (current format), asked with `bank`'s guide.

    `bank` should be the version the client answered; the guide's wording for a dimension or flag
    missing from it is left out rather than guessed. `answers`, the client's, tell whether most
    statements got the middle answer.
    """
    skills = report["skills"]
    if report["careless"]:
        band_note = bank.discussion.careless
    elif skills.get("near"):
        band_note = bank.discussion.near_band
    else:
        band_note = None
    return {
        "text": bank.discussion,  # every text around the guide: headings, intro, the plan's lines
        "band": None if report["careless"] else report.get("band"),
        "skills": skills,
        "capped_by": [detail for cap in report["caps"] for detail in cap.get("details", [])],
        "band_note": band_note,
        "many_middle": bank.discussion.many_middle
        if answers is not None and middle_share(bank, answers) >= bank.discussion.many_middle_share
        else None,
        "dimensions": [_dimension(row, bank) for row in report["dimensions"]],
        "flags": [_flag(row, bank) for row in report["flags"]],
        "steps": [
            {"title": step["title"], "first_needs": step.get("first_needs", []), "links": step.get("links", [])}
            for step in report["steps"]
        ],
        "blank_rows": max(2, bank.discussion.plan_rows - len(report["steps"])),
    }
