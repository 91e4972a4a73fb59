"""gunicorn's logger with private tokens removed, and the server run's hooks; used by gunicorn.conf.py,
imported only by gunicorn."""

from __future__ import annotations

import gc
from pathlib import Path

from gunicorn import glogging

from . import instance_path
from . import live_bank
from .redact import RedactTokens


class RedactingGunicornLogger(glogging.Logger):
    """gunicorn's logger with tokens removed from every line, access and error log alike.

    The finished line is redacted, whatever the access log format names (request line, path,
    referrer, Location header): one pass over one string, not over each of gunicorn's atoms.
    """

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            log.addFilter(RedactTokens())


# gunicorn server hooks, named in gunicorn.conf.py; they run in the master.


def begin_run(_server) -> None:
    live_bank.begin_run()


def worker_ready(_worker) -> None:
    """Freeze what the worker has loaded (the app, questions.yaml, templates, about 125,000
    objects) out of the garbage collector's sight. They live as long as the worker, and each full
    collection walked them all: a pause of about 30 ms for every request in the worker, under 1 ms
    now (bench/gc_pauses.py)."""
    gc.freeze()


def end_run(_server) -> None:
    """Remove this run's last good copy of questions.yaml: the next run must not serve it."""
    if (path := live_bank.last_good_path(Path(instance_path()))) is not None:
        path.unlink(missing_ok=True)
