"""bench/latency.py: percentiles over every request of several slices, read off their ladders."""

from __future__ import annotations

import math
import random

import pytest

from bench.latency import combined_percentile
from bench.latency import ladder_of
from bench.latency import read_wrk_ladder


def nearest_rank(values, share):
    """Counted, not computed: the smallest value that at least `share` of the values are at or under."""
    ordered = sorted(values)
    for index, value in enumerate(ordered):
        at_or_under = index + 1  # the values are distinct here
        if at_or_under >= share * len(ordered):
            return value
    raise ValueError(share)


def test_slices_added_up_give_the_percentile_of_all_their_requests_not_the_worst_slices():
    rng = random.Random(7)
    quick = [rng.uniform(5, 20) for _ in range(3000)]
    slow = [rng.uniform(10, 80) for _ in range(1000)]  # one slow slice among three quick ones
    more = [rng.uniform(5, 20) for _ in range(3000)], [rng.uniform(5, 20) for _ in range(3000)]
    slices = [quick, slow, *more]
    everything = [ms for one in slices for ms in one]
    ladders = [(len(one), ladder_of(one)) for one in slices]
    for share in (0.5, 0.9, 0.99):
        exact = nearest_rank(everything, share)
        got = combined_percentile(ladders, share)
        # within a tenth of a percent of the requests of the exact one
        assert nearest_rank(everything, share - 0.001) <= got <= nearest_rank(everything, share + 0.001), (
            share,
            got,
            exact,
        )
    assert combined_percentile(ladders, 0.99) < nearest_rank(slow, 0.99)  # the worst slice alone says more


def test_one_slice_gives_its_own_percentiles_and_no_requests_give_nan():
    values = [float(ms) for ms in range(1, 1001)]
    assert combined_percentile([(1000, ladder_of(values))], 0.99) == 990.0
    assert combined_percentile([(1000, ladder_of(values))], 0.5) == 500.0
    assert math.isnan(combined_percentile([(0, [])], 0.99))


def test_reads_the_ladder_requests_lua_writes(tmp_path):
    path = tmp_path / "ladder.txt"
    path.write_text("".join(f"{step / 10:.1f} {step * 100}\n" for step in range(1, 1001)))
    ladder = read_wrk_ladder(path)
    assert ladder[0] == 0.1 and ladder[989] == 99.0 and ladder[-1] == 100.0
    path.write_text("99.0 1500\n")
    with pytest.raises(ValueError, match="1 percentiles, not 1000"):
        read_wrk_ladder(path)
