"""bench/latency.py: percentiles over every request of several slices, read off their ladders."""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.latency import combined_percentile
from bench.latency import ladder_of
from bench.latency import on_ladder
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
    assert on_ladder(ladder_of(values), 0.99) == 990.0 and on_ladder(ladder_of(values), 0.5) == 500.0
    assert math.isnan(on_ladder([], 0.99))
    assert math.isnan(combined_percentile([(0, [])], 0.99))


def test_reads_the_ladder_requests_lua_writes(tmp_path):
    path = tmp_path / "ladder.txt"
    path.write_text("".join(f"{step / 10:.1f} {step * 100}\n" for step in range(1, 1001)))
    ladder = read_wrk_ladder(path)
    assert ladder[0] == 0.1 and ladder[989] == 99.0 and ladder[-1] == 100.0
    path.write_text("99.0 1500\n")
    with pytest.raises(ValueError, match="1 percentiles, not 1000"):
        read_wrk_ladder(path)


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk's connections are

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # wrk closes its connections mid-request when its time is up


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make test installs it)")
def test_requests_lua_writes_the_ladder_wrk_measured(tmp_path):
    server = QuietServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        listing, ladder = tmp_path / "requests.txt", tmp_path / "ladder.txt"
        listing.write_text("GET\t/\t\t\n")
        script = Path(__file__).resolve().parents[1] / "bench" / "requests.lua"
        url = f"http://127.0.0.1:{server.server_address[1]}"
        done = subprocess.run(
            ["wrk", "-t1", "-c2", "-d1s", "--latency", "-s", str(script), url, "--", str(listing), "500"],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "WRK_LADDER": str(ladder)},
            check=True,
        )
    finally:
        server.shutdown()
        server.server_close()
    steps = read_wrk_ladder(ladder)
    assert steps == sorted(steps) and steps[0] > 0
    printed = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", done.stdout, re.MULTILINE))
    for share, value in printed.items():  # wrk prints e.g. 1.23ms or 812.00us
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
        ms = float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
        assert steps[int(share) * 10 - 1] == pytest.approx(ms, rel=0.01, abs=0.01), (share, value)
