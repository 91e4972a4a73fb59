"""Read YAML strictly and remember where every key and value stands in the file.

PyYAML follows YAML 1.1, which reads `yes`, `no`, `on`, `off` as booleans, `1:30` as the
number 90 and `2024-05-01` as a date, silently keeps the last of two equal keys and lets
anchors copy values around. An editor of questions.yaml should get none of those surprises, so
this loader knows only `true`/`false`, plain decimal numbers and `null`, refuses anchors and
aliases, and reports every duplicate key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

Path = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class YamlProblem:
    position: Position
    message: str


@dataclass(frozen=True)
class Parsed:
    data: Any
    values: dict[Path, Position]  # where each value starts
    keys: dict[Path, Position]  # where the key of each mapping entry starts
    problems: list[YamlProblem]


class StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars and no anchors or aliases."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (&name, *name) are not supported here; "
                "write the value out in full",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)


_REPLACED = {BOOL_TAG, INT_TAG, FLOAT_TAG, TIMESTAMP_TAG}
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|false)$"), list("tf"))
StrictLoader.add_implicit_resolver(INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
StrictLoader.add_implicit_resolver(
    FLOAT_TAG, re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$"), list("-+.0123456789")
)


def _position(mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _walk(node, path: Path, values, keys, problems) -> None:
    """Record positions under `path` and report duplicate keys, depth first."""
    values[path] = _position(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            here = _position(key_node.start_mark)
            if key in seen:
                problems.append(
                    YamlProblem(here, f"duplicate key {key!r} (first given on line {seen[key].line}; keep one)")
                )
                continue
            seen[key] = here
            keys[path + (key,)] = here
            _walk(value_node, path + (key,), values, keys, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, path + (index,), values, keys, problems)


def parse(text: str) -> Parsed:
    """Parse YAML text; syntax problems come back as problems, never as exceptions."""
    values: dict[Path, Position] = {}
    keys: dict[Path, Position] = {}
    problems: list[YamlProblem] = []
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, values, keys, problems)
        _walk(node, (), values, keys, problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _position(mark) if mark else Position(1, 1)
        message = " ".join(part for part in (error.context, error.problem) if part)
        return Parsed(None, values, keys, [YamlProblem(where, f"YAML syntax: {message}")])
    except yaml.YAMLError as error:
        return Parsed(None, values, keys, [YamlProblem(Position(1, 1), f"YAML: {error}")])
    except RecursionError:
        return Parsed(None, values, keys, [YamlProblem(Position(1, 1), "nesting is too deep to read")])
    finally:
        loader.dispose()
    return Parsed(data, values, keys, problems)
