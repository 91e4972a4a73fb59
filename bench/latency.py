"""Latency percentiles over every request of several slices, not the worst slice's.

Percentiles do not add up: the p99 of three slices is not the mean or the maximum of their p99s.
Each slice is summed up instead as a ladder, its latency at every tenth of a percent (wrk's Lua
`done()` writes one, see requests.lua; the asyncio client's raw latencies give the same). A
slice's share of requests at or under a latency can then be read off its ladder, and the shares
weighted by the slices' request counts give the distribution of all the requests together, to
within a tenth of a percent of each slice's requests.
"""

from __future__ import annotations

import bisect
import math
from pathlib import Path

# The shares a ladder gives the latency at: 0.1% to 100% in steps of 0.1%.
STEPS = 1000
SHARES = [step / STEPS for step in range(1, STEPS + 1)]

Ladder = list[float]  # the latency in ms at each share of SHARES, never decreasing


def nearest_rank(ordered: list[float], share: float) -> float:
    """The smallest of the sorted values that at least `share` of them are at or under; nan for none."""
    if not ordered:
        return float("nan")
    # less a hair, so that 0.99 * 1000 = 990.0000000000001 is rank 990, not 991
    return ordered[max(0, math.ceil(share * len(ordered) - 1e-9) - 1)]


def ladder_of(latencies_ms: list[float]) -> Ladder:
    """The ladder of raw latencies: the nearest rank at each share."""
    ordered = sorted(latencies_ms)
    return [nearest_rank(ordered, share) for share in SHARES] if ordered else []


def on_ladder(ladder: Ladder, share: float) -> float:
    """One slice's percentile, read off its ladder (share a multiple of 0.001); nan for none."""
    return ladder[round(share * STEPS) - 1] if ladder else float("nan")


def read_wrk_ladder(path: Path) -> Ladder:
    """The ladder requests.lua's done() wrote: one line per share, "percent microseconds"."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    if len(rows) != STEPS:
        raise ValueError(f"{path}: {len(rows)} percentiles, not {STEPS}")
    return [float(microseconds) / 1000 for _, microseconds in rows]


def share_at_or_under(ladder: Ladder, ms: float) -> float:
    """The share of a slice's requests that took at most `ms` (rounded down to a step)."""
    return bisect.bisect_right(ladder, ms) / STEPS


def combined_percentile(slices: list[tuple[int, Ladder]], share: float) -> float:
    """The latency `share` of all the requests of all the slices were at or under; `slices` are
    (request count, ladder) pairs. nan when there are no requests."""
    slices = [(count, ladder) for count, ladder in slices if count and ladder]
    total = sum(count for count, _ in slices)
    if not total:
        return float("nan")
    wanted = share * total - 1e-9
    for ms in sorted({ms for _, ladder in slices for ms in ladder}):
        if sum(count * share_at_or_under(ladder, ms) for count, ladder in slices) >= wanted:
            return ms
    return max(ladder[-1] for _, ladder in slices)
