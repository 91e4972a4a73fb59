"""Everything the schema alone cannot see in questions.yaml: ids, references, coverage and counts.

Each check reports at the file position of the value it is about, like the schema's own messages.
"""

from __future__ import annotations

import re

from .bank import AllCondition
from .bank import AnswerCondition
from .bank import AnyCondition
from .bank import BandCondition
from .bank import Career
from .bank import Credential
from .bank import FlagsCondition
from .bank import LowestSkillCondition
from .bank import Outlook
from .bank import ScoreCondition
from .bank import Step
from .bank import TalkItOver
from .checks import Problem
from .checks import _describe
from .checks import _did_you_mean
from .checks import _position
from .checks import _span
from .yamlpos import Parsed

MIN_ITEMS_PER_DIMENSION = 4
BEST_SCENARIO_POINTS = 3
SKILLS_SCORE = "skills"  # `score: skills` in a condition: the mean of the skill dimensions
PLACEHOLDER = re.compile(r"\{(\w*)\}")


class _Reporter:
    """Collects cross-reference problems at the file positions of their schema paths."""

    def __init__(self, parsed: Parsed):
        self.parsed = parsed
        self.problems: list[Problem] = []

    def __call__(self, loc, message: str) -> None:
        self.problems.append(Problem(_position(self.parsed, loc), _describe(loc, self.parsed.data), message))

    def line(self, loc) -> int:
        return _position(self.parsed, loc).line


def _unique(report, where: str, entries, attr="id") -> None:
    """Report every repeated id; `entries` is (loc prefix, object) pairs."""
    first: dict[str, tuple] = {}
    for loc, entry in entries:
        value = getattr(entry, attr)
        if value in first:
            report(loc + (attr,), f"duplicate {where} {value!r} (first used on line {report.line(first[value])})")
        else:
            first[value] = loc + (attr,)


def _check_ranges(report, loc, what: str, ranges) -> None:
    """Ranges must cover every whole score 0-100 exactly once."""
    _unique(report, "id", [(loc + (i,), r) for i, r in enumerate(ranges)])
    for i, r in enumerate(ranges):
        if r.min > r.max:
            report(loc + (i, "min"), f"min {r.min} is above max {r.max}")
    ordered = sorted(enumerate(ranges), key=lambda pair: (pair[1].min, pair[1].max))
    next_uncovered, previous = 0, None
    for i, r in ordered:
        if r.min > r.max:
            continue
        if r.min > next_uncovered:
            report(loc + (i, "min"), f"no {what} covers {_span(next_uncovered, r.min - 1)} ({what}s must cover 0-100)")
        elif r.min < next_uncovered and previous is not None:
            report(
                loc + (i, "min"),
                f"overlaps {previous.id!r} on {_span(r.min, min(r.max, next_uncovered - 1))} "
                "(each score must fall in exactly one)",
            )
        if r.max + 1 > next_uncovered:
            next_uncovered, previous = r.max + 1, r
    if next_uncovered <= 100 and ordered:
        last = max(ordered, key=lambda pair: pair[1].max)[0]
        report(loc + (last, "max"), f"no {what} covers {_span(next_uncovered, 100)} ({what}s must cover 0-100)")


