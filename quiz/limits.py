"""Rate limits: per client address, in Redis when several instances share them, else in memory.

If Redis goes away, Flask-Limiter falls back to per-process memory instead of failing requests;
the app's log says so once, and once more when Redis is back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import current_app
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage, with its expired keys swept by the requests instead of a thread.

    MemoryStorage starts a new `threading.Timer` 10 ms after a count whenever its last one has
    ended: under load, a new thread about a hundred times a second in every worker, each taking
    the GIL from the requests (about a tenth of a millisecond of CPU per counted request here; see
    the README's benchmarks). A key is dropped anyway when it is read after it expires
    (MemoryStorage.get); all a sweep adds is forgetting keys nobody asks for again, and once a
    minute, on the counting thread, does that as well.
    """

    STORAGE_SCHEME = ["memory+swept"]
    SWEEP_SECONDS = 60.0

    def __init__(self, uri: str | None = None, **options):
        super().__init__(uri, **options)
        self.timer.cancel()  # the one timer MemoryStorage starts when it is made
        self._sweep_lock = threading.Lock()
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS

    # Takes the place of MemoryStorage.__schedule_expiry (a private name, hence the spelling), which
    # every count calls. Should limits rename it, counts start timers again: slower, never wrong.
    def _MemoryStorage__schedule_expiry(self) -> None:
        if time.monotonic() < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = time.monotonic() + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]  # private to MemoryStorage
        finally:
            self._sweep_lock.release()


limiter = Limiter(get_remote_address)
_counted_on_get: set[Callable] = set()  # the views whose GET requests count too: private links, group codes


def _not_found(response) -> bool:
    return response.status_code == 404


def limit(name: str):
    """A limit from the config (limit("TOKENS") reads LIMIT_TOKENS), shared by every route using it.

    TOKENS counts every request to a private-link URL; CODES counts the requests, GET or POST, for
    a group code that does not exist (guesses; the real link opened by a whole class counts
    nothing); the others count only POSTs.
    """
    on_get = name in ("TOKENS", "CODES")
    decorator = limiter.shared_limit(
        lambda: current_app.config[f"LIMIT_{name}"],
        scope=name.lower(),
        methods=None if on_get else ["POST"],
        deduct_when=_not_found if name == "CODES" else None,
    )
    if not on_get:
        return decorator

    def counted_on_get(view):
        limited = decorator(view)
        _counted_on_get.add(limited)
        return limited

    return counted_on_get


@limiter.request_filter
def _not_counted() -> bool:
    """A GET that no limit counts skips the limiter altogether: its checks cost a tenth of a quiz page."""
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method in ("GET", "HEAD") and view not in _counted_on_get


class StorageEvents(logging.Handler):
    """Flask-Limiter tells of its storage going away and coming back only on its own logger, which
    has nothing but a NullHandler: pass those two events on to the app's log as warnings.

    Flask-Limiter reports each change once per process (it checks the storage again now and then
    while it counts in memory), so an outage is two lines per worker, not one per request.
    """

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "storage unreachable" in message:
            logging.getLogger("quiz").warning(
                "rate limits: the storage (RATELIMIT_STORAGE_URI) is unreachable; each process counts "
                "in its own memory until it is back"
            )
        elif "storage recovered" in message:
            logging.getLogger("quiz").warning("rate limits: the storage is reachable again; counting there")


def init_app(app) -> None:
    if not any(isinstance(handler, StorageEvents) for handler in limiter.logger.handlers):
        limiter.logger.addHandler(StorageEvents())
        limiter.logger.setLevel(logging.INFO)  # "recovered" is an info line
    # Explicit, because the limiter object is shared: it would keep the last app's setting.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # No X-RateLimit-* headers: on every counted request they cost a second look at the limit store
    # (a Redis round trip across instances), and browsers ignore them. A 429 says when to retry.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
