"""A small asyncio HTTP/1.1 client for the benchmark: keep-alive connections, a cookie jar each.

It plays people (each on one connection of their own, as a browser tab) and, when wrk is
missing, drives the fixed-request measurements too. Like a browser, it sends a request again
on a fresh connection when a reused keep-alive connection turns out to be closed before any
byte of the answer came back (gunicorn closes idle ones and those of a worker it recycles).
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.parse
from dataclasses import dataclass
from dataclasses import field

from servers import keep_cookies

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class ProtocolError(Exception):
    """The server's answer could not be read as HTTP."""


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def location(self) -> str | None:
        return self.header("location")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Connection:
    """One keep-alive connection and the cookies of the person using it."""

    host: str
    port: int
    timeout: float = 30.0
    cookies: dict[str, str] = field(default_factory=dict)
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    reconnects: int = 0

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def raw(self, method: str, path: str, form: dict | str | None = None) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
        body = b""
        if form is not None:
            body = (form if isinstance(form, str) else urllib.parse.urlencode(form, doseq=True)).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if method != "GET" or body:
            lines.append(f"Content-Length: {len(body)}")
        if self.cookies:
            lines.append(f"Cookie: {self.cookie_header()}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    async def request(self, method: str, path: str, form: dict | str | None = None) -> Response:
        data = self.raw(method, path, form)
        for attempt in range(2):
            reused = self.writer is not None
            if not reused:
                self.reader, self.writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), self.timeout
                )
            try:
                self.writer.write(data)
                await self.writer.drain()
                response = await asyncio.wait_for(self._read(), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError) as error:
                await self.close()
                nothing_came = not isinstance(error, asyncio.IncompleteReadError) or not error.partial
                if reused and attempt == 0 and nothing_came:
                    self.reconnects += 1  # a closed keep-alive connection: send it again, as browsers do
                    continue
                raise
            keep_cookies(self.cookies, response.headers.get("set-cookie", []))
            if (response.header("connection") or "").lower() == "close":
                await self.close()
            return response
        raise AssertionError("unreachable")

    async def _read(self) -> Response:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split(" ", 2)[1])
        except (IndexError, ValueError):
            raise ProtocolError(f"bad status line {lines[0]!r}") from None
        headers: dict[str, list[str]] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "chunked" in (headers.get("transfer-encoding") or [""])[0].lower():
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = await self.reader.readexactly(int((headers.get("content-length") or ["0"])[0]))
        return Response(status, headers, body)


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise ProtocolError("page has no CSRF token")
    return match.group(1) or match.group(2)


def quiz_form(token: str, answers: dict, action: str = "next") -> dict:
    return {"csrf_token": token, "action": action, **{f"q_{qid}": value for qid, value in answers.items()}}


@dataclass
class Load:
    """What a fixed-request measurement saw."""

    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    reconnects: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def fixed_load(
    host: str,
    port: int,
    requests: list[tuple[str, str, str, str]],
    expect: int,
    connections: int,
    seconds: float,
    max_requests: int,
) -> Load:
    """Send prepared requests (method, path, cookie, body) on `connections` keep-alive connections
    for `seconds` or `max_requests`, whichever comes first; `expect` is the right status."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds
    pool = [Connection(host, port) for _ in range(connections)]

    async def run(number: int, connection: Connection) -> None:
        nonlocal errors, sent
        index = number * 7
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            method, path, cookie, body = requests[index % len(requests)]
            index += 1
            connection.cookies = dict(part.split("=", 1) for part in cookie.split("; ")) if cookie else {}
            started = time.perf_counter()
            try:
                response = await connection.request(method, path, body or None)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ProtocolError):
                errors += 1
                await connection.close()
                continue
            latencies.append(time.perf_counter() - started)
            if response.status != expect:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(run(n, c) for n, c in enumerate(pool)))
    elapsed = time.perf_counter() - started
    for connection in pool:
        await connection.close()
    return Load(len(latencies), elapsed, latencies, errors, sum(c.reconnects for c in pool))