def _check_condition(report, bank, cond, loc) -> None:
    match cond:
        case AllCondition(all=parts) | AnyCondition(any=parts):
            key = "all" if isinstance(cond, AllCondition) else "any"
            for i, inner in enumerate(parts):
                _check_condition(report, bank, inner, loc + (key, i))
        case AnswerCondition():
            profile = {q.id: q for q in bank.profile}
            question = profile.get(cond.answer)
            if question is None:
                report(
                    loc + ("answer",), f"unknown profile question {cond.answer!r}" + _did_you_mean(cond.answer, profile)
                )
                return
            keys = [o.key for o in question.options]
            for field, values in (("in", cond.in_), ("not_in", cond.not_in)):
                for j, key in enumerate(values or []):
                    if key not in keys:
                        hint = _did_you_mean(key, keys) or f" (options: {', '.join(keys)})"
                        report(loc + (field, j), f"{key!r} is not an option of {cond.answer!r}{hint}")
        case ScoreCondition():
            known = [SKILLS_SCORE, *bank.dimension_by_id]
            if cond.score not in known:
                report(loc + ("score",), f"unknown dimension {cond.score!r}" + _did_you_mean(cond.score, known))
            elif cond.label is not None:
                if cond.score == SKILLS_SCORE:
                    report(loc + ("label",), "the skills score has bands, not labels; use a `band` condition")
                else:
                    labels = [r.id for r in bank.labels_of(bank.dimension_by_id[cond.score])]
                    _check_label_ids(report, loc + ("label",), cond.label, labels, cond.score)
            if cond.at_least is not None and cond.below is not None and cond.at_least >= cond.below:
                report(loc, f"no score is at least {cond.at_least} and below {cond.below}")
        case LowestSkillCondition():
            labels = [r.id for r in bank.score_labels]
            _check_label_ids(report, loc + ("any_skill_labelled",), cond.any_skill_labelled, labels, "a skill")
        case BandCondition():
            band_ids = [b.id for b in bank.bands]
            for j, band in enumerate(cond.band):
                if band not in band_ids:
                    report(loc + ("band", j), f"unknown band {band!r}" + _did_you_mean(band, band_ids))
        case FlagsCondition() if cond.flags_at_least > len(bank.flags):
            report(loc + ("flags_at_least",), f"there are only {len(bank.flags)} flags, so this never holds")
        case FlagsCondition():
            pass


def _check_label_ids(report, loc, given, labels, whose: str) -> None:
    for j, label in enumerate(given):
        if label not in labels:
            report(
                loc + (j,),
                f"{label!r} is not a label of {whose} (labels: {', '.join(labels)})" + _did_you_mean(label, labels),
            )


def _check_scored_item(report, bank, item, loc) -> None:
    if item.dimension is None:
        report(loc, f"a {item.kind} item needs a `dimension`")
    elif item.dimension not in bank.dimension_by_id:
        report(
            loc + ("dimension",),
            f"unknown dimension {item.dimension!r}" + _did_you_mean(item.dimension, bank.dimension_by_id),
        )
    if item.expect is not None:
        report(loc + ("expect",), "`expect` is for attention checks; remove it or set `kind: attention`")
    if item.kind == "likert" and item.options:
        report(loc + ("options",), "likert items answer on the shared `scale`; remove `options` or make it a scenario")
    if item.kind != "scenario":
        return
    if item.reverse:
        report(loc + ("reverse",), "a scenario cannot be reverse-keyed; set the points of its options instead")
    if len(item.options) < 2:
        report(loc, f"a scenario needs at least 2 options, has {len(item.options)}")
    for j, option in enumerate(item.options):
        if option.points is None:
            report(loc + ("options", j), f"scenario option {option.key!r} needs `points` (0-{BEST_SCENARIO_POINTS})")
    best = max((o.points or 0 for o in item.options), default=None)
    if best is not None and best != BEST_SCENARIO_POINTS:
        report(
            loc + ("options",),
            f"no option is worth {BEST_SCENARIO_POINTS} points (the most is {best}); "
            f"give the best answer {BEST_SCENARIO_POINTS}",
        )


def _check_attention_item(report, item, loc) -> None:
    """An instructed-response statement ("Choose Disagree for this one"): answered on the scale, never scored."""
    for field, wrong in (
        ("dimension", item.dimension is not None),
        ("reverse", item.reverse),
        ("options", item.options),
    ):
        if wrong:
            report(loc + (field,), f"an attention check is not scored; remove `{field}`")
    if item.expect is None:
        report(loc, "an attention check needs `expect`: the scale value (1-5) its text asks for")


def _check_items(report, bank) -> None:
    for i, item in enumerate(bank.items):
        loc = ("items", i)
        if item.kind == "attention":
            _check_attention_item(report, item, loc)
        else:
            _check_scored_item(report, bank, item, loc)
        _unique(report, "option key", [(loc + ("options", j), o) for j, o in enumerate(item.options)], "key")


