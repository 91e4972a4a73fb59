"""The question bank: the schema of questions.yaml and the loader that checks it.

Everything an editor can change (questions, scoring rules, report texts, pathway steps) lives in
questions.yaml. This module turns that file into frozen pydantic models, or into a list of
problems that each name a line, what is wrong and how to fix it. No Flask here.
"""
from __future__ import annotations

import hashlib
import os
from functools import cached_property
from pathlib import Path
from typing import Annotated
from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import StringConstraints
from pydantic import ValidationError

from . import checks
from . import yamlpos

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Score = Annotated[int, Field(ge=0, le=100)]
# The database keeps the version in String(60) columns (attempts, bank_versions): a longer one
# would pass here and then fail every first page on PostgreSQL.
MAX_VERSION_LENGTH = 60
Version = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_VERSION_LENGTH)]
# The shipped bank is about 45 KB. Parsing takes about 200 times the file's size in memory and
# seconds per megabyte, so a file far larger is a mistake (a wrong file copied), refused unread.
MAX_BANK_BYTES = 1024 * 1024

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "questions.yaml"
# Rough reading-and-answering times, used only for the "about N minutes" estimate.
SECONDS_PER_LIKERT = 12
SECONDS_PER_SCENARIO = 45
SECONDS_PER_PROFILE = 10


class Model(BaseModel):
    # strict: a YAML `yes` or `1.0` where text or a boolean is expected is an error, not a guess.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Option(Model):
    key: Id
    text: Text
    points: int | None = Field(default=None, ge=0, le=3)


class Dimension(Model):
    id: Id
    label: Text
    kind: Literal["skill", "context"]
    description: Text
    job_task: Text
    onet: Text
    weight: float = Field(default=1.0, ge=0)
    strength: Text
    build: list[Text] = Field(min_length=1)


class Item(Model):
    id: Id
    dimension: Id
    kind: Literal["likert", "scenario"]
    text: Text
    reverse: bool = False
    options: list[Option] = []
    source: Text


class ProfileQuestion(Model):
    id: Id
    text: Text
    short: Text
    hint: str = ""
    multiple: bool = False
    required: bool = True
    exclusive: list[Id] = []
    options: list[Option] = Field(min_length=2)
    source: Text


class Page(Model):
    id: Id
    title: Text
    intro: str = ""
    questions: list[Id] = Field(min_length=1)


class Range(Model):
    id: Id
    label: Text
    min: Score
    max: Score
    headline: str = ""


class Flag(Model):
    id: Id
    item: Id
    answers: list[Annotated[int, Field(ge=1, le=5)]] = Field(min_length=1)
    title: Text
    tip: Text


class BandCap(Model):
    id: Id
    cap: Id
    skill_score_below: Score | None = None
    flags_at_least: int | None = Field(default=None, ge=1)
    reason: Text


class OppositePair(Model):
    agree: Id
    opposite: Id


class Quality(Model):
    agree_mean_at_least: float = Field(ge=1, le=5)
    agree_note: Text
    same_answer_sd_below: float = Field(ge=0)
    same_answer_note: Text
    opposite_pairs: list[OppositePair]
    opposite_pairs_at_least: int = Field(ge=1)
    opposite_note: Text


