"""Turn schema errors and cross-reference mistakes in questions.yaml into line-numbered problems.

Each problem reads like a compiler message an editor can click:
`questions.yaml:42:7: items[12] 'org_scenario'.options[1] 'b'.points: expected at most 3, got 5`.
"""
from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass

from pydantic import BaseModel
from pydantic import ValidationError

from .yamlpos import Parsed
from .yamlpos import Position

MIN_ITEMS_PER_DIMENSION = 4
BEST_SCENARIO_POINTS = 3


@dataclass(frozen=True, order=True)
class Problem:
    position: Position
    where: str
    message: str

    def format(self, filename: str) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{filename}:{self.position.line}:{self.position.column}:{where} {self.message}"


def _shown(value) -> str:
    if isinstance(value, bool):  # as the file spells it, not Python's True
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _position(parsed: Parsed, loc) -> Position:
    """Where `loc` stands, or its nearest enclosing value that the file has."""
    loc = tuple(loc)
    while loc not in parsed.values and loc:
        loc = loc[:-1]
    return parsed.values.get(loc, Position(1, 1))


def _describe(loc, data) -> str:
    """`items[12] 'org_scenario'.options[1] 'b'.points`: the path, with ids to find it by eye."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            element = data[part] if isinstance(data, list) and part < len(data) else None
            name = element.get("id", element.get("key")) if isinstance(element, dict) else None
            if isinstance(name, str):
                out += f" {name!r}"
            data = element
        else:
            out += f".{part}" if out else str(part)
            data = data.get(part) if isinstance(data, dict) else None
    return out


def _closest(word, choices) -> str | None:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(word, choices) -> str:
    close = _closest(word, choices)
    return f" (did you mean {close!r}?)" if close else ""


def _model_in(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if found := _model_in(arg):
            return found
    return None


def _field_names(model: type[BaseModel] | None, loc) -> list[str]:
    """The keys allowed in the mapping at `loc`, following the schema down from `model`."""
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = next((f for name, f in model.model_fields.items() if (f.alias or name) == part), None)
        model = _model_in(field.annotation) if field else None
    return [f.alias or name for name, f in model.model_fields.items()] if model else []


# What an editor most likely meant by a YAML 1.1 boolean word.
_BOOLEAN_WORDS = {"yes": "true", "y": "true", "on": "true", "no": "false", "n": "false", "off": "false"}


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _explain(error, root_model, written: str | None = None) -> str:
    """One schema error in words; `written` is the value as typed in the file, when known."""
    kind, value, loc, ctx = error["type"], error.get("input"), error["loc"], error.get("ctx", {})
    field = loc[-1] if loc else "file"
    if kind == "missing":
        return f"missing required field {field!r}"
    if kind == "extra_forbidden":
        allowed = _field_names(root_model, loc[:-1])
        hint = _did_you_mean(field, allowed) or f" (allowed here: {', '.join(allowed)})"
        return f"unknown field {field!r}{hint}"
    if kind == "bool_type":
        if isinstance(value, str) and value.lower() in _BOOLEAN_WORDS:
            meant = _BOOLEAN_WORDS[value.lower()]
            return f"expected true or false, got {value!r} (write {meant}: only true and false are booleans here)"
        return f"expected true or false, got {_shown(value)}"
    if kind == "string_type":
        if value is None:
            return "expected text, got nothing (fill it in or remove the line)"
        if isinstance(value, (int, float, bool)):
            # Quote what was typed: `version: 1.10` must become "1.10", not the number's "1.1".
            typed = written if written is not None else _shown(value)
            read_as = "the boolean" if isinstance(value, bool) else "the number"
            return f"expected text, got {read_as} {typed} (put it in quotes: \"{typed}\")"
        return f"expected text, got {_shown(value)}"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return f"expected a whole number, got {_shown(value)}"
    if kind in {"float_type", "float_parsing"}:
        return f"expected a number, got {_shown(value)}"
    if kind in {"less_than_equal", "greater_than_equal"}:
        bound = "at most" if kind == "less_than_equal" else "at least"
        return f"expected {bound} {ctx.get('le', ctx.get('ge'))}, got {_shown(value)}"
    if kind == "literal_error":
        return f"expected {ctx.get('expected')}, got {_shown(value)}" + _did_you_mean(
            value, [w.strip(" '") for w in str(ctx.get("expected", "")).replace(" or ", ",").split(",")]
        )
    if kind == "string_pattern_mismatch":
        return f"{_shown(value)} is not a valid id (use lowercase letters, digits and _, starting with a letter)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return (f"{_shown(value)} is {len(value)} characters long, more than the {ctx.get('max_length')} "
                "that are stored (shorten it)")
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} entries, has {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"takes at most {ctx.get('max_length')} entries, has {ctx.get('actual_length')}"
    if kind == "list_type":
        return f"expected a list (one '- ' line per entry), got {_shown(value)}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"expected a mapping of 'name: value' lines, got {_shown(value)}"
    return f"{error['msg']} (got {_shown(value)})"


def _misspelled(errors, root_model) -> set[tuple]:
    """Locs of missing fields whose name is typed wrongly next to them: one mistake, one message.

    `shrot: x` makes pydantic report both a missing 'short' and an unknown 'shrot'; the unknown
    field's "did you mean 'short'?" says it all.
    """
    unknown: dict[tuple, list[str]] = {}
    for e in errors:
        if e["type"] == "extra_forbidden":
            unknown.setdefault(tuple(e["loc"][:-1]), []).append(str(e["loc"][-1]))
    covered = set()
    for e in errors:
        loc = tuple(e["loc"])
        if e["type"] == "missing" and loc and loc[:-1] in unknown:
            allowed = _field_names(root_model, loc[:-1])
            if any(_closest(word, allowed) == loc[-1] for word in unknown[loc[:-1]]):
                covered.add(loc)
    return covered


def from_validation_error(error: ValidationError, parsed: Parsed, root_model) -> list[Problem]:
    problems = []
    errors = error.errors(include_url=False)
    covered = _misspelled(errors, root_model)
    for detail in errors:
        loc = tuple(detail["loc"])
        if loc in covered and detail["type"] == "missing":
            continue
        if detail["type"] == "extra_forbidden" and loc in parsed.keys:
            position = parsed.keys[loc]
        else:
            position = _position(parsed, loc)
        message = _explain(detail, root_model, parsed.written.get(loc))
        problems.append(Problem(position, _describe(loc, parsed.data), message))
    return problems


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


def _check_ranges(report, name: str, what: str, ranges) -> None:
    """Ranges must cover every whole score 0-100 exactly once."""
    for i, r in enumerate(ranges):
        if r.min > r.max:
            report((name, i, "min"), f"min {r.min} is above max {r.max}")
    ordered = sorted(enumerate(ranges), key=lambda pair: (pair[1].min, pair[1].max))
    next_uncovered, previous = 0, None
    for i, r in ordered:
        if r.min > r.max:
            continue
        if r.min > next_uncovered:
            report((name, i, "min"), f"no {what} covers {_span(next_uncovered, r.min - 1)} ({what}s must cover 0-100)")
        elif r.min < next_uncovered and previous is not None:
            report(
                (name, i, "min"),
                f"overlaps {previous.id!r} on {_span(r.min, min(r.max, next_uncovered - 1))} "
                "(each score must fall in exactly one)",
            )
        if r.max + 1 > next_uncovered:
            next_uncovered, previous = r.max + 1, r
    if next_uncovered <= 100 and ordered:
        last = max(ordered, key=lambda pair: pair[1].max)[0]
        report((name, last, "max"), f"no {what} covers {_span(next_uncovered, 100)} ({what}s must cover 0-100)")


def _check_condition(report, bank, cond, loc) -> None:
    kinds = [k for k in ("all", "any", "answer", "score", "band") if getattr(cond, k) is not None]
    if len(kinds) != 1:
        got = ", ".join(kinds) or "none"
        report(loc, f"a condition needs exactly one of all, any, answer, score, band (got {got})")
    for combinator in ("all", "any"):
        for i, inner in enumerate(getattr(cond, combinator) or []):
            _check_condition(report, bank, inner, loc + (combinator, i))
    if cond.answer is not None:
        profile = {q.id: q for q in bank.profile}
        question = profile.get(cond.answer)
        if question is None:
            report(loc + ("answer",), f"unknown profile question {cond.answer!r}" + _did_you_mean(cond.answer, profile))
        if (cond.in_ is None) == (cond.not_in is None):
            report(loc, "an `answer` condition needs exactly one of `in` or `not_in`")
        keys = [o.key for o in question.options] if question else []
        for field, values in (("in", cond.in_), ("not_in", cond.not_in)):
            for j, key in enumerate(values or []):
                if question and key not in keys:
                    hint = _did_you_mean(key, keys) or f" (options: {', '.join(keys)})"
                    report(loc + (field, j), f"{key!r} is not an option of {cond.answer!r}{hint}")
    elif cond.in_ is not None or cond.not_in is not None:
        report(loc, "`in` and `not_in` go with `answer`")
    if cond.score is not None:
        if cond.score not in bank.dimension_by_id:
            report(loc + ("score",), f"unknown dimension {cond.score!r}" + _did_you_mean(cond.score, bank.dimension_by_id))
        if cond.at_least is None and cond.below is None:
            report(loc, "a `score` condition needs `at_least`, `below` or both")
    elif cond.at_least is not None or cond.below is not None:
        report(loc, "`at_least` and `below` go with `score`")
    band_ids = [b.id for b in bank.bands]
    for j, band in enumerate(cond.band or []):
        if band not in band_ids:
            report(loc + ("band", j), f"unknown band {band!r}" + _did_you_mean(band, band_ids))


def _check_items(report, bank) -> None:
    for i, item in enumerate(bank.items):
        loc = ("items", i)
        if item.dimension not in bank.dimension_by_id:
            report(loc + ("dimension",), f"unknown dimension {item.dimension!r}" + _did_you_mean(item.dimension, bank.dimension_by_id))
        if item.kind == "likert" and item.options:
            report(loc + ("options",), "likert items answer on the shared `scale`; remove `options` or make it a scenario")
        if item.kind == "scenario":
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
        _unique(report, "option key", [(loc + ("options", j), o) for j, o in enumerate(item.options)], "key")
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
                report(loc + ("exclusive", j), f"{key!r} is not an option of {question.id!r}" + _did_you_mean(key, keys))
        _unique(report, "option key", [(loc + ("options", j), o) for j, o in enumerate(question.options)], "key")


def _check_dimensions(report, bank) -> None:
    for i, dimension in enumerate(bank.dimensions):
        count = len(bank.items_of(dimension.id))
        if count < MIN_ITEMS_PER_DIMENSION:
            report(
                ("dimensions", i, "id"),
                f"dimension {dimension.id!r} has {count} item{'s' if count != 1 else ''}, needs at least "
                f"{MIN_ITEMS_PER_DIMENSION} (add items with `dimension: {dimension.id}`)",
            )
    if bank.dimensions and not any(d.weight > 0 for d in bank.dimensions):
        report(("dimensions",), "every weight is 0; at least one dimension must count")


def _check_pages(report, bank) -> None:
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


def _check_rules(report, bank) -> None:
    band_ids = [b.id for b in bank.bands]
    for i, cap in enumerate(bank.band_caps):
        if cap.cap not in band_ids:
            report(("band_caps", i, "cap"), f"unknown band {cap.cap!r}" + _did_you_mean(cap.cap, band_ids))
        if (cap.skill_score_below is None) == (cap.flags_at_least is None):
            report(("band_caps", i), "a cap needs exactly one of `skill_score_below` or `flags_at_least`")
    items = {item.id: item for item in bank.items}
    for i, flag in enumerate(bank.flags):
        item = items.get(flag.item)
        if item is None:
            report(("flags", i, "item"), f"unknown item {flag.item!r}" + _did_you_mean(flag.item, items))
        elif item.kind != "likert":
            report(("flags", i, "item"), f"flags read agree-scale answers; {flag.item!r} is a scenario")
    for i, pair in enumerate(bank.quality.opposite_pairs):
        loc = ("quality", "opposite_pairs", i)
        found = [items.get(pair.agree), items.get(pair.opposite)]
        for field, item_id, item in zip(("agree", "opposite"), (pair.agree, pair.opposite), found):
            if item is None:
                report(loc + (field,), f"unknown item {item_id!r}" + _did_you_mean(item_id, items))
            elif item.kind != "likert":
                report(loc + (field,), f"{item_id!r} is a scenario; pairs are agree-scale items")
        if all(found) and (found[0].reverse, found[1].reverse) != (False, True):
            report(loc, "`agree` must be an agree-keyed item and `opposite` a reverse-keyed one")
    pairs, needed = len(bank.quality.opposite_pairs), bank.quality.opposite_pairs_at_least
    if needed > pairs:
        report(
            ("quality", "opposite_pairs_at_least"),
            f"{needed} can never be reached with {pairs} pair{'s' if pairs != 1 else ''} "
            f"(add pairs to `opposite_pairs` or lower it to at most {pairs})",
        )
    for section in ("steps", "careers"):
        for i, entry in enumerate(getattr(bank, section)):
            if entry.when is not None:
                _check_condition(report, bank, entry.when, (section, i, "when"))


def cross_check(bank, parsed: Parsed) -> list[Problem]:
    """Everything the schema alone cannot see: ids, references, coverage and counts."""
    report = _Reporter(parsed)
    for section in ("dimensions", "pages", "bands", "score_labels", "flags", "band_caps", "steps", "careers"):
        _unique(report, "id", [((section, i), e) for i, e in enumerate(getattr(bank, section))])
    _unique(report, "id", [(("role", "credentials", i), c) for i, c in enumerate(bank.role.credentials)])
    questions = [(("profile", i), q) for i, q in enumerate(bank.profile)]
    _unique(report, "question id", questions + [(("items", i), q) for i, q in enumerate(bank.items)])
    _check_items(report, bank)
    _check_dimensions(report, bank)
    _check_pages(report, bank)
    _check_ranges(report, "bands", "band", bank.bands)
    _check_ranges(report, "score_labels", "score label", bank.score_labels)
    _check_rules(report, bank)
    return report.problems
