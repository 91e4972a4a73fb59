"""gunicorn's logger with private tokens removed; used by gunicorn.conf.py, imported only by gunicorn."""
from __future__ import annotations

from gunicorn import glogging

from .redact import RedactTokens
from .redact import redact


class RedactingGunicornLogger(glogging.Logger):
    """gunicorn's logger with tokens removed from the request line, path, referrer and headers."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(RedactTokens())
