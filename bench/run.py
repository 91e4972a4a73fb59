"""The benchmark: the quiz under gunicorn as deployed, against a hello-world app under the same server.

    make bench                     # or: .venv/bin/python -m bench.run [--databases sqlite,postgresql]

For each database (SQLite, then PostgreSQL, each a fresh one) it starts two gunicorn servers on
127.0.0.1 with gunicorn.conf.py (gthread, 2 workers x 2 threads): the quiz, and bench/hello.py,
a bare hello-world route. It measures, with Debian's wrk if installed (else an asyncio client),
for a bounded time and number of requests each:

  * hello-world GET /         the baseline, measured first and last; its mean is the denominator
  * landing GET /             the quiz's first page
  * quiz page GET /quiz/2     with a session whose attempt exists (page 1 answered)
  * page POST /quiz/2         saving the page's answers (cookie and CSRF token), answered by a 303
  * report GET /r/<token>     a finished, stored report

as requests per second, the ratio to hello-world's, and p50/p99 latency over all of a kind's
requests (bench/latency.py); then a flow of N people (default 50) completing the whole quiz at
once, each on a keep-alive connection of their own as a browser tab: completions per second,
errors, and a check that the database holds exactly N finished results, every one with its
report, for the N private links the people were given.

It prints a Markdown table with the date and the machine, and exits with status 1 when a target
is missed: quiz page GET >= 0.6 of hello-world, page POST >= 0.35, every p99 under 50 ms, no
errors, no lost result.
The rate limits are raised for the run (every request comes from one address); everything else
is the deployed configuration. Absolute numbers on a shared machine are noise: read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from servers import BIN
from servers import HOST
from servers import ROOT
from servers import Gunicorn
from servers import clean_env
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.client import Connection
from bench.client import csrf_token
from bench.client import fixed_load
from bench.client import quiz_form
from bench.latency import combined_percentile
from bench.latency import ladder_of
from bench.latency import nearest_rank
from bench.latency import on_ladder
from bench.latency import read_wrk_ladder
from quiz import tokens
from quiz.bank import DEFAULT_PATH
from quiz.bank import load_bank
from quiz.models import Attempt

POSTGRES_URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TARGETS = {"quiz page GET": 0.6, "page POST": 0.35}
UNLIMITED = "1000000 per minute"  # every simulated person shares one address
P99_TARGET_MS = 50.0  # over all the requests of a kind, at the benchmark's 16 connections
UNBALANCED = 0.25  # a slice where one worker used under a quarter of another's CPU is taken again


# --- servers ----------------------------------------------------------------------------------


class Server(Gunicorn):
    """A gunicorn instance the benchmark can wait for and charge CPU to."""

    def __init__(self, name: str, app: str, workdir: Path, **settings: str):
        super().__init__(name, app, workdir, **settings)

    def cpu_seconds(self) -> float:
        """CPU used so far by the master and its workers, those already recycled included."""
        return _cpu(self.process.pid, children=True) + sum(self.worker_cpu().values())

    def worker_cpu(self) -> dict[int, float]:
        """CPU used so far by each live worker, by pid."""
        return {pid: _cpu(pid) for pid in self.worker_pids()}

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            connection = Connection(HOST, self.port, timeout=5)
            try:
                if (await connection.request("GET", "/")).status == 200:
                    return
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                pass
            finally:
                await connection.close()
            await asyncio.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer within {timeout} s")


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int, children: bool = False) -> float:
    """utime + stime of a process (and of its reaped children) from /proc, in seconds; 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    used = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return used / TICKS


# --- databases --------------------------------------------------------------------------------


