"""What both blueprints need of a request: this browser's attempt, the bank it is answered on,
the live bank, and pages that are private (never cached, never indexed)."""

from __future__ import annotations

from flask import current_app
from flask import g
from flask import render_template
from flask import session

from . import db
from . import live_bank as live
from . import records


def live_bank() -> live.LiveBank:
    """The live question bank of this app (quiz/live_bank.py)."""
    return live.of(current_app)


def current_attempt():
    """What the quiz needs of this browser's attempt, if any (one row, looked up once per request)."""
    if "attempt" not in g:
        token = session.get("attempt")
        g.attempt = records.find_progress(db.connection(), token) if token else None
    return g.attempt


def current_bank():
    """The attempt's own bank version if it started on an older one, else the newest."""
    if "bank" not in g:
        source = live_bank()
        g.bank = source.current()
        attempt = current_attempt()
        if attempt is not None and attempt.bank_digest != g.bank.digest:
            g.bank = source.version(attempt.bank_digest, db.session()) or g.bank
    return g.bank


def private(response):
    """Capability pages: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def render_private(template: str, status: int = 200, **context):
    return private(current_app.make_response((render_template(template, **context), status)))
