"""The question bank: the schema of questions.yaml and the loader that checks it.

Everything an editor can change (questions, scoring rules, report texts, pathway steps) lives in
questions.yaml. This module turns that file into frozen pydantic models, or into a list of
problems that each name a line, what is wrong and how to fix it. No Flask here.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated
from typing import Literal

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Discriminator
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import StringConstraints
from pydantic import Tag
from pydantic import ValidationError
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from . import checks
from . import files
from . import yamlpos

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Score = Annotated[int, Field(ge=0, le=100)]
ScaleValue = Annotated[int, Field(ge=1, le=5)]
# The database keeps the version in String(60) columns (attempts, bank_versions): a longer one
# would pass here and then fail every first page on PostgreSQL.
MAX_VERSION_LENGTH = 60
Version = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_VERSION_LENGTH)]
# The shipped bank is about 45 KB. Parsing takes about 200 times the file's size in memory and
# seconds per megabyte, so a file far larger is a mistake (a wrong file copied), refused unread.
MAX_BANK_BYTES = 1024 * 1024

# A page the report links to: https only, and nothing that could end the attribute it is written in.
WEB_ADDRESS = re.compile(r"https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[^\s\"'<>]*)?")


def _web_address(value: str) -> str:
    if not WEB_ADDRESS.fullmatch(value):
        raise PydanticCustomError(
            "web_address", "expected a web address starting with https://, with no spaces or quotes"
        )
    return value


WebAddress = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_web_address)]

DEFAULT_PATH = files.QUESTIONS
# Typical reading-and-answering times, used only for the "about N minutes" estimates: the
# landing page's whole quiz and each page's time left, so the two always agree.
SECONDS_PER_STATEMENT = 9
SECONDS_PER_SCENARIO = 40
SECONDS_PER_PROFILE = 8


class Model(BaseModel):
    # strict: a YAML `yes` or `1.0` where text or a boolean is expected is an error, not a guess.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Option(Model):
    key: Id
    text: Text
    points: int | None = Field(default=None, ge=0, le=3)


class Range(Model):
    """A stretch of the 0-100 scale with its name; `tone` picks its colour on every page."""

    id: Id
    label: Text
    min: Score
    max: Score
    tone: Literal["high", "middle", "low"]
    headline: str = ""


class Guide(Model):
    """What a counselor can ask about one dimension (the counselor's view of a report)."""

    ask: list[Text] = Field(min_length=2, max_length=2)  # two open questions, for any score
    near: Text  # asked when the score is near a label's line, to tell which side it falls


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
    # How precise the score is until enough real results exist (see `precision` below).
    reliability: float = Field(gt=0, lt=1)
    score_sd: float = Field(gt=0, le=50)
    # A context dimension is its own result, with its own words for each range.
    labels: list[Range] | None = None
    guide: Guide | None = None
    # Its name where room is short (the dashboard's column headings); from the id when unset.
    short: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)] | None = None

    @property
    def short_label(self) -> str:
        return self.short or short_name(self.id)


def short_name(dimension_id: str) -> str:
    """A heading made from an id, for dimensions without `short` (and those of older versions)."""
    return dimension_id.replace("_", " ").capitalize()


class Item(Model):
    id: Id
    kind: Literal["likert", "scenario", "attention"]
    text: Text
    dimension: Id | None = None  # every scored item has one; attention checks have none
    reverse: bool = False
    options: list[Option] = []
    expect: ScaleValue | None = None  # attention checks: the one answer the statement asks for
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


# --- conditions: when a step, career or band cap applies ----------------------------------------
# Each kind is its own model, told apart by the one key that names it; nothing here is evaluated
# as code.


class AnswerCondition(Model):
    """A profile answer is (`in`) or is not (`not_in`) one of some options."""

    answer: Id
    in_: list[Id] | None = Field(default=None, alias="in")
    not_in: list[Id] | None = None

    @model_validator(mode="after")
    def _one_test(self):
        if (self.in_ is None) == (self.not_in is None):
            raise ValueError("an `answer` condition needs exactly one of `in` or `not_in`")
        return self


class ScoreCondition(Model):
    """A dimension's score, or the skills score (`score: skills`), is in a range or has a label.

    A `label` follows the cut-offs in score_labels (or the dimension's own labels), so a changed
    cut-off changes the condition with it.
    """

    score: Id
    at_least: Score | None = None
    below: Score | None = None
    label: list[Id] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_test(self):
        bounded = self.at_least is not None or self.below is not None
        if bounded == (self.label is not None):
            raise ValueError("a `score` condition needs `at_least` and/or `below`, or `label`, not both")
        return self


class LowestSkillCondition(Model):
    """At least one skill dimension has one of these labels (e.g. the "area to build" one)."""

    any_skill_labelled: list[Id] = Field(min_length=1)


class FlagsCondition(Model):
    """At least this many things to check were raised (strong ones only, unless `counting: any`)."""

    flags_at_least: int = Field(ge=1)
    counting: Literal["strong", "any"] = "strong"


