"""The quiz pages: landing, one page per bank page, and the report."""
from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_wtf.csrf import CSRFError

from . import forms
from .scoring import build_report

bp = Blueprint("quiz", __name__)


def current_bank():
    return current_app.extensions["quiz_bank"]


def _answers() -> dict:
    return dict(session.get("answers", {}))


def first_unfinished_step(bank, answers) -> int | None:
    """The first page with a required question left unanswered, counted from 1."""
    for step, page in enumerate(bank.pages, start=1):
        for qid in page.questions:
            if getattr(bank.questions[qid], "required", True) and qid not in answers:
                return step
    return None


def _render_page(step: int, form, status: int = 200, notice: str | None = None):
    bank = current_bank()
    page = bank.pages[step - 1]
    questions = [(bank.questions[qid], form[forms.field_name(qid)]) for qid in page.questions]
    return render_template(
        "quiz/page.html", bank=bank, page=page, step=step, steps=len(bank.pages),
        form=form, questions=questions, notice=notice,
    ), status


@bp.get("/")
def landing():
    bank = current_bank()
    return render_template("quiz/landing.html", bank=bank, started=bool(session.get("answers")))


@bp.route("/quiz/<int:step>", methods=["GET", "POST"])
def page(step: int):
    bank = current_bank()
    if not 1 <= step <= len(bank.pages):
        abort(404)
    page = bank.pages[step - 1]
    form_class = current_app.extensions["quiz_forms"][step - 1]
    answers = _answers()
    if request.method == "GET":
        return _render_page(step, form_class(data=forms.form_data(answers, page)))

    form = form_class()
    complete = form.validate()
    for qid in page.questions:  # a cleared tick box must clear the saved answer too
        answers.pop(qid, None)
    answers.update(forms.saved_answers(form, page))
    session["answers"] = answers
    if request.form.get("action") == "back":
        # Back never asks for missing answers: what is valid is kept, the rest can wait.
        return redirect(url_for(".page", step=step - 1) if step > 1 else url_for(".landing"), 303)
    if not complete:
        return _render_page(step, form, status=422)
    if step < len(bank.pages):
        return redirect(url_for(".page", step=step + 1), 303)
    return redirect(url_for(".report"), 303)


@bp.get("/report")
def report():
    bank = current_bank()
    answers = _answers()
    unfinished = first_unfinished_step(bank, answers)
    if unfinished is not None:
        return redirect(url_for(".page", step=unfinished))
    return render_template("quiz/report.html", report=build_report(bank, answers))


@bp.post("/restart")
def restart():
    session.pop("answers", None)
    return redirect(url_for(".page", step=1), 303)


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    """An expired or missing token must not cost the answers just given: show them again."""
    if request.endpoint == "quiz.page":
        step = request.view_args["step"]
        bank = current_bank()
        if 1 <= step <= len(bank.pages):
            form = current_app.extensions["quiz_forms"][step - 1]()
            return _render_page(
                step, form, status=400,
                notice="Your session had expired, so this page was not saved yet. Your answers are "
                "still here: check them and press the button again.",
            )
    return render_template(
        "error.html", code=400, title="This form had expired",
        advice="Go back, reload the page and send it again.",
    ), 400
