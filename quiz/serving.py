"""gunicorn's logger with private tokens removed; used by gunicorn.conf.py, imported only by gunicorn."""
from __future__ import annotations

from gunicorn import glogging

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
