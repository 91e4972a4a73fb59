"""Warnings for editors: a bank can be valid and still measure badly or read hard.

`flask --app quiz check` prints these after a good file; none stops the app. They cover reading
level (US grade 8 or below), situations whose best answer gives itself away by its length,
scales that are short or one-sided, reverse-keyed statements written with a "not", British
spellings in a US quiz, and report entries with no link or no counselor's guide. No Flask here.
"""

from __future__ import annotations

import re
import statistics

import textstat

from .checks import Problem
from .checks import _describe
from .checks import _position
from .references import linked_entries
from .yamlpos import Parsed

MAX_GRADE = 8.0
MIN_WORDS_FOR_GRADE = 4  # a grade is meaningless for a label of two or three words
LONG_KEY_RATIO = 1.25  # the best option this much longer than the others' mean gives it away
LENGTH_SPREAD_RATIO = 1.6  # the longest option this much longer than the shortest
ITEMS_PER_SKILL = 8
REVERSE_SHARE = (0.4, 0.5)
# Fields whose text people read; ids, labels, names and `source` notes are for editors.
PROSE = {
    "text",
    "detail",
    "description",
    "strength",
    "build",
    "headline",
    "reason",
    "tip",
    "strong_text",
    "mild_text",
    "summary",
    "why",
    "intro",
    "hint",
    "attention_note",
    "same_answer_note",
    "inconsistency_note",
    "retake_note",
    "near_note",
    "caveat",
    "requirement",
    "limits",
    "timeline",
    "duties",
    "pros",
    "cons",
    "settings",
    "credential_note",
    "cost",
    "funding",
    "job_task",
    "source_note",
    "ask",
    "near",
    "explore",
    "bring",
    "near_band",
    "careless",
    "no_flags",
    "plan_intro",
    "many_middle",
}
NEGATION = re.compile(r"\b(not|no|never|nobody|nothing|none|cannot)\b|n't\b", re.IGNORECASE)
BRITISH = re.compile(
    r"\b(\w*(?:organis|prioritis|specialis|apologis|recognis|realis|minimis|summaris|personalis|emphasis(?:e|ing))\w*"
    r"|colour\w*|behaviour\w*|centre\w*|enrol|enrols|enrolment|practise\w*|programme\w*|licence|favour\w*"
    r"|honour\w*|labour|judgement|cheque|tick|ticked|ticks)\b",
    re.IGNORECASE,
)


