"""Every error page in one place: say what happened and what to do, never a stack trace, and
never lose the answers of a quiz page that could not be saved."""

from __future__ import annotations

import time

from flask import current_app
from flask import make_response
from flask import render_template
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from . import db
from .limits import limiter
from .views import same_page_again

MESSAGES = {
    400: (
        "Something in that request was not right",
        "Go back and try again. If it keeps happening, start the quiz again.",
    ),
    404: ("We could not find that page", "The link may be mistyped or out of date."),
    405: ("That page cannot be used that way", "Go back and use the buttons on the page."),
    413: ("That was more than we can accept", "The form sent far more data than the quiz ever needs."),
    414: ("That address is far too long", "Check the link you followed; the quiz's own links are short."),
    415: (
        "That kind of request is not accepted",
        "The quiz takes its answers from its own pages; go back and use them.",
    ),
    500: (
        "Something went wrong on our side",
        "It has been logged for the people who run this site. Your answers so far are kept.",
    ),
    503: ("We are briefly unavailable", "Your saved answers are safe. Please try again in a minute."),
}


def render_error(error: HTTPException):
    code = error.code or 500
    title, advice = MESSAGES.get(code, (error.name, error.description))
    if request_ctx and request_ctx.url_adapter is None:
        # A Host not in TRUSTED_HOSTS: no link can be built for it, so no page with links either.
        return f"{title}. {advice}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("error.html", code=code, title=title, advice=advice), code


def csrf_error(error):
    """An expired or missing token must not cost the answers just given: show them again."""
    return same_page_again(
        400,
        "Your session had expired, so this page was not saved yet. Your answers are "
        "still here: check them and press the button again.",
    ) or (
        render_template(
            "error.html",
            code=400,
            title="This form had expired",
            advice="Go back, reload the page and send it again.",
        ),
        400,
    )


def database_unavailable(error):
    """The database is down or overloaded: say so, and never lose the answers just given."""
    if db.is_schema_error(error):
        return schema_not_ready(error)
    current_app.logger.warning("database unavailable: %s", error.__class__.__name__)
    return same_page_again(
        503,
        "We could not save this page just now. Your answers are still here: wait a moment and press the button again.",
        offline=True,
    ) or (
        render_template(
            "error.html",
            code=503,
            title="We are briefly unavailable",
            advice="We could not reach our database. Your saved answers are safe; please try again in a minute.",
        ),
        503,
    )


def schema_not_ready(error):
    """The tables are missing or old: a set-up mistake that no retry fixes, so none is suggested."""
    current_app.logger.error("the database schema is not up to date (%s): run `%s`", error.orig, db.UPGRADE_COMMAND)
    notice = (
        "This page could not be saved because the quiz is not set up correctly on our side. "
        "Your answers are still here; the problem has been logged for the people who run this site."
    )
    return same_page_again(500, notice, offline=True) or (
        render_template(
            "error.html",
            code=500,
            title="This quiz is not set up correctly",
            advice="The problem is on our side and has been logged for the people who run this site.",
        ),
        500,
    )


def too_many_requests(error):
    response = make_response(
        render_template(
            "error.html",
            code=429,
            title="Please slow down",
            advice="Too many requests came from your network in a short time. Wait a minute and try "
            "again; nothing you saved is lost.",
        ),
        429,
    )
    if (breached := limiter.current_limit) is not None:
        response.headers["Retry-After"] = str(max(1, int(breached.reset_at - time.time())))
    return response


def init_app(app) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, render_error)
    app.register_error_handler(429, too_many_requests)
    app.register_error_handler(CSRFError, csrf_error)
    for failure in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(failure, database_unavailable)
