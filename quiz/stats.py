"""Item statistics from real answers, so an editor can see which questions to rewrite. No Flask."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .scoring import item_points
from .scoring import prior_precision

ALPHA_FLAG = 0.70
ITEM_TOTAL_FLAG = 0.30
NEARLY_ALL_AGREE = 0.85  # mean credit this high: almost everyone gives the top answers


def cronbach_alpha(rows: list[list[float]]) -> float | None:
    """Internal consistency of items (columns) over people (rows); None when undefined."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    k = len(rows[0])
    item_variance = sum(statistics.variance(column) for column in zip(*rows, strict=True))
    total_variance = statistics.variance([sum(row) for row in rows])
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - item_variance / total_variance)


def corrected_item_total(rows: list[list[float]], index: int) -> float | None:
    """Correlation of one item with the sum of the others in its dimension."""
    if len(rows) < 3:
        return None
    item = [row[index] for row in rows]
    rest = [sum(row) - row[index] for row in rows]
    try:
        return statistics.correlation(item, rest)
    except statistics.StatisticsError:  # an item or the rest answered identically by everyone
        return None


@dataclass
class ItemStats:
    id: str
    text: str
    mean: float | None
    sd: float | None
    item_total: float | None


@dataclass
class DimensionStats:
    id: str
    label: str
    results: int
    mean: float | None
    sd: float | None
    alpha: float | None
    items: list[ItemStats]


def dimension_stats(bank, answer_sets: list[dict]) -> list[DimensionStats]:
    """Per dimension: score mean and SD, alpha; per item: mean and SD of credit (0-1), item-total r."""
    out = []
    for dimension in bank.dimensions:
        items = bank.items_of(dimension.id)
        rows = []
        for answers in answer_sets:
            points = [got for item in items if (got := item_points(item, answers.get(item.id))) is not None]
            if len(points) == len(items):  # complete cases only: alpha needs every item answered
                rows.append([p / top for p, top in points])
        scores = [100 * statistics.fmean(row) for row in rows]
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in items]
        out.append(
            DimensionStats(
                id=dimension.id,
                label=dimension.label,
                results=len(rows),
                mean=statistics.fmean(scores) if scores else None,
                sd=statistics.stdev(scores) if len(scores) > 1 else None,
                alpha=cronbach_alpha(rows),
                items=[
                    ItemStats(
                        id=item.id,
                        text=item.text,
                        mean=statistics.fmean(column) if column else None,
                        sd=statistics.stdev(column) if len(column) > 1 else None,
                        item_total=corrected_item_total(rows, index),
                    )
                    for index, (item, column) in enumerate(zip(items, columns, strict=True))
                ],
            )
        )
    return out


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_stats(stats: list[DimensionStats]) -> str:
    lines = []
    for d in stats:
        alpha_flag = (
            "  <- under 0.70: items may not measure one thing" if d.alpha is not None and d.alpha < ALPHA_FLAG else ""
        )
        lines.append(
            f"{d.id} ({d.label}): n={d.results} mean={_num(d.mean, 1)} sd={_num(d.sd, 1)} "
            f"alpha={_num(d.alpha)}{alpha_flag}"
        )
        lines.append(f"  {'item':<26}{'mean':>6}{'sd':>6}{'r_it':>7}")
        for item in d.items:
            flag = (
                "  <- under 0.30: consider rewriting"
                if item.item_total is not None and item.item_total < ITEM_TOTAL_FLAG
                else ""
            )
            if item.mean is not None and item.mean >= NEARLY_ALL_AGREE:
                flag += "  <- nearly everyone gives it top marks: it tells people apart little"
            lines.append(f"  {item.id:<26}{_num(item.mean):>6}{_num(item.sd):>6}{_num(item.item_total):>7}{flag}")
        lines.append("")
    return "\n".join(lines)


def precision_from_results(bank, answer_sets: list[dict]) -> dict:
    """Alpha and score SD per dimension from real results, once the bank's `min_results` exist;
    the bank's priors before that, and for any dimension whose alpha cannot be worked out."""
    estimate = prior_precision(bank)
    if len(answer_sets) < bank.precision.min_results:
        return estimate
    estimate.update(source="results", results=len(answer_sets))
    for d in dimension_stats(bank, answer_sets):
        if d.alpha is not None and d.sd is not None and d.results >= bank.precision.min_results:
            # A negative alpha means the items disagree; the range is then as wide as the spread.
            estimate["dimensions"][d.id] = {"reliability": min(max(d.alpha, 0.0), 0.99), "sd": d.sd}
    return estimate
