"""Read YAML strictly and remember where every key and value stands in the file.

PyYAML follows YAML 1.1, which reads `yes`, `no`, `on`, `off` as booleans, `1:30` as the
number 90 and `2024-05-01` as a date, silently keeps the last of two equal keys and lets
anchors copy values around. An editor of questions.yaml should get none of those surprises, so
this loader knows only `true`/`false`, plain decimal numbers and `null`, reads every key as the
text written, refuses anchors and aliases, and reports every duplicate key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

import yaml

STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

# questions.yaml needs about ten levels; far more is a bracket left open. A fixed limit also
# keeps PyYAML's recursive composer well away from Python's recursion limit, wherever it is called.
MAX_DEPTH = 100

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
    written: dict[Path, str] = field(default_factory=dict)  # each scalar as typed, e.g. "1.10"


class Refused(yaml.MarkedYAMLError):
    """Valid YAML that this file does not allow (anchors, aliases, absurd nesting)."""


class StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars, text keys and no anchors or aliases."""

    depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            # The pure-Python loader's events carry yaml.error.Mark; the stubs also allow the C one.
            mark = cast(yaml.error.Mark, event.start_mark)
            raise Refused(problem=_refusal(f"alias {'*' + (event.anchor or '')!r}"), problem_mark=mark)
        if getattr(event, "anchor", None):
            mark = _anchor_mark(event.start_mark, event.anchor)
            raise Refused(problem=_refusal(f"anchor {'&' + event.anchor!r}"), problem_mark=mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise Refused(
                    problem=f"nesting is deeper than {MAX_DEPTH} levels; look for a '[' or '{{' that is never closed",
                    problem_mark=event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        # Keys are field names: `1:`, `true:` or `<<:` (a YAML 1.1 merge) should read as the
        # unknown field they are, with a did-you-mean, not as a number, boolean or merge.
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_node.tag = STR_TAG
        return super().construct_mapping(node, deep)


def _refusal(what: str) -> str:
    return f"{what} is not supported here; write the value out in full (no &name or *name in this file)"


def _anchor_mark(mark, anchor: str):
    """The mark of `&anchor` itself: PyYAML starts a node at its tag when the tag comes first."""
    buffer = getattr(mark, "buffer", None)
    if not buffer:
        return mark
    found = buffer.find("&" + anchor, mark.pointer)
    if found < 0 or "\n" in buffer[mark.pointer : found]:
        return mark
    shift = found - mark.pointer
    return yaml.Mark(mark.name, mark.index + shift, mark.line, mark.column + shift, buffer, found)


_REPLACED = {BOOL_TAG, INT_TAG, FLOAT_TAG, TIMESTAMP_TAG}
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|false)$"), list("tf"))
StrictLoader.add_implicit_resolver(INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
StrictLoader.add_implicit_resolver(FLOAT_TAG, re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$"), list("-+.0123456789"))

# PyYAML's wording for common slips, and what to do about each; the first match wins.
_HINTS = (
    ("'\\t'", "indent with spaces, not tabs"),
    ("that cannot start any token", "put text that starts with this character in quotes"),
    ("while scanning an alias", "put text that starts with '*' in quotes"),
    ("while scanning an anchor", "put text that starts with '&' in quotes"),
    ("mapping values are not allowed here", "check this line's indentation, or put text that contains ': ' in quotes"),
    ("could not find expected ':'", "write 'name: value', or check this line's indentation"),
    ("but found '<scalar>'", "a quote opened above may be left open, or text follows a closing quote"),
    ("expected <block end>", "check that this line is indented like the lines it belongs with"),
    ("expected ',' or ']'", "close the '[' with ']', or put an entry that contains ':' or ',' in quotes"),
    ("expected ',' or '}'", "close the '{' with '}', or put an entry that contains ':' or ',' in quotes"),
)
# Errors noticed only where the construct ends: the fix is where it began, so say it there.
_AT_START = {
    "while scanning a quoted scalar": "this quoted text is never closed; add the closing quote",
    "while scanning a simple key": "no ':' after this name; write 'name: value', or check this line's indentation",
}


def _position(mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _syntax_problem(error: yaml.MarkedYAMLError) -> YamlProblem:
    """PyYAML's complaint, where the construct it was reading began, and a hint for common slips."""
    problem, context = error.problem or "cannot read this", error.context
    mark, start = error.problem_mark or error.context_mark, error.context_mark
    if isinstance(error, Refused):
        return YamlProblem(_position(mark), problem)
    if context in _AT_START and start:
        return YamlProblem(_position(start), f"YAML syntax: {_AT_START[context]}")
    if "another document" in problem:
        return YamlProblem(_position(mark), "YAML syntax: a second document starts here; remove this '---' line")
    message = problem
    if context and start and mark and start.line != mark.line:
        message = f"{problem} ({context} that starts on line {start.line + 1})"
    hint = next((hint for pattern, hint in _HINTS if pattern in f"{context} {problem}"), "")
    message = f"YAML syntax: {message}" + (f"; {hint}" if hint else "")
    return YamlProblem(_position(mark) if mark else Position(1, 1), message)


def _reader_problem(error: yaml.reader.ReaderError, text: str) -> YamlProblem:
    """A character YAML does not allow (NUL, most control characters), at its line and column."""
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    char = error.character if isinstance(error.character, str) else chr(error.character)
    return YamlProblem(
        Position(line, column), f"the character {char!r} (U+{ord(char):04X}) is not allowed in YAML; delete it"
    )


def _walk(node, path: Path, parsed: Parsed) -> None:
    """Record positions under `path` and report duplicate keys, depth first."""
    parsed.values[path] = _position(node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        parsed.written[path] = node.value
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            here = _position(key_node.start_mark)
            if key in seen:
                parsed.problems.append(
                    YamlProblem(here, f"duplicate key {key!r} (first given on line {seen[key].line}; keep one)")
                )
                continue
            seen[key] = here
            parsed.keys[path + (key,)] = here
            _walk(value_node, path + (key,), parsed)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _walk(child, path + (index,), parsed)


def parse(text: str) -> Parsed:
    """Parse YAML text; syntax problems come back as problems, never as exceptions."""
    found = Parsed(None, {}, {}, [])
    loader = None
    try:
        loader = StrictLoader(text)  # already checks every character, so inside the try
        node = loader.get_single_node()
        if node is None:
            return found
        _walk(node, (), found)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        return Parsed(None, found.values, found.keys, [_syntax_problem(error)], found.written)
    except yaml.reader.ReaderError as error:
        return Parsed(None, found.values, found.keys, [_reader_problem(error, text)], found.written)
    except yaml.YAMLError as error:
        return Parsed(None, found.values, found.keys, [YamlProblem(Position(1, 1), f"YAML: {error}")], found.written)
    except RecursionError:
        # MAX_DEPTH should prevent this; kept so that no input can raise.
        problem = YamlProblem(Position(1, 1), "nesting is too deep to read; look for a '[' or '{' that is never closed")
        return Parsed(None, found.values, found.keys, [problem], found.written)
    finally:
        if loader is not None:
            loader.dispose()
    return Parsed(data, found.values, found.keys, found.problems, found.written)
