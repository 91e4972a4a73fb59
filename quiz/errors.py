"""Friendly error pages: say what happened and what to do, never a stack trace."""
from __future__ import annotations

from flask import render_template
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something in that request was not right", "Go back and try again. If it keeps happening, start the quiz again."),
    404: ("We could not find that page", "The link may be mistyped or out of date."),
    405: ("That page cannot be used that way", "Go back and use the buttons on the page."),
    413: ("That was more than we can accept", "The form sent far more data than the quiz ever needs."),
    414: ("That address is far too long", "Check the link you followed; the quiz's own links are short."),
    415: ("That kind of request is not accepted", "The quiz takes its answers from its own pages; go back and use them."),
    500: ("Something went wrong on our side", "It has been logged for the people who run this site. "
          "Your answers so far are kept."),
    503: ("We are briefly unavailable", "Your saved answers are safe. Please try again in a minute."),
}


def render_error(error: HTTPException):
    code = error.code or 500
    title, advice = MESSAGES.get(code, (error.name, error.description))
    if request_ctx and request_ctx.url_adapter is None:
        # A Host not in TRUSTED_HOSTS: no link can be built for it, so no page with links either.
        return f"{title}. {advice}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("error.html", code=code, title=title, advice=advice), code


def init_app(app) -> None:
    for code in MESSAGES:
        app.register_error_handler(code, render_error)