class BandCondition(Model):
    band: list[Id] = Field(min_length=1)


class AllCondition(Model):
    all: list[Condition] = Field(min_length=1)


class AnyCondition(Model):
    any: list[Condition] = Field(min_length=1)


CONDITION_KINDS = {
    "answer": "answer condition",
    "score": "score condition",
    "any_skill_labelled": "lowest-skill condition",
    "flags_at_least": "flags condition",
    "band": "band condition",
    "all": "all condition",
    "any": "any condition",
}


def condition_kind(value) -> str | None:
    """The tag of the one condition key present; None (an error) for none or several."""
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True)
    if not isinstance(value, dict):
        return None
    present = [CONDITION_KINDS[key] for key in CONDITION_KINDS if key in value]
    return present[0] if len(present) == 1 else None


Condition = Annotated[
    (
        Annotated[AnswerCondition, Tag("answer condition")]
        | Annotated[ScoreCondition, Tag("score condition")]
        | Annotated[LowestSkillCondition, Tag("lowest-skill condition")]
        | Annotated[FlagsCondition, Tag("flags condition")]
        | Annotated[BandCondition, Tag("band condition")]
        | Annotated[AllCondition, Tag("all condition")]
        | Annotated[AnyCondition, Tag("any condition")]
    ),
    Discriminator(condition_kind, custom_error_type="condition_kind", custom_error_message="unknown condition"),
]
# `all` and `any` hold conditions themselves: resolve that now, so their fields name real models.
AllCondition.model_rebuild(force=True)
AnyCondition.model_rebuild(force=True)


class BandCap(Model):
    id: Id
    cap: Id
    when: Condition
    reason: Text


class Flag(Model):
    """Something to check before committing, raised by an answer; never averaged into a score.

    `strong` answers raise it firmly, `mild` ones gently (agree-scale values 1-5 for a statement,
    option keys for a profile question).
    """

    id: Id
    item: Id
    strong: list[int | Id] = Field(min_length=1)
    mild: list[int | Id] = []
    title: Text
    strong_text: Text
    mild_text: str = ""
    tip: Text
    explore: str = ""  # for the counselor: a way to explore it together


class OppositePair(Model):
    agree: Id
    opposite: Id


class Quality(Model):
    """When the answers look careless: a kind caution and no band headline, never a penalty."""

    headline: Text  # shown instead of the band once `withhold_at_signs` signs appear
    withhold_at_signs: int = Field(ge=1)
    # Missed attention checks that, with no other sign, count as slips: a careful person misclicks too.
    attention_slips_forgiven: int = Field(default=0, ge=0)
    attention_note: Text
    same_answer_sd_below: float = Field(ge=0)
    same_answer_note: Text
    inconsistency_at_least: float = Field(gt=0, le=4)
    inconsistency_note: Text
    opposite_pairs: list[OppositePair] = Field(min_length=1)
    retake_note: Text


class Precision(Model):
    """Where the ranges in the report come from: the dimensions' priors, then real results."""

    min_results: int = Field(ge=10)
    near_note: Text


class Requirement(Model):
    """What a step needs first; shown as "You would first need ..." when it does not hold."""

    when: Condition
    text: Text


class Step(Model):
    id: Id
    title: Text
    detail: Text
    time: Text
    cost: Text
    funding: str = ""
    when: Condition | None = None
    needs: list[Requirement] = []
    links: list[Id] = []


class Career(Model):
    id: Id
    title: Text
    onet: Text
    summary: Text
    why: Text
    when: Condition | None = None
    links: list[Id] = []


class Fact(Model):
    label: Text
    value: Text


class Outlook(Model):
    as_of: Text
    source: Text
    caveat: Text
    facts: list[Fact] = Field(min_length=1)
    links: list[Id] = []  # where to check the figures for one's own area


class Credential(Model):
    id: Id
    name: Text
    body: Text
    requirement: Text
    links: list[Id] = []


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


class Link(Model):
    """A page outside the quiz. Steps, credentials and careers name links by `id`."""

    id: Id
    title: Text
    url: WebAddress


class TalkItOver(Model):
    """The closing section of every report: taking it to a counselor."""

    title: Text
    text: Text
    bring: list[Text] = Field(min_length=1)
    links: list[Id] = []


