"""Reports stored before format 2, shown in today's layout with the same words and numbers.

A stored report never changes; only how it is read does. Format 1 had one overall score (the
context dimension included), labels without tones and no ranges: it is shown as exactly that.
No Flask here.
"""

from __future__ import annotations

from .scoring import REPORT_FORMAT

# Format 1 named its labels and bands after the shipped bank's ids; their tones follow from them.
TONES = {
    "strength": "high",
    "solid": "middle",
    "build": "low",
    "strong": "high",
    "promising": "middle",
    "explore": "low",
}


def _tone(range_id: str | None) -> str | None:
    return TONES.get(range_id, "middle") if range_id else None


def _dimension(d: dict) -> dict:
    return {
        **d,
        "low": d["score"],
        "high": d["score"],
        "error": 0,
        "near": None,
        "nearby": None,
        "label_id": d.get("score_label_id"),
        "tone": _tone(d.get("score_label_id")),
    }


def _ranked(ranges: list[dict]) -> list[dict]:
    """Tones by rank: the lowest range is low, the highest high, any between middle."""
    low, high = min(r["min"] for r in ranges), max(r["min"] for r in ranges)
    return [{**r, "tone": "low" if r["min"] == low else "high" if r["min"] == high else "middle"} for r in ranges]


def readable(report: dict) -> dict:
    """The report in the current format; format-2 reports are returned as they are."""
    if report.get("format") == REPORT_FORMAT:
        return report
    band = report.get("band")
    dimensions = [_dimension(d) for d in report["dimensions"]]
    by_id = {d["id"]: d for d in dimensions}
    rules = report["rules"]
    return {
        **report,
        "format": REPORT_FORMAT,
        "legacy": True,  # one overall score, shown under that name
        "skills": {
            "score": report["overall"],
            "low": report["overall"],
            "high": report["overall"],
            "near": None,
            "score_label": band["label"] if band else None,
            "tone": _tone(band["id"]) if band else None,
        },
        "band": {**band, "tone": _tone(band["id"])} if band else None,
        "careless": False,  # format 1 showed its notes beside the band, not instead of it
        "careless_headline": "",
        "retake_note": "",
        "dimensions": dimensions,
        "day_to_day": [d for d in dimensions if d["kind"] == "context"],
        "strengths": [by_id[d["id"]] for d in report["strengths"]],
        "areas": [by_id[d["id"]] for d in report["areas"]],
        "flags": [{**f, "level": "strong", "text": ""} for f in report["flags"]],
        "steps": [
            {
                **s,
                "cost": "",
                "funding": "",
                "first_needs": [],
                "because": "" if s["because"] == "Shown to everyone." else s["because"],
            }
            for s in report["steps"]
        ],
        "contributions": [{**c, "items": [{**i, "options": []} for i in c["items"]]} for c in report["contributions"]],
        "precision": {"source": "none", "results": 0},
        "rules": {
            **rules,
            "bands": _ranked(rules["bands"]),
            "score_labels": _ranked(rules["score_labels"]),
            "marks": sorted(r["min"] for r in rules["score_labels"] if r["min"] > 0),
        },
    }