class Condition(Model):
    """One test on the profile, scores or band; `all`/`any` combine tests."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    answer: Id | None = None
    in_: list[Id] | None = Field(default=None, alias="in")
    not_in: list[Id] | None = None
    score: Id | None = None
    at_least: Score | None = None
    below: Score | None = None
    band: list[Id] | None = None


class Step(Model):
    id: Id
    title: Text
    detail: Text
    time: Text
    when: Condition | None = None


class Career(Model):
    id: Id
    title: Text
    onet: Text
    summary: Text
    why: Text
    when: Condition | None = None


class Fact(Model):
    label: Text
    value: Text


class Outlook(Model):
    as_of: Text
    source: Text
    caveat: Text
    facts: list[Fact] = Field(min_length=1)


class Credential(Model):
    id: Id
    name: Text
    body: Text
    requirement: Text


class Role(Model):
    title: Text
    summary: Text
    duties: list[Text] = Field(min_length=1)
    settings: list[Text] = Field(min_length=1)
    pros: list[Text] = Field(min_length=1)
    cons: list[Text] = Field(min_length=1)
    outlook: Outlook
    credentials: list[Credential]
    credential_note: Text
    timeline: Text
    onet: Text


class Bank(Model):
    version: Version
    title: Text
    scale: list[Text] = Field(min_length=5, max_length=5)
    role: Role
    dimensions: list[Dimension] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)
    profile: list[ProfileQuestion]
    pages: list[Page] = Field(min_length=1)
    score_labels: list[Range] = Field(min_length=1)
    bands: list[Range] = Field(min_length=1)
    band_caps: list[BandCap] = []
    flags: list[Flag] = []
    quality: Quality
    steps: list[Step] = []
    careers: list[Career] = []
    limits: Text

    _text: str = PrivateAttr(default="")

    @property
    def text(self) -> str:
        """The YAML this bank was read from, kept so a version can be stored and read back."""
        return self._text

    @cached_property
    def digest(self) -> str:
        """SHA-256 of that text: two reports with the same digest saw the same quiz."""
        return hashlib.sha256(self._text.encode()).hexdigest()

    @cached_property
    def questions(self) -> dict[str, Item | ProfileQuestion]:
        """Every question, profile and scored, by id."""
        return {q.id: q for q in [*self.profile, *self.items]}

    @cached_property
    def dimension_by_id(self) -> dict[str, Dimension]:
        return {d.id: d for d in self.dimensions}

    def items_of(self, dimension_id: str) -> list[Item]:
        return [item for item in self.items if item.dimension == dimension_id]

    def estimated_minutes(self) -> int:
        seconds = sum(SECONDS_PER_SCENARIO if i.kind == "scenario" else SECONDS_PER_LIKERT for i in self.items)
        seconds += SECONDS_PER_PROFILE * len(self.profile)
        return max(1, round(seconds / 60))


class BankError(Exception):
    """questions.yaml could not be used; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the question bank:\n" + "\n".join(problems))


def read_bank(text: str, filename: str = "questions.yaml") -> Bank:
    """Parse and validate bank text; raise BankError listing every problem found."""
    parsed = yamlpos.parse(text)
    problems = [checks.Problem(p.position, "", p.message) for p in parsed.problems]
    if parsed.data is None and not problems:
        problems.append(checks.Problem(yamlpos.Position(1, 1), "", "the file is empty"))
    bank = None
    if parsed.data is not None:
        try:
            bank = Bank.model_validate(parsed.data)
        except ValidationError as error:
            problems += checks.from_validation_error(error, parsed, Bank)
    if bank is not None:
        problems += checks.cross_check(bank, parsed)
    if problems:
        raise BankError([p.format(filename) for p in sorted(problems)])
    bank._text = text
    return bank


def load_bank(path: str | Path) -> Bank:
    """Read questions.yaml from disk; see read_bank."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as file:
            size = os.fstat(file.fileno()).st_size
            text = file.read(MAX_BANK_BYTES + 1) if size <= MAX_BANK_BYTES else ""
    except OSError as error:
        raise BankError([f"{shown_path(path)}: cannot read the question bank: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise BankError([f"{shown_path(path)}: cannot read the question bank: not UTF-8 text ({error.reason})"]) from None
    if size > MAX_BANK_BYTES or len(text) > MAX_BANK_BYTES:
        raise BankError([
            f"{shown_path(path)}:1:1: the file is {max(size, len(text)):,} bytes, over the limit of "
            f"{MAX_BANK_BYTES:,} (1 MiB) for a question bank; the shipped one is about 45 KB, so check "
            "that the right file was copied"
        ])
    return read_bank(text, shown_path(path))


def shown_path(path: str | Path) -> str:
    """The path relative to the working directory when inside it, so file:line links open in editors."""
    path = Path(path)
    return os.path.relpath(path) if path.is_absolute() and Path.cwd() in path.parents else str(path)
