"""Rate limits: per client address, in Redis when several instances share them, else in memory.

If Redis goes away, Flask-Limiter falls back to per-process memory instead of failing requests.
"""
from __future__ import annotations

from flask import current_app
from flask import render_template
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address)


def limit(name: str):
    """A limit from the config (limit("TOKENS") reads LIMIT_TOKENS), shared by every route using it.

    TOKENS counts every request to a private-link URL; the others count only POSTs.
    """
    return limiter.shared_limit(
        lambda: current_app.config[f"LIMIT_{name}"], scope=name.lower(),
        methods=None if name == "TOKENS" else ["POST"],
    )


def too_many_requests(error):
    return render_template(
        "error.html", code=429, title="Please slow down",
        advice="Too many requests came from your network in a short time. Wait a minute and try "
        "again; nothing you saved is lost.",
    ), 429


def init_app(app) -> None:
    # Explicit, because the limiter object is shared: it would keep the last app's setting.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_error_handler(429, too_many_requests)
