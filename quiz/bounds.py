"""An end to every wait on the database, so a stalled one gives the friendly 503 within seconds.

gunicorn's timeout does not stop a gthread thread that waits on a socket, and libpq waits for as
long as its socket stays open. Without a bound of their own, requests to a database that stops
answering (a stalled disk, a network path that keeps connections open but forwards nothing) hold
every thread of every worker, and even static files queue behind them.

One setting, DATABASE_TIMEOUT (seconds), gives every bound:

- PostgreSQL ends a statement after that long (statement_timeout) and a wait for a lock after
  half of it (lock_timeout), and says so: an OperationalError, the friendly 503;
- connecting gives up after that long (libpq's connect_timeout, whole seconds, at least 2);
- an answer the server never sends is waited for one second longer than the statement may run,
  then the connection is closed and SQLAlchemy discards it;
- a request waits that long for a pooled connection (pool_timeout), and SQLite that long for a
  lock (busy_timeout).
"""

from __future__ import annotations

import math

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine

DEFAULT_SECONDS = 5.0
# The wait functions' own timeout exception: internal to psycopg, so looked up, not imported.
_WAIT_TIMEOUT = getattr(psycopg.errors, "_WaitTimeout", psycopg.errors.OperationalError)


class BoundedConnection(psycopg.Connection):
    """A psycopg connection that waits at most `wait_seconds` for any one answer from the server.

    A slow statement is ended by PostgreSQL first, which says why; this is for a server, or a
    path to it, that cannot say anything at all.
    """

    wait_seconds: float | None = None

    def wait(self, gen, interval: float = 0.1, timeout: float | None = None):
        bound = self.wait_seconds if timeout is None else timeout
        try:
            return super().wait(gen, interval, timeout=bound)
        except _WAIT_TIMEOUT:
            # Mid-statement the connection can never be used again: close it, so SQLAlchemy sees a
            # disconnect and throws it away instead of handing it to the next request.
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database sent no answer within {bound:g} s; the connection was closed "
                "(DATABASE_TIMEOUT sets how long to wait)"
            ) from None


def postgresql_options(seconds: float, options: str = "") -> str:
    """libpq `options` with our timeouts first, so any the operator put in DATABASE_URL win."""
    ms = max(1, round(seconds * 1000))
    return f"-c statement_timeout={ms} -c lock_timeout={max(1, ms // 2)} {options}".strip()


def bound_postgresql(engine: Engine, seconds: float) -> None:
    @event.listens_for(engine, "do_connect")
    def connect(_dialect, _record, cargs, cparams):
        cparams.setdefault("connect_timeout", max(2, math.ceil(seconds)))
        cparams["options"] = postgresql_options(seconds, cparams.get("options", ""))
        connection = BoundedConnection.connect(*cargs, **cparams)
        connection.wait_seconds = seconds + 1
        return connection
