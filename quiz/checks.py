"""Turn schema errors in questions.yaml into line-numbered problems (quiz/references.py adds the
cross-reference mistakes).

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


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def _keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_for(annotation, data) -> type[BaseModel] | None:
    """The model an annotation means for this data: of a union (conditions), the best fit."""
    models = _models_in(annotation)
    if len(models) > 1 and isinstance(data, dict):
        return max(models, key=lambda model: len(set(_keys(model)) & set(data)))
    return models[0] if models else None


def _field_names(model: type[BaseModel] | None, loc, data=None) -> list[str]:
    """The keys allowed in the mapping at `loc`, following the schema and the data down from `model`."""
    annotation = None
    for part in loc:
        data = data[part] if isinstance(data, (dict, list)) and _has(data, part) else None
        if isinstance(part, int):
            # An entry of a list: which model it is may depend on the entry (a list of conditions).
            model = _model_for(annotation, data) if annotation is not None else model
            continue
        if model is None:
            return []
        field = next((f for name, f in model.model_fields.items() if (f.alias or name) == part), None)
        annotation = field.annotation if field else None
        model = _model_for(annotation, data) if field else None
    return _keys(model) if model else []


def _has(data, part) -> bool:
    return part in data if isinstance(data, dict) else isinstance(part, int) and part < len(data)


# What an editor most likely meant by a YAML 1.1 boolean word.
_BOOLEAN_WORDS = {"yes": "true", "y": "true", "on": "true", "no": "false", "n": "false", "off": "false"}


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def _explain(error, root_model, written: str | None = None, data=None) -> str:
    """One schema error in words; `written` is the value as typed in the file, when known."""
    kind, value, loc, ctx = error["type"], error.get("input"), error["loc"], error.get("ctx", {})
    field = loc[-1] if loc else "file"
    if kind == "missing":
        return f"missing required field {field!r}"
    if kind == "condition_kind":
        from .bank import CONDITION_KINDS

        got = ", ".join(k for k in CONDITION_KINDS if isinstance(value, dict) and k in value) or "none"
        if not isinstance(value, dict):
            return f"expected a mapping of 'name: value' lines, got {_shown(value)}"
        return f"a condition needs exactly one of {', '.join(CONDITION_KINDS)} (got {got})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "extra_forbidden":
        allowed = _field_names(root_model, loc[:-1], data)
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
            return f'expected text, got {read_as} {typed} (put it in quotes: "{typed}")'
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
        return (
            f"{_shown(value)} is {len(value)} characters long, more than the {ctx.get('max_length')} "
            "that are stored (shorten it)"
        )
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} entries, has {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"takes at most {ctx.get('max_length')} entries, has {ctx.get('actual_length')}"
    if kind == "list_type":
        return f"expected a list (one '- ' line per entry), got {_shown(value)}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"expected a mapping of 'name: value' lines, got {_shown(value)}"
    return f"{error['msg']} (got {_shown(value)})"


def _misspelled(errors, root_model, data) -> set[tuple]:
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
            allowed = _field_names(root_model, loc[:-1], data)
            if any(_closest(word, allowed) == loc[-1] for word in unknown[loc[:-1]]):
                covered.add(loc)
    return covered


def _without_tags(loc) -> tuple:
    """The path as the file has it: pydantic adds the tag of a condition's kind to the path."""
    from .bank import CONDITION_KINDS  # the schema imports this module

    tags = set(CONDITION_KINDS.values())
    return tuple(part for part in loc if part not in tags)


def from_validation_error(error: ValidationError, parsed: Parsed, root_model) -> list[Problem]:
    problems = []
    errors: list[dict] = [{**e, "loc": _without_tags(e["loc"])} for e in error.errors(include_url=False)]
    covered = _misspelled(errors, root_model, parsed.data)
    for detail in errors:
        loc = tuple(detail["loc"])
        if loc in covered and detail["type"] == "missing":
            continue
        if detail["type"] == "extra_forbidden" and loc in parsed.keys:
            position = parsed.keys[loc]
        else:
            position = _position(parsed, loc)
        message = _explain(detail, root_model, parsed.written.get(loc), parsed.data)
        problems.append(Problem(position, _describe(loc, parsed.data), message))
    return problems
