"""Keep capability tokens out of every log line: access logs, error logs, tracebacks' headers."""

from __future__ import annotations

import logging
import re

TOKEN_IN_PATH = re.compile(r"/(r|resume|d)/[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"/\1/[token]", text)


class RedactTokens(logging.Filter):
    """A logging filter that rewrites the finished message with the tokens taken out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