def _prose(data, loc=()):
    """(loc, text) for every text a person reads, found by field name anywhere in the file."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in PROSE and isinstance(value, str):
                yield loc + (key,), value
            elif key in PROSE and isinstance(value, list):
                for i, entry in enumerate(value):
                    if isinstance(entry, str):
                        yield loc + (key, i), entry
                    else:
                        yield from _prose(entry, loc + (key, i))
            else:
                yield from _prose(value, loc + (key,))
    elif isinstance(data, list):
        for i, entry in enumerate(data):
            yield from _prose(entry, loc + (i,))


def grade(text: str) -> float:
    """US school grade needed to read `text` (Flesch-Kincaid)."""
    return textstat.flesch_kincaid_grade(text)


def _reading(warn, parsed: Parsed) -> None:
    for loc, text in _prose(parsed.data):
        if len(text.split()) >= MIN_WORDS_FOR_GRADE and (level := grade(text)) > MAX_GRADE:
            warn(
                loc, f"reads at US grade {level:.1f} (aim for {MAX_GRADE:g} or below): use shorter sentences and words"
            )
        for match in BRITISH.finditer(text):
            warn(loc, f"{match.group(0)!r} is British spelling or usage; this quiz uses US English")


def _words(text: str) -> int:
    return len(text.split())


def _scenarios(warn, bank) -> None:
    longest_points, chance_points = [], []
    for i, item in enumerate(bank.items):
        if item.kind != "scenario" or len(item.options) < 2:
            continue
        lengths = {o.key: _words(o.text) for o in item.options}
        best = max(item.options, key=lambda o: o.points or 0)
        others = [n for key, n in lengths.items() if key != best.key]
        if lengths[best.key] > LONG_KEY_RATIO * statistics.fmean(others):
            warn(
                ("items", i, "options"),
                f"the best option {best.key!r} has {lengths[best.key]} words, the others "
                f"{statistics.fmean(others):.0f} on average: its length gives it away; shorten it or lengthen others",
            )
        if max(lengths.values()) > LENGTH_SPREAD_RATIO * min(lengths.values()):
            warn(
                ("items", i, "options"),
                f"options run from {min(lengths.values())} to {max(lengths.values())} "
                "words; make them about the same length",
            )
        most = max(lengths.values())
        longest_points.append(statistics.fmean(o.points or 0 for o in item.options if lengths[o.key] == most))
        chance_points.append(statistics.fmean(o.points or 0 for o in item.options))
    if longest_points and sum(longest_points) > sum(chance_points):
        warn(
            ("items",),
            f"always choosing the longest option scores {sum(longest_points):.1f} points over the "
            f"situations, more than choosing at random ({sum(chance_points):.1f}); vary which option is longest",
        )


def _scales(warn, bank) -> None:
    for i, dimension in enumerate(bank.dimensions):
        statements = [item for item in bank.items_of(dimension.id) if item.kind == "likert"]
        if dimension.kind == "skill" and len(statements) < ITEMS_PER_SKILL:
            warn(
                ("dimensions", i, "id"),
                f"{len(statements)} statements; a skill needs about {ITEMS_PER_SKILL} for a score worth a label",
            )
        share = sum(item.reverse for item in statements) / len(statements) if statements else 0
        low, high = REVERSE_SHARE
        if statements and not low <= share <= high:
            warn(
                ("dimensions", i, "id"),
                f"{share:.0%} of its statements are reverse-keyed; aim for "
                f"{low:.0%} to {high:.0%}, so a habit of agreeing cannot raise the score",
            )
    for i, item in enumerate(bank.items):
        if item.kind == "likert" and item.reverse and (found := NEGATION.search(item.text)):
            warn(
                ("items", i, "text"),
                f"reverse-keyed statement with {found.group(0)!r}: write the opposite "
                "behavior instead of a negation, which is easy to misread",
            )


def _leads(warn, bank) -> None:
    """A report that names a step, credential or career should link to its page, and a
    counselor's view needs questions for every dimension and flag."""
    used = set()
    for loc, entry in linked_entries(bank):
        used.update(entry.links)
        if not entry.links and loc[0] != "talk_it_over" and loc[-1] != "outlook":  # links are optional there
            warn(loc + ("id",), "no `links`: the report would name it with nowhere to go; link its real page")
    for i, link in enumerate(bank.links):
        if link.id not in used:
            warn(("links", i, "id"), "nothing in the file uses this link")
    for i, dimension in enumerate(bank.dimensions):
        if dimension.guide is None:
            warn(("dimensions", i, "id"), "no `guide`: the counselor's view has no questions for this part")
    for i, flag in enumerate(bank.flags):
        if not flag.explore:
            warn(("flags", i, "id"), "no `explore`: the counselor's view has no way to explore this flag")


def warnings(bank, parsed: Parsed) -> list[Problem]:
    """Every warning for a valid bank, at the file position of what it is about."""
    found: list[Problem] = []

    def warn(loc, message: str) -> None:
        # "warning:" first, as compilers write it, so an editor's problem matcher can tell them apart.
        found.append(Problem(_position(parsed, loc), "", f"warning: {_describe(loc, parsed.data)}: {message}"))

    _reading(warn, parsed)
    _scenarios(warn, bank)
    _scales(warn, bank)
    _leads(warn, bank)
    return sorted(found)