class Discussion(Model):
    """The counselor's view of a report: the texts around the per-dimension and per-flag guide."""

    title: Text  # of the guide, beside the scores
    intro: Text
    near_label: Text  # before a near-the-line question
    near_band: Text  # when the skills score is near a band line
    careless: Text  # when the answers looked careless
    explore_title: Text  # of the things to explore
    no_flags: Text
    steps_title: Text  # of the steps the report suggested
    # When at least this share of the statements got the middle answer: the scores sit near the
    # middle and say less, so the counselor is told (never the client, never the band).
    many_middle_share: float = Field(default=0.5, gt=0, le=1)
    many_middle: Text
    plan_intro: Text
    # Rows in the one-page plan's table: the suggested steps, then blank rows up to this many
    # (two at least), so the plan keeps to one page however many steps a report suggests.
    plan_rows: int = Field(default=14, ge=4, le=16)
    plan_fields: list[Text] = []  # lines to fill in at the top of the plan (a goal, the cost, ...)
    plan_columns: list[Text] = Field(min_length=4, max_length=4)  # step, who, by when, done
    plan_notes: Text  # the heading over the lines for notes


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
    precision: Precision
    steps: list[Step] = []
    careers: list[Career] = []
    links: list[Link] = []
    talk_it_over: TalkItOver
    discussion: Discussion
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
        everything: list[Item | ProfileQuestion] = [*self.profile, *self.items]
        return {q.id: q for q in everything}

    @cached_property
    def profile_by_id(self) -> dict[str, ProfileQuestion]:
        return {q.id: q for q in self.profile}

    @cached_property
    def dimension_by_id(self) -> dict[str, Dimension]:
        return {d.id: d for d in self.dimensions}

    @cached_property
    def skills(self) -> list[Dimension]:
        return [d for d in self.dimensions if d.kind == "skill"]

    def items_of(self, dimension_id: str) -> list[Item]:
        return [item for item in self.items if item.dimension == dimension_id and item.kind != "attention"]

    @cached_property
    def link_by_id(self) -> dict[str, Link]:
        return {link.id: link for link in self.links}

    def links_of(self, ids: list[str]) -> list[dict]:
        """Title and address of each link named, as reports store them."""
        return [{"title": self.link_by_id[i].title, "url": self.link_by_id[i].url} for i in ids]

    def labels_of(self, dimension: Dimension) -> list[Range]:
        return dimension.labels or self.score_labels

    def estimated_minutes(self) -> int:
        """About how long the whole quiz takes: the time left on its first page."""
        return self.minutes_left(1)

    def minutes_left(self, step: int) -> int:
        """About how long pages `step` (counted from 1) to the last take, that page included."""
        left = [qid for page in self.pages[step - 1 :] for qid in page.questions]
        seconds = sum(question_seconds(self.questions[qid]) for qid in left)
        return max(1, round(seconds / 60))

    def first_number(self, step: int) -> int:
        """The number of the first question on page `step`: numbers run on from page to page, so
        "question 14" names one question in the whole quiz."""
        return 1 + sum(len(page.questions) for page in self.pages[: step - 1])


def question_seconds(question: Item | ProfileQuestion) -> int:
    """Typical time to read and answer one question."""
    if isinstance(question, ProfileQuestion):
        return SECONDS_PER_PROFILE
    return SECONDS_PER_SCENARIO if question.kind == "scenario" else SECONDS_PER_STATEMENT


class BankError(Exception):
    """questions.yaml could not be used; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the question bank:\n" + "\n".join(problems))


def read_bank(text: str, filename: str = "questions.yaml", warnings: list[str] | None = None) -> Bank:
    """Parse and validate bank text; raise BankError listing every problem found.

    Pass a list as `warnings` to have it filled with advice on a valid bank (quiz/advice.py).
    A bank is frozen, so one read of the same text serves every caller: each app, each stored
    version and each test that loads the same file parses it once.
    """
    if warnings is None:
        return _read_once(text, filename)
    return _read(text, filename, warnings)


@functools.lru_cache(maxsize=16)
def _read_once(text: str, filename: str) -> Bank:
    return _read(text, filename, None)


def _read(text: str, filename: str, warnings: list[str] | None) -> Bank:
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
        from .references import cross_check  # it reads the models above

        problems += cross_check(bank, parsed)
    if problems or bank is None:
        raise BankError([p.format(filename) for p in sorted(problems)])
    bank._text = text
    if warnings is not None:
        from .advice import warnings as advice  # textstat is only needed by `check`

        warnings += [w.format(filename) for w in advice(bank, parsed)]
    return bank


def load_bank(path: str | Path, warnings: list[str] | None = None) -> Bank:
    """Read questions.yaml from disk; see read_bank."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as file:
            size = os.fstat(file.fileno()).st_size
            text = file.read(MAX_BANK_BYTES + 1) if size <= MAX_BANK_BYTES else ""
    except OSError as error:
        raise BankError([f"{shown_path(path)}: cannot read the question bank: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise BankError(
            [f"{shown_path(path)}: cannot read the question bank: not UTF-8 text ({error.reason})"]
        ) from None
    if size > MAX_BANK_BYTES or len(text) > MAX_BANK_BYTES:
        raise BankError(
            [
                f"{shown_path(path)}:1:1: the file is {max(size, len(text)):,} bytes, over the limit of "
                f"{MAX_BANK_BYTES:,} (1 MiB) for a question bank; the shipped one is about 45 KB, so check "
                "that the right file was copied"
            ]
        )
    return read_bank(text, shown_path(path), warnings)


def shown_path(path: str | Path) -> str:
    """The path relative to the working directory when inside it, so file:line links open in editors."""
    path = Path(path)
    return os.path.relpath(path) if path.is_absolute() and Path.cwd() in path.parents else str(path)