class Database:
    """A fresh database, migrated with `flask db upgrade` as a deploy does."""

    def __init__(self, kind: str, workdir: Path):
        self.kind = kind
        self.name = None
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / 'quiz.db'}"
        else:
            self.admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            self.name = f"bench_{secrets.token_hex(6)}"
            with self.admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
            self.url = make_url(POSTGRES_URL).set(database=self.name).render_as_string(hide_password=False)
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "quiz", "db", "upgrade"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=clean_env(DATABASE_URL=self.url, FLASK_SECRET_KEY="migrations"),
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"flask db upgrade failed on {kind}:\n{done.stderr}")

    def backends(self) -> dict[int, float]:
        """PostgreSQL backends serving this database and the CPU each has used, when the server
        is on this machine (its processes readable in /proc); empty otherwise."""
        if not self.name:
            return {}
        with self.admin.connect() as connection:
            pids = (
                connection.exec_driver_sql(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,)
                )
                .scalars()
                .all()
            )
        return {pid: _cpu(pid) for pid in pids if Path(f"/proc/{pid}/stat").exists()}

    def finished(self) -> dict[str, bool]:
        """token hash -> whether its stored report is there, for every finished attempt."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    select(Attempt.token_hash, Attempt.report).where(Attempt.finished_at.is_not(None))
                )
                return {row.token_hash: bool(row.report and row.report.get("dimensions")) for row in rows}
        finally:
            engine.dispose()

    def drop(self) -> None:
        if self.name:
            with self.admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.admin.dispose()


def postgres_reachable() -> str | None:
    engine = create_engine(POSTGRES_URL)
    try:
        engine.connect().close()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means: not this run
        return str(error).splitlines()[0]
    finally:
        engine.dispose()


# --- people -----------------------------------------------------------------------------------


def answers_for(bank, step: int, person: int) -> dict:
    """Valid answers for one page; people differ, so reports differ."""
    answers = {}
    for offset, qid in enumerate(bank.pages[step - 1].questions):
        question = bank.questions[qid]
        turn = person + offset
        if getattr(question, "kind", None) in ("likert", "attention"):
            answers[qid] = str(1 + turn % 5)
        else:
            key = question.options[turn % len(question.options)].key
            answers[qid] = [key] if getattr(question, "multiple", False) else key
    return answers


@dataclass
class Flow:
    people: int
    seconds: float
    tokens: list[str]
    latencies: list[float]
    errors: list[str]
    reconnects: int
    cpu_seconds: float = 0.0  # of the quiz server and its database backends, over the whole flow


async def person(port: int, bank, number: int, latencies: list[float], errors: list[str]) -> tuple[str | None, int]:
    """One person, from the landing page to their report, on one keep-alive connection."""
    connection = Connection(HOST, port)

    async def send(method: str, path: str, expect: int, form: dict | None = None):
        started = time.perf_counter()
        response = await connection.request(method, path, form)
        latencies.append(time.perf_counter() - started)
        if response.status != expect:
            raise AssertionError(f"{method} {path} gave {response.status}, not {expect}")
        return response

    try:
        await send("GET", "/", 200)
        page = await send("GET", "/quiz/1", 200)
        steps = len(bank.pages)
        for step in range(1, steps + 1):
            sent = await send(
                "POST", f"/quiz/{step}", 303, quiz_form(csrf_token(page.text), answers_for(bank, step, number))
            )
            if step < steps:
                if sent.location != f"/quiz/{step + 1}":
                    raise AssertionError(f"page {step} led to {sent.location}")
                page = await send("GET", sent.location, 200)
        if not re.fullmatch(r"/r/[A-Za-z0-9_-]{43}", sent.location or ""):
            raise AssertionError(f"the last page led to {sent.location}")
        await send("GET", sent.location, 200)
        return sent.location[3:], connection.reconnects
    except Exception as error:  # noqa: BLE001 - every failure is an error of the run
        errors.append(f"person {number}: {error!r}")
        return None, connection.reconnects
    finally:
        await connection.close()


async def crowd(port: int, bank, people: int, first: int = 0) -> Flow:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(*(person(port, bank, first + n, latencies, errors) for n in range(people)))
    seconds = time.perf_counter() - started
    return Flow(people, seconds, [t for t, _ in outcomes if t], latencies, errors, sum(r for _, r in outcomes))


async def sessions(port: int, bank, count: int) -> list[tuple[str, str]]:
    """People who answered page 1: (cookie, CSRF token) for the page GET and POST measurements."""

    async def one(number: int) -> tuple[str, str]:
        connection = Connection(HOST, port)
        try:
            token = csrf_token((await connection.request("GET", "/quiz/1")).text)
            sent = await connection.request("POST", "/quiz/1", quiz_form(token, answers_for(bank, 1, number)))
            if sent.status != 303:
                raise SystemExit(f"could not start a session: POST /quiz/1 gave {sent.status}")
            return connection.cookie_header(), token
        finally:
            await connection.close()

    made = []
    for start in range(0, count, 8):
        made += await asyncio.gather(*(one(n) for n in range(start, min(count, start + 8))))
    return made


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Result:
    """One measurement: its slices interleaved with hello-world slices of the same length."""

    name: str
    per_second: float
    hello_per_second: float
    p50: float
    p99: float
    worst_slice_p99: float
    hello_p99: float  # hello-world's, over all its slices and its worst slice's: the machine's own tail
    hello_worst_slice_p99: float
    errors: int
    requests: int
    bounded: bool = False
    cpu_ms: float = 0.0  # server (and PostgreSQL) CPU per request
    hello_cpu_ms: float = 0.0

    @property
    def ratio(self) -> float:
        return self.per_second / self.hello_per_second if self.hello_per_second else 0.0

    @property
    def cpu_ratio(self) -> float:
        """hello-world's CPU per request over this one's: what the ratio would be on an idle machine."""
        return self.hello_cpu_ms / self.cpu_ms if self.cpu_ms else 0.0


@dataclass
class Slice:
    per_second: float
    errors: int
    requests: int
    bounded: bool
    ladder: list[float]  # its latencies, see bench/latency.py
    cpu_seconds: float = 0.0

    @property
    def p99(self) -> float:
        return on_ladder(self.ladder, 0.99)


class Driver:
    """wrk when installed, else the asyncio client; the same for every measurement of a run."""

    def __init__(self, tool: str, connections: int, seconds: float, rounds: int, max_requests: int, workdir: Path):
        self.tool = tool
        self.connections = connections
        self.seconds = seconds
        self.rounds = rounds
        self.max_requests = max_requests
        self.workdir = workdir
        self.threads = min(2, connections)
        self.retries = 4
        self.redone = 0

    def describe(self) -> str:
        if self.tool == "wrk":
            version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split()[1]
            return f"wrk {version}, {self.threads} threads"
        return "asyncio client (wrk not installed)"

    async def measure(
        self,
        name: str,
        server: Server,
        requests: list[tuple[str, str, str, str]],
        expect: int,
        hello: Server,
        database: Database | None = None,
    ) -> Result:
        """`rounds` slices of hello-world then the request, alternating, so that both see the same
        machine: on a shared machine the background load drifts within seconds."""
        await self.probe(name, server.port, requests, expect)
        greeted, measured = [], []
        for _ in range(self.rounds):
            greeted.append(await self.slice(hello, [("GET", "/", "", "")], 200, self.seconds))
            measured.append(await self.slice(server, requests, expect, self.seconds, database))
        total = sum(m.requests for m in measured)
        every_request = [(m.requests, m.ladder) for m in measured]
        greetings = sum(h.requests for h in greeted)
        return Result(
            name,
            per_second=sum(m.per_second for m in measured) / len(measured),
            hello_per_second=sum(h.per_second for h in greeted) / len(greeted),
            p50=combined_percentile(every_request, 0.5),
            p99=combined_percentile(every_request, 0.99),
            worst_slice_p99=max(m.p99 for m in measured),
            hello_p99=combined_percentile([(h.requests, h.ladder) for h in greeted], 0.99),
            hello_worst_slice_p99=max(h.p99 for h in greeted),
            errors=sum(m.errors for m in measured) + sum(h.errors for h in greeted),
            requests=total,
            bounded=any(m.bounded for m in measured),
            cpu_ms=1000 * sum(m.cpu_seconds for m in measured) / total if total else 0.0,
            hello_cpu_ms=1000 * sum(h.cpu_seconds for h in greeted) / greetings if greetings else 0.0,
        )

    async def slice(
        self, server: Server, requests, expect: int, seconds: float, database: Database | None = None
    ) -> Slice:
        """One measurement, taken again (at most `retries` times) when one worker got every connection.

        gunicorn's gthread workers race to accept, and now and then one of them takes all of wrk's
        connections: that slice measures one core, not the server, at about half the rate. It
        happened in 2 of 15 hello-world slices here, so both servers' slices are checked alike.
        """
        for _ in range(self.retries):
            workers = server.worker_cpu()
            result = await self._slice(server, requests, expect, seconds, database)
            used = [cpu - workers[pid] for pid, cpu in server.worker_cpu().items() if pid in workers]
            if len(used) < 2 or min(used) >= UNBALANCED * max(used):
                return result
            self.redone += 1
            say(
                f"  a slice on port {server.port} ran on one worker only ({', '.join(f'{u:.2f}' for u in used)} s of CPU); again"
            )
        return await self._slice(server, requests, expect, seconds, database)  # the last try, kept as it is

    async def _slice(self, server: Server, requests, expect: int, seconds: float, database: Database | None) -> Slice:
        before = server.cpu_seconds()
        backends = database.backends() if database else {}
        if self.tool == "wrk":
            result = await asyncio.to_thread(self._wrk, server.port, requests, seconds)
        else:
            load = await fixed_load(HOST, server.port, requests, expect, self.connections, seconds, self.max_requests)
            result = Slice(
                load.per_second,
                load.errors,
                load.requests,
                load.requests >= self.max_requests,
                ladder_of([seconds * 1000 for seconds in load.latencies]),
            )
        result.cpu_seconds = server.cpu_seconds() - before
        if database:
            result.cpu_seconds += sum(cpu - backends.get(pid, 0.0) for pid, cpu in database.backends().items())
        return result

    async def probe(self, name: str, port: int, requests, expect: int) -> None:
        """wrk counts only non-2xx/3xx answers as wrong: check each kind of request answers right."""
        for method, path, cookie, body in requests[:2]:
            connection = Connection(HOST, port)
            connection.cookies = dict(part.split("=", 1) for part in cookie.split("; ")) if cookie else {}
            try:
                response = await connection.request(method, path, body or None)
            finally:
                await connection.close()
            if response.status != expect:
                raise SystemExit(f"{name}: {method} {path} gave {response.status}, not {expect}")

    def _wrk(self, port: int, requests, seconds: float) -> Slice:
        listing = self.workdir / "requests.txt"
        listing.write_text("".join("\t".join(fields) + "\n" for fields in requests))
        ladder = self.workdir / "ladder.txt"
        ladder.unlink(missing_ok=True)
        per_thread = max(1, self.max_requests // self.threads)
        done = subprocess.run(
            [
                "wrk",
                "-t",
                str(self.threads),
                "-c",
                str(self.connections),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(ROOT / "bench" / "requests.lua"),
                f"http://{HOST}:{port}",
                "--",
                str(listing),
                str(per_thread),
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
            env={**os.environ, "WRK_LADDER": str(ladder)},
        )
        out = done.stdout
        if done.returncode or "Requests/sec" not in out:
            raise SystemExit(f"wrk failed on port {port}:\n{out}\n{done.stderr}")
        count = int(re.search(r"(\d+) requests in", out).group(1))
        socket_errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
        wrong = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
        return Slice(
            float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            socket_errors + wrong,
            count,
            count >= per_thread * self.threads,
            read_wrk_ladder(ladder),
        )


# --- one database -----------------------------------------------------------------------------


@dataclass
class Run:
    database: str
    results: list[Result]
    flow: Flow
    stored: int
    lost: int
    stored_after: int
    server_errors: int


async def run_database(kind: str, driver: Driver, people: int, workdir: Path) -> Run:
    bank = load_bank(DEFAULT_PATH)
    database = Database(kind, workdir)
    limits = {f"FLASK_LIMIT_{name}": UNLIMITED for name in ("ANSWERS", "GROUPS", "JOINS", "TOKENS")}
    quiz = Server(
        f"quiz-{kind}",
        "quiz:create_app()",
        workdir,
        DATABASE_URL=database.url,
        FLASK_SECRET_KEY=secrets.token_hex(32),
        **limits,
    )
    hello = Server(f"hello-{kind}", "bench.hello:create_app()", workdir)
    try:
        await quiz.wait_ready()
        await hello.wait_ready()
        say(f"{kind}: servers up (quiz :{quiz.port}, hello-world :{hello.port}); warming up")
        landing = [("GET", "/", "", "")]
        await driver.slice(hello, landing, 200, 1)
        await driver.slice(quiz, landing, 200, 1)
        await crowd(quiz.port, bank, 8, first=10_000)  # every worker has rendered every page once
        before = database.finished()

        say(f"{kind}: {people} people completing the quiz at once")
        cpu_before, backends = quiz.cpu_seconds(), database.backends()
        flow = await crowd(quiz.port, bank, people)
        flow.cpu_seconds = quiz.cpu_seconds() - cpu_before
        flow.cpu_seconds += sum(cpu - backends.get(pid, 0.0) for pid, cpu in database.backends().items())
        finished = database.finished()
        new = {h: ok for h, ok in finished.items() if h not in before}
        given = {tokens.token_hash(t) for t in flow.tokens}
        lost = sum(1 for h in given if not new.get(h))
        stored = sum(1 for ok in new.values() if ok)

        made = await sessions(quiz.port, bank, max(64, driver.connections * 4))
        page_2 = [("GET", "/quiz/2", cookie, "") for cookie, _ in made]
        post_2 = [
            ("POST", "/quiz/2", cookie, urllib.parse.urlencode(quiz_form(token, answers_for(bank, 2, n)), doseq=True))
            for n, (cookie, token) in enumerate(made)
        ]
        reports = [("GET", f"/r/{t}", "", "") for t in flow.tokens] or [("GET", f"/r/{'x' * 43}", "", "")]

        results = []
        for name, requests, expect in [
            ("landing GET /", landing, 200),
            ("quiz page GET /quiz/2", page_2, 200),
            ("page POST /quiz/2", post_2, 303),
            ("report GET /r/<token>", reports, 200),
        ]:
            say(f"{kind}: {name}, {driver.rounds} rounds of {driver.seconds:g} s against as many of hello-world")
            results.append(await driver.measure(name, quiz, requests, expect, hello, database))
        stored_after = sum(1 for h, ok in database.finished().items() if ok and h not in before)
        server_errors = len(re.findall(r'" 5\d\d ', quiz.log_path.read_text(errors="replace")))
        return Run(kind, results, flow, stored, lost, stored_after, server_errors)
    finally:
        quiz.stop()
        hello.stop()
        database.drop()


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- the report -------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE).group(1)
    except (OSError, AttributeError):
        pass
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def served() -> str:
    """Worker class, workers and threads as gunicorn.conf.py sets them for the servers here."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import runpy; c = runpy.run_path('gunicorn.conf.py'); "
                "print(c['worker_class'], c['workers'], c['threads'])"
            ),
        ],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        kind, workers, threads = done.stdout.split()
    except ValueError:
        return "settings unreadable"
    return f"{kind}, {workers} workers x {threads} threads"