def _check_profile(report, bank) -> None:
    for i, question in enumerate(bank.profile):
        loc = ("profile", i)
        for j, option in enumerate(question.options):
            if option.points is not None:
                report(loc + ("options", j, "points"), "profile options are not scored; remove `points`")
        keys = [o.key for o in question.options]
        if question.exclusive and not question.multiple:
            # A single-choice question has nothing to combine with, so the form ignores it.
            report(
                loc + ("exclusive",), "`exclusive` only matters with `multiple: true`; add that or remove `exclusive`"
            )
        for j, key in enumerate(question.exclusive):
            if key not in keys:
                report(
                    loc + ("exclusive", j), f"{key!r} is not an option of {question.id!r}" + _did_you_mean(key, keys)
                )
        _unique(report, "option key", [(loc + ("options", j), o) for j, o in enumerate(question.options)], "key")


def _check_dimensions(report, bank) -> None:
    _unique(report, "id", [(("dimensions", i), d) for i, d in enumerate(bank.dimensions)])
    for i, dimension in enumerate(bank.dimensions):
        loc = ("dimensions", i)
        if dimension.id == SKILLS_SCORE:
            report(loc + ("id",), f"{SKILLS_SCORE!r} names the skills score in conditions; choose another id")
        count = len(bank.items_of(dimension.id))
        if count < MIN_ITEMS_PER_DIMENSION:
            report(
                loc + ("id",),
                f"dimension {dimension.id!r} has {count} item{'s' if count != 1 else ''}, needs at least "
                f"{MIN_ITEMS_PER_DIMENSION} (add items with `dimension: {dimension.id}`)",
            )
        if dimension.labels is not None:
            if dimension.kind != "context":
                report(loc + ("labels",), "only a context dimension has its own labels; skills use `score_labels`")
            _check_ranges(report, loc + ("labels",), "label", dimension.labels)
    if not bank.skills:
        report(("dimensions",), "no dimension has `kind: skill`; the skills score needs at least one")
    elif not any(d.weight > 0 for d in bank.skills):
        report(("dimensions",), "every skill weight is 0; at least one skill must count")


def _check_pages(report, bank) -> None:
    _unique(report, "id", [(("pages", i), p) for i, p in enumerate(bank.pages)])
    placed: dict[str, tuple] = {}
    for i, page in enumerate(bank.pages):
        for j, qid in enumerate(page.questions):
            loc = ("pages", i, "questions", j)
            if qid not in bank.questions:
                report(loc, f"unknown question {qid!r}" + _did_you_mean(qid, bank.questions))
            elif qid in placed:
                report(loc, f"question {qid!r} is listed twice (also on line {report.line(placed[qid])}); keep one")
            else:
                placed[qid] = loc
    for section in ("profile", "items"):
        for i, question in enumerate(getattr(bank, section)):
            if question.id not in placed:
                report((section, i, "id"), f"question {question.id!r} is on no page (add it to a page's `questions`)")


def _check_band_caps(report, bank) -> None:
    _unique(report, "id", [(("band_caps", i), c) for i, c in enumerate(bank.band_caps)])
    band_ids = [b.id for b in bank.bands]
    for i, cap in enumerate(bank.band_caps):
        if cap.cap not in band_ids:
            report(("band_caps", i, "cap"), f"unknown band {cap.cap!r}" + _did_you_mean(cap.cap, band_ids))
        _check_condition(report, bank, cap.when, ("band_caps", i, "when"))


def _flag_values(bank, question) -> list:
    """The answers that can raise a flag on `question`: scale values or option keys."""
    if getattr(question, "kind", None) == "likert":
        return list(range(1, len(bank.scale) + 1))
    return [o.key for o in question.options]


def _check_flags(report, bank) -> None:
    _unique(report, "id", [(("flags", i), f) for i, f in enumerate(bank.flags)])
    for i, flag in enumerate(bank.flags):
        loc = ("flags", i)
        question = bank.questions.get(flag.item)
        if question is None:
            report(loc + ("item",), f"unknown question {flag.item!r}" + _did_you_mean(flag.item, bank.questions))
            continue
        if getattr(question, "kind", "profile") not in ("likert", "profile"):
            report(
                loc + ("item",),
                f"flags read a statement or a profile question; {flag.item!r} is a {question.kind} item",
            )
            continue
        allowed = _flag_values(bank, question)
        for field in ("strong", "mild"):
            for j, value in enumerate(getattr(flag, field)):
                if value not in allowed:
                    shown = ", ".join(map(str, allowed))
                    report(loc + (field, j), f"{value!r} is not an answer of {flag.item!r} (answers: {shown})")
                elif field == "mild" and value in flag.strong:
                    report(loc + (field, j), f"{value!r} is listed under both `strong` and `mild`; keep one")
        if flag.mild and not flag.mild_text:
            report(loc + ("mild",), "mild answers need a `mild_text` to say what was noticed")


