"""The quiz: landing, one page per bank page, private resume and report links.

Answers are saved server-side after every page, under an attempt whose private token is the
only thing the session keeps; the same token makes the "continue later" and report links.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import g
from flask import get_template_attribute
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for

from . import db
from . import forms
from . import precision
from . import records
from . import report_cache
from . import tokens
from .limits import limit
from .models import utcnow
from .old_reports import readable
from .scoring import build_report
from .web import current_attempt
from .web import current_bank
from .web import live_bank
from .web import private
from .web import render_private

bp = Blueprint("quiz", __name__)

# The quiz page's "this is a shared or public computer" tick box, and the session key that
# remembers it was ticked.
SHARED_COMPUTER = "shared_computer"
# The day (proleptic ordinal, UTC) the cookie's expiry was last pushed back.
RENEWED = "renewed"


def remember_attempt(shared: bool) -> None:
    """Keep this browser's attempt for as long as unfinished answers are kept, or, on a shared
    computer, only until the browser closes.

    A permanent session's cookie expires PERMANENT_SESSION_LIFETIME (RETENTION_UNFINISHED_DAYS)
    after it was last set, and the purge deletes an unfinished attempt that long after its last
    save. So a save sets the cookie again, but once a day, not every time: signing and sending it
    was about an eighth of a page save's CPU in one thread, and the cookie may end at most a day
    before the attempt. Every write below happens only when it changes something, because any
    write to the session sends the cookie.
    """
    if shared:
        if session.permanent:
            session.permanent = False
        if not session.get(SHARED_COMPUTER):
            session[SHARED_COMPUTER] = True
        session.pop(RENEWED, None)
        return
    if not session.permanent:
        session.permanent = True
    session.pop(SHARED_COMPUTER, None)
    today = utcnow().toordinal()
    if session.get(RENEWED) != today:
        session[RENEWED] = today


def page_form_class(step: int):
    return live_bank().forms(current_bank())[step - 1]


def attempt_or_404(token: str):
    """The attempt behind a private link; a wrong or truncated token is simply not found."""
    attempt = records.find_attempt(db.session(), token)
    if attempt is None:
        abort(404)
    return attempt


def page_questions(bank, page, answers: dict | None = None, form=None) -> list[tuple]:
    """(question, values ticked, errors) for each question of a page: from the saved answers, or
    from a posted form (only offered values count as ticked)."""
    rows = []
    for qid in page.questions:
        if form is None:
            value, errors = (answers or {}).get(qid), ()
            ticked = frozenset(value if isinstance(value, list) else [value] if value else [])
        else:
            field = form[forms.field_name(qid)]
            value, errors = field.data, field.errors
            chosen = value if isinstance(value, list) else [value]
            ticked = frozenset(v for v in chosen if isinstance(v, str) and v in field.choices)
        rows.append((bank.questions[qid], ticked, errors))
    return rows


QUESTION_CACHE_SIZE = 4096
_question_cache: dict[tuple, str] = {}


def question_html(bank, question, number: int, ticked: frozenset, errors, option_seed: int | None = None) -> str:
    """A question's markup. Without errors it depends only on the bank, the question, its number and
    the options ticked, so it is made once per bank and answer and then reused (a page has dozens
    of inputs to escape and write; this was most of a quiz page's time). Situations, whose options
    each attempt sees in its own order, are written afresh."""
    shuffled = getattr(question, "kind", None) == "scenario" and option_seed is not None
    if errors or shuffled:
        return _render_question(bank, question, number, ticked, errors, option_seed)
    key = (bank.digest, question.id, number, ticked)
    html = _question_cache.get(key)
    if html is None:
        html = _render_question(bank, question, number, ticked, errors, None)
        if len(_question_cache) >= QUESTION_CACHE_SIZE:
            _question_cache.clear()
        _question_cache[key] = html
    return html


def _render_question(bank, question, number, ticked, errors, option_seed) -> str:
    render = get_template_attribute("_macros.html", "question")
    return render(question, number, forms.choices(bank, question, option_seed), ticked, errors)


def option_seed(page_questions) -> int | None:
    """The order of this attempt's situation options; before the attempt exists, a seed kept in
    the session becomes the attempt's own when it starts. Only pages with a situation need one."""
    if not any(getattr(q, "kind", None) == "scenario" for q, _, _ in page_questions):
        return None
    attempt = current_attempt()
    if attempt is not None:
        return attempt.option_seed  # None for attempts from before: the file's order
    return session.setdefault("option_seed", tokens.new_option_seed())


def first_unfinished_step(bank, answers) -> int | None:
    """The first page with a required question left unanswered, counted from 1."""
    for step, page in enumerate(bank.pages, start=1):
        for qid in page.questions:
            if getattr(bank.questions[qid], "required", True) and qid not in answers:
                return step
    return None


def resume_step(bank, answers) -> int:
    """Where an unfinished quiz is taken up again: its first gap, or the last page (to send it)
    when every required question has an answer."""
    return first_unfinished_step(bank, answers) or len(bank.pages)


def _render_page(step: int, questions, status: int = 200, notice: str | None = None, offline: bool = False):
    """A quiz page; `offline` renders it without touching the database (it is unreachable)."""
    bank = (g.get("bank") or live_bank().current()) if offline else current_bank()
    attempt = None if offline else current_attempt()
    resume_url = url_for(".resume", token=session["attempt"], _external=True) if attempt else None
    seed = None if offline else option_seed(questions)
    return render_private(
        "quiz/page.html",
        status,
        bank=bank,
        page=bank.pages[step - 1],
        step=step,
        steps=len(bank.pages),
        questions=questions,
        notice=notice,
        resume_url=resume_url,
        shared_computer=bool(session.get(SHARED_COMPUTER)),
        group_name=attempt and attempt.group_name,
        option_seed=seed,
    )


@bp.get("/")
def landing():
    attempt, bank = current_attempt(), current_bank()
    return render_template(
        "quiz/landing.html",
        bank=bank,
        started=attempt is not None,
        finished=attempt is not None and attempt.finished_at is not None,
        # "Continue the quiz" leads to where the person stopped, not back to the first page.
        continue_step=resume_step(bank, attempt.answers) if attempt else 1,
    )


def _open_page(step: int):
    """The bank, page and attempt of /quiz/<step>: not found past the last page, the report once finished."""
    bank = current_bank()
    if not 1 <= step <= len(bank.pages):
        abort(404)
    attempt = current_attempt()
    if attempt is not None and attempt.finished_at is not None:
        abort(private(redirect(url_for(".report", token=session["attempt"]), 303)))
    return bank, bank.pages[step - 1], attempt


@bp.get("/quiz/<int:step>")
def page(step: int):
    bank, page, attempt = _open_page(step)
    return _render_page(step, page_questions(bank, page, answers=attempt.answers if attempt else {}))


@bp.post("/quiz/<int:step>")
@limit("ANSWERS")
def save_page(step: int):
    bank, page, attempt = _open_page(step)
    remember_attempt(shared=request.form.get(SHARED_COMPUTER) == "yes")
    form = page_form_class(step)()
    complete = form.validate()
    saved = _store_page(bank, page, attempt, forms.saved_answers(form, page))
    if saved is None:  # finished in another tab since this page was shown, or deleted
        g.pop("attempt")
        to = url_for(".report", token=session["attempt"]) if current_attempt() else url_for(".landing")
        return private(redirect(to, 303))

    if request.form.get("action") == "back":
        # Back never asks for missing answers: what is valid is kept, the rest can wait.
        return redirect(url_for(".page", step=step - 1) if step > 1 else url_for(".landing"), 303)
    if not complete:
        return _render_page(step, page_questions(bank, page, form=form), status=422)
    if step < len(bank.pages):
        return redirect(url_for(".page", step=step + 1), 303)
    return finish(*saved)


def _store_page(bank, page, attempt, given: dict) -> tuple[int, dict] | None:
    """Save a page's valid answers, starting the attempt on its first page: (attempt id, every
    answer so far), or None when the attempt was finished or deleted since the page was shown."""
    if attempt is None:
        with db.writing() as write:
            started, session["attempt"] = records.start_attempt(
                write, bank, answers=given, option_seed=session.pop("option_seed", None)
            )
        g.pop("attempt")  # looked up as missing; a re-shown page must now show its resume link
        return started.id, given
    answers = records.save_page(db.connection(), attempt.id, page.questions, given)
    return None if answers is None else (attempt.id, answers)


def finish(attempt_id: int, answers: dict):
    bank = current_bank()
    gap = first_unfinished_step(bank, answers)
    if gap is not None:
        return redirect(url_for(".page", step=gap), 303)
    seed = current_attempt().option_seed if current_attempt() is not None else None
    report = build_report(bank, answers, precision.current(bank), seed)
    with db.writing() as write:
        records.finish_attempt(write, attempt_id, answers, report)
    # The report's private address is in Location: keep the redirect out of every cache too.
    return private(redirect(url_for(".report", token=session["attempt"]), 303))


@bp.get("/report")
def my_report():
    """Where "See my report" leads when the quiz is finished in this browser."""
    attempt = current_attempt()
    if attempt is None:
        return redirect(url_for(".landing"))
    if attempt.finished_at is not None:
        return private(redirect(url_for(".report", token=session["attempt"])))
    return redirect(url_for(".page", step=resume_step(current_bank(), attempt.answers)))


@bp.get("/resume/<token>")
@limit("TOKENS")
def resume(token: str):
    """The "continue later" link: take the attempt up in this browser, then drop the token from the URL."""
    attempt = records.find_progress(db.connection(), token)
    if attempt is None:
        abort(404)
    session["attempt"], g.attempt = token, attempt
    if attempt.finished_at is not None:
        return private(redirect(url_for(".report", token=token), 303))
    remember_attempt(shared=bool(session.get(SHARED_COMPUTER)))
    return private(redirect(url_for(".page", step=resume_step(current_bank(), attempt.answers)), 303))


def _report_page_or_404(token: str):
    """The request's connection and the attempt a report address names, or 404."""
    connection = db.connection()
    attempt = records.find_report_page(connection, token)
    if attempt is None:
        abort(404)
    return connection, attempt


@bp.get("/r/<token>")
@limit("TOKENS")
def report(token: str):
    """A finished report at its private address, exactly as it was computed."""
    connection, attempt = _report_page_or_404(token)
    if attempt.finished_at is None:
        return private(redirect(url_for(".resume", token=token), 303))
    parts = report_cache.parts(
        attempt.token_hash,
        f"{attempt.finished_at:%Y-%m-%d}",
        lambda: records.stored_report(connection, attempt.id),
        answers_url=url_for(".report_answers", token=token),
    )
    return render_private(
        "quiz/report.html",
        parts=parts,
        attempt=attempt,
        token=token,
        retention_days=current_app.config["RETENTION_RESULT_DAYS"],
    )


@bp.get("/r/<token>/answers")
@limit("TOKENS")
def report_answers(token: str):
    """Every answer of a report with its points: on a page of its own, so the report stays light."""
    connection, attempt = _report_page_or_404(token)
    if attempt.finished_at is None:
        abort(404)
    report = readable(records.stored_report(connection, attempt.id))
    return render_private(
        "quiz/answers.html", report=report, whose=None, back_url=url_for(".report", token=token, _anchor="method")
    )


@bp.route("/r/<token>/delete", methods=["GET", "POST"])
@limit("TOKENS")
def delete_report(token: str):
    attempt = attempt_or_404(token)
    if request.method == "GET":
        return render_private("quiz/delete.html", token=token, attempt=attempt)
    with db.writing(erase=True) as write:
        records.delete_attempt(write, attempt.id)
    if session.get("attempt") == token:
        session.pop("attempt")
    return render_private("quiz/deleted.html")


@bp.route("/restart", methods=["GET", "POST"])
def restart():
    """Start a new attempt in this browser; the last one, finished or not, keeps its private link.

    Asked on a page of its own, so that the report needs no form (and no session) at all.
    """
    if request.method == "GET":
        return render_template("quiz/restart.html")
    session.pop("attempt", None)
    return redirect(url_for(".page", step=1), 303)


def same_page_again(status: int, notice: str, offline: bool = False):
    """The quiz page just posted, re-rendered with the answers just given; None elsewhere.

    For the error handlers (quiz/errors.py): a failure while saving a page never loses what the
    person just chose. `offline`: without touching the database, which is unreachable.
    """
    if request.endpoint != "quiz.save_page":
        return None
    source = live_bank()
    bank = (g.get("bank") or source.current()) if offline else current_bank()
    step = (request.view_args or {})["step"]
    if not 1 <= step <= len(bank.pages):
        return None
    form = source.forms(bank)[step - 1]()  # bound to the posted answers
    questions = page_questions(bank, bank.pages[step - 1], form=form)
    return _render_page(step, questions, status=status, notice=notice, offline=offline)
