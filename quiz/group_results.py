"""A group's finished results as the dashboard and the CSV show them: their columns, sorting by
any of them, and the group's summary (results by band, each score's mean and range). No Flask."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .bank import Bank
from .bank import short_name

DIRECTIONS = ("asc", "desc")


@dataclass(frozen=True)
class Result:
    """One finished attempt with its stored report, read in today's format (old_reports.readable)."""

    attempt: Any  # models.Attempt: id, client_name, finished_at, bank_version, bank_digest, answers
    report: dict

    @property
    def band(self) -> str:
        """The band as the report shows it: the caution's headline instead when answers looked careless."""
        if self.report["careless"]:
            return self.report["careless_headline"]
        return self.report["band"]["label"] if self.report["band"] else ""

    def score(self, dimension_id: str) -> int | None:
        return next((d["score"] for d in self.report["dimensions"] if d["id"] == dimension_id), None)


@dataclass(frozen=True)
class Column:
    """A sortable column: `key` is its ?sort= value, `label` its full name (the CSV's heading and
    the dashboard's <abbr title>), `short` the dashboard's heading. `value` is what it sorts by;
    None (no name, no score, no band) sorts last either way. `first` is the direction of a first
    click: names A to Z, everything else highest, newest or best first."""

    key: str
    label: str
    short: str
    value: Callable[[Result], Any]
    first: str = "desc"


def _name(result: Result) -> str | None:
    return (result.attempt.client_name or "").casefold() or None


def _finished(result: Result) -> datetime:
    return result.attempt.finished_at


def _skills(result: Result) -> int | None:
    return result.report["skills"]["score"]


def score_columns(bank: Bank, results: list[Result]) -> list[Column]:
    """The skills score, then every dimension of the current bank, then any only older versions had."""
    columns = [Column("skills", "Skills overall", "Skills", _skills)]
    for d in bank.dimensions:
        columns.append(_dimension_column(d.id, d.label, d.short_label))
    known = {d.id for d in bank.dimensions}
    for result in results:
        for d in result.report["dimensions"]:
            if d["id"] not in known:
                known.add(d["id"])
                columns.append(_dimension_column(d["id"], d["label"], short_name(d["id"])))
    return columns


def _dimension_column(dimension_id: str, label: str, short: str) -> Column:
    return Column(f"score_{dimension_id}", label, short, lambda result: result.score(dimension_id))


def columns(bank: Bank, results: list[Result]) -> dict[str, Column]:
    """Every sortable column of the dashboard's table, by its ?sort= key, in the table's order."""
    # Bands by rank, lowest first, so that "ascending" means from the lowest band up.
    rank = {band.label: number for number, band in enumerate(sorted(bank.bands, key=lambda b: b.min))}

    def band(result: Result) -> int | None:
        return None if result.report["careless"] else rank.get(result.band)

    fixed = [
        Column("name", "Name or initials", "Name", _name, first="asc"),
        Column("finished", "Finished", "Finished", _finished),
        Column("band", "Band", "Band", band),
    ]
    return {column.key: column for column in [*fixed, *score_columns(bank, results)]}


@dataclass(frozen=True)
class Sorting:
    """The order asked for in ?sort=&dir=, once checked: anything unknown falls back to the default."""

    key: str = "finished"
    direction: str = "asc"  # the order results come in: first finished first

    def next_direction(self, column: Column) -> str:
        """Where the column's heading link leads: the other way round if it is the sorted one."""
        if column.key == self.key:
            return "desc" if self.direction == "asc" else "asc"
        return column.first

    def aria(self, column: Column) -> str | None:
        return ("ascending" if self.direction == "asc" else "descending") if column.key == self.key else None


def sorting(table: dict[str, Column], key: str | None, direction: str | None) -> Sorting:
    if key not in table:
        return Sorting()
    column = table[key]
    return Sorting(column.key, direction if direction in DIRECTIONS else column.first)


def sort(results: list[Result], column: Column, direction: str) -> list[Result]:
    """Stable in both directions (equal values keep the order they came in); missing values last."""
    present = [r for r in results if column.value(r) is not None]
    missing = [r for r in results if column.value(r) is None]
    return sorted(present, key=column.value, reverse=direction == "desc") + missing


def band_counts(bank: Bank, results: list[Result]) -> list[tuple[str, int]]:
    """How many results fall in each band, best first, then those shown without one as careless;
    bands only older versions had follow the current ones."""
    counted: dict[str, int] = {band.label: 0 for band in sorted(bank.bands, key=lambda b: -b.min)}
    careless = 0
    for result in results:
        if result.report["careless"]:
            careless += 1
        elif result.band:
            counted[result.band] = counted.get(result.band, 0) + 1
    return [*counted.items(), (f"{bank.quality.headline} (no band)", careless)]


@dataclass(frozen=True)
class ScoreSummary:
    label: str
    results: int  # how many had this score (a part with too few answers has none)
    mean: float | None
    low: int | None
    high: int | None


def score_summary(score_columns: list[Column], results: list[Result]) -> list[ScoreSummary]:
    out = []
    for column in score_columns:
        scores = [value for r in results if (value := column.value(r)) is not None]
        mean = statistics.fmean(scores) if scores else None
        out.append(ScoreSummary(column.label, len(scores), mean, min(scores, default=None), max(scores, default=None)))
    return out