def _check_quality(report, bank) -> None:
    items = {item.id: item for item in bank.items}
    for i, pair in enumerate(bank.quality.opposite_pairs):
        loc = ("quality", "opposite_pairs", i)
        found = [items.get(pair.agree), items.get(pair.opposite)]
        for field, item_id, item in zip(("agree", "opposite"), (pair.agree, pair.opposite), found, strict=True):
            if item is None:
                report(loc + (field,), f"unknown item {item_id!r}" + _did_you_mean(item_id, items))
            elif item.kind != "likert":
                report(loc + (field,), f"{item_id!r} is a {item.kind} item; pairs are scored agree-scale statements")
        agree, opposite = found
        if agree and opposite and (agree.reverse, opposite.reverse) != (False, True):
            report(loc, "`agree` must be an agree-keyed item and `opposite` a reverse-keyed one")
    if not any(item.kind == "attention" for item in bank.items):
        report(("items",), "no attention check (`kind: attention`): careless answering would go unnoticed")


def _check_placeholders(report, loc, text: str, allowed: set[str]) -> None:
    for name in PLACEHOLDER.findall(text):
        if name not in allowed:
            names = ", ".join("{" + a + "}" for a in sorted(allowed))
            report(loc, f"unknown placeholder {{{name}}} (this text can use {names})")


def _check_steps_and_careers(report, bank) -> None:
    for section in ("steps", "careers"):
        entries = getattr(bank, section)
        _unique(report, "id", [((section, i), e) for i, e in enumerate(entries)])
        for i, entry in enumerate(entries):
            if entry.when is not None:
                _check_condition(report, bank, entry.when, (section, i, "when"))
    for i, step in enumerate(bank.steps):
        for j, need in enumerate(step.needs):
            _check_condition(report, bank, need.when, ("steps", i, "needs", j, "when"))


def linked_entries(bank) -> list[tuple[tuple, Step | Career | Credential | TalkItOver | Outlook]]:
    """(loc, entry) for every step, career, credential, the outlook and the talk-it-over section:
    everything that names `links`."""
    return [
        (("talk_it_over",), bank.talk_it_over),
        (("role", "outlook"), bank.role.outlook),
        *((("steps", i), s) for i, s in enumerate(bank.steps)),
        *((("careers", i), c) for i, c in enumerate(bank.careers)),
        *((("role", "credentials", i), c) for i, c in enumerate(bank.role.credentials)),
    ]


def _check_links(report, bank) -> None:
    """Every link named by a step, credential or career is in `links`, once."""
    _unique(report, "link id", [(("links", i), link) for i, link in enumerate(bank.links)])
    known = bank.link_by_id
    for loc, entry in linked_entries(bank):
        for j, link in enumerate(entry.links):
            if link not in known:
                report(loc + ("links", j), f"unknown link {link!r} (add it under `links`)" + _did_you_mean(link, known))


def cross_check(bank, parsed: Parsed) -> list[Problem]:
    """Every problem the schema cannot see, in one list."""
    report = _Reporter(parsed)
    _unique(report, "id", [(("role", "credentials", i), c) for i, c in enumerate(bank.role.credentials)])
    questions = [(("profile", i), q) for i, q in enumerate(bank.profile)]
    _unique(report, "question id", questions + [(("items", i), q) for i, q in enumerate(bank.items)])
    _check_items(report, bank)
    _check_profile(report, bank)
    _check_dimensions(report, bank)
    _check_pages(report, bank)
    _check_ranges(report, ("bands",), "band", bank.bands)
    _check_ranges(report, ("score_labels",), "score label", bank.score_labels)
    _check_band_caps(report, bank)
    _check_flags(report, bank)
    _check_quality(report, bank)
    _check_placeholders(report, ("precision", "near_note"), bank.precision.near_note, {"nearby"})
    _check_steps_and_careers(report, bank)
    _check_links(report, bank)
    return report.problems