def report(runs: list[Run], driver: Driver, people: int, load_before: tuple, notes: list[str]) -> tuple[str, list[str]]:
    import gunicorn

    missed = list(notes)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### Benchmark, {now}",
        "",
        f"- Machine: {machine()}; load average before the run {load_before[0]:.2f}, {load_before[1]:.2f}, {load_before[2]:.2f}",
        f"- Server: gunicorn {gunicorn.__version__} with gunicorn.conf.py ({served()}), on {HOST}",
        (
            f"- Load: {driver.describe()}, {driver.connections} connections; each request measured in {driver.rounds} "
            f"slice{'s' if driver.rounds != 1 else ''} of {driver.seconds:g} s (at most {driver.max_requests} requests "
            f"each), every slice right after one of hello-world; flow: {people} people at once, one keep-alive "
            "connection each"
        ),
        (f"- Slices taken again because one gunicorn worker got every connection: {driver.redone}"),
        "",
        "| database | request | req/s | hello-world req/s | ratio | target | p50 ms | p99 ms | worst slice's p99 ms | hello-world p99 ms (worst slice) | errors | CPU ms/req | CPU ratio |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[run.database]
        for result in run.results:
            ratio = result.ratio
            target = next((t for key, t in TARGETS.items() if result.name.startswith(key)), None)
            verdict = ""
            if target is not None:
                verdict = f">= {target} {'met' if ratio >= target else 'MISSED'}"
                if ratio < target:
                    missed.append(f"{label} {result.name}: {ratio:.2f} of hello-world, target {target}")
            if result.errors:
                missed.append(f"{label} {result.name}: {result.errors} errors")
            p99 = f"{result.p99:.1f}"
            if not result.p99 < P99_TARGET_MS:
                p99 += " (over 50)"
                missed.append(f"{label} {result.name}: p99 {result.p99:.1f} ms, target under {P99_TARGET_MS:g} ms")
            bound = " (request bound reached)" if result.bounded else ""
            lines.append(
                f"| {label} | {result.name}{bound} | {result.per_second:.0f} | {result.hello_per_second:.0f} | "
                f"{ratio:.2f} | {verdict} | {result.p50:.1f} | {p99} | {result.worst_slice_p99:.1f} | "
                f"{result.hello_p99:.1f} ({result.hello_worst_slice_p99:.1f}) | {result.errors} | "
                f"{result.cpu_ms:.2f} | {result.cpu_ratio:.2f} |"
            )
    lines += [
        "",
        (
            "p50 and p99: over every request of every slice of that kind (bench/latency.py), the p99 to "
            f"stay under {P99_TARGET_MS:g} ms; each connection sends its next request when the last is "
            "answered (a closed loop), and slices taken again are not counted. Worst slice's p99: the "
            "highest p99 of one slice alone; hello-world's beside it shows the machine's own tail. "
            "CPU ms/req: CPU time of the server's processes (master and workers) and, on PostgreSQL, of the "
            "database's backends, per request; CPU ratio: hello-world's CPU per request over the request's, the "
            "ratio an otherwise idle machine would show"
        )
        + (
            f" (hello-world: {min(cpus):.2f} to {max(cpus):.2f} ms per request in these slices)."
            if (cpus := [r.hello_cpu_ms for run in runs for r in run.results])
            else "."
        ),
        "",
        "| database | people | seconds | completions/s | per core | requests | p50 ms | p99 ms | server CPU ms per quiz | quizzes per CPU-second | errors | finished results stored | lost |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[run.database]
        flow = run.flow
        stored = f"{run.stored} of {flow.people}" + (
            "" if run.stored_after == run.stored else f" ({run.stored_after} at the end)"
        )
        completions = len(flow.tokens) / flow.seconds
        per_quiz = 1000 * flow.cpu_seconds / len(flow.tokens) if flow.tokens else 0.0
        flow_ms = sorted(seconds * 1000 for seconds in flow.latencies)
        lines.append(
            f"| {label} | {flow.people} | {flow.seconds:.1f} | {completions:.1f} | {completions / (os.cpu_count() or 1):.1f} | "
            f"{len(flow.latencies)} | {nearest_rank(flow_ms, 0.5):.1f} | "
            f"{nearest_rank(flow_ms, 0.99):.1f} | {per_quiz:.1f} | "
            f"{1000 / per_quiz if per_quiz else 0:.0f} | {len(flow.errors)} | {stored} | {run.lost} |"
        )
        if flow.errors:
            missed.append(f"{label} flow: {len(flow.errors)} errors, e.g. {flow.errors[0]}")
        if run.stored != flow.people or run.stored_after != flow.people or run.lost:
            missed.append(
                f"{label} flow: {run.stored} finished results stored for {flow.people} people, {run.lost} lost"
            )
        if run.server_errors:
            missed.append(f"{label}: {run.server_errors} 5xx answers in the quiz server's access log")
        if flow.reconnects:
            lines.append(
                f"\n{label}: {flow.reconnects} requests sent again on a fresh connection after gunicorn "
                "closed a keep-alive one (as a browser does; not errors)."
            )
    lines += ["", "Targets: " + ("all met." if not missed else "MISSED: " + "; ".join(missed))]
    return "\n".join(lines), missed


async def main_async(args) -> tuple[str, list[str]]:
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "asyncio"
    load_before = os.getloadavg()
    runs = []
    notes = []
    with tempfile.TemporaryDirectory(prefix="pcc-bench-") as tmp:
        driver = Driver(tool, args.connections, args.seconds, args.rounds, args.max_requests, Path(tmp))
        for kind in args.databases.split(","):
            if kind == "postgresql" and (why := postgres_reachable()):
                notes.append(f"PostgreSQL skipped, not reachable at {POSTGRES_URL} (set BENCH_DATABASE_URL): {why}")
                say(notes[-1])
                continue
            workdir = Path(tmp) / kind
            workdir.mkdir()
            runs.append(await run_database(kind, driver, args.people, workdir))
        table, missed = report(runs, driver, args.people, load_before, notes)
    return table, missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument(
        "--tool", choices=["auto", "wrk", "asyncio"], default="auto", help="load generator (auto: wrk if installed)"
    )
    parser.add_argument(
        "--seconds", type=int, default=2, help="length of each slice (whole seconds, as wrk takes them)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="slices per request, each after one of hello-world")
    parser.add_argument("--max-requests", type=int, default=50_000, help="request bound of each slice")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections for the fixed requests")
    parser.add_argument("--people", type=int, default=50, help="people completing the quiz at once in the flow")
    parser.add_argument("--output", help="also append the table to this file")
    args = parser.parse_args(argv)
    for kind in args.databases.split(","):
        if kind not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {kind!r}")
    table, missed = asyncio.run(main_async(args))
    print(table)
    if args.output:
        with open(args.output, "a") as out:
            out.write(table + "\n\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
