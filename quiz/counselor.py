"""Counselor groups without accounts: a client link to share and a private dashboard link."""

from __future__ import annotations

import itertools
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import redirect
from flask import request
from flask import session
from flask import stream_with_context
from flask import url_for

from . import db
from . import discussion
from . import export as csv_export
from . import forms
from . import group_results
from . import records
from . import report_cache
from . import tokens
from .limits import limit
from .old_reports import readable
from .scoring import round_half_up
from .web import current_bank
from .web import live_bank
from .web import private
from .web import render_private

bp = Blueprint("counselor", __name__)


# How long a browser keeps a dashboard open after its private link was opened there: 7 days,
# not a 5-day working week, so that whatever day a counselor opens it, it still opens on that
# weekday a week later (until the same hour), and Friday's link lasts past next Wednesday.
ACCESS = timedelta(days=7)
GRANTS = "dashboard_grants"  # in the session: hash of a dashboard link -> when it was opened here
LEGACY_GRANTS = "dashboards"  # the list of hashes sessions held before access expired
NEW_LINKS = "new_links"  # group code -> a private link made in this browser, until it is shown
# A signed cookie holds about 4 KB and a grant takes about 80 bytes of it.
MAX_GRANTS = 20


def now() -> int:
    """Seconds since the epoch: the clock every grant is stamped and checked with (tests move it)."""
    return int(time.time())


def _grants() -> dict[str, int]:
    """This browser's dashboard grants that have not run out: link hash -> when it was opened."""
    grants = dict(session.get(GRANTS, {}))
    if LEGACY_GRANTS in session:
        # Opened before grants had a time: counted from now, so no counselor is shut out mid-week.
        for dashboard_hash in session.pop(LEGACY_GRANTS):
            grants.setdefault(dashboard_hash, now())
        session[GRANTS] = grants
    cutoff = now() - ACCESS.total_seconds()
    return {key: opened for key, opened in grants.items() if opened > cutoff}


def grant(dashboard_hash: str) -> None:
    """Let this browser open the dashboard for ACCESS from now, also after it is closed and reopened.

    Only the link's hash is kept, never a group's id: SQLite gives a deleted group's id to the
    next group made, so an id would open someone else's group.
    """
    grants = _grants()  # run-out grants are dropped here
    grants[dashboard_hash] = now()
    newest = sorted(grants, key=grants.__getitem__)[-MAX_GRANTS:]
    session[GRANTS] = {key: grants[key] for key in newest}
    # The cookie must outlive the grant: a session cookie would end it when the browser closes.
    # PERMANENT_SESSION_LIFETIME (31 days by default) is longer; the grant's own time decides.
    session.permanent = True


def revoke(dashboard_hash: str) -> None:
    session[GRANTS] = {key: opened for key, opened in _grants().items() if key != dashboard_hash}


def access_ends(dashboard_hash: str) -> datetime:
    return datetime.fromtimestamp(_grants()[dashboard_hash], UTC) + ACCESS


def no_access(status: int = 403, bad_link: bool = False) -> Response:
    """How to get into a dashboard. The same page for every code, real or not, so it never tells
    whether a group exists, let alone shows anything of it."""
    return render_private("counselor/no_access.html", status=status, bad_link=bad_link)


def dashboard_group(code: str):
    """The group, if this browser opened its private dashboard link in the last ACCESS; otherwise
    the way-in page, the same whether or not the group exists."""
    grants = _grants()
    # No grant, no lookup: a fresh browser learns nothing from how long the answer takes either.
    group = records.find_group_by_code(db.session(), code) if grants else None
    if group is None or group.dashboard_hash not in grants:
        abort(no_access())
    return group


@bp.route("/counselors", methods=["GET", "POST"])
@limit("GROUPS")
def start():
    form = forms.GroupForm()
    if not form.validate_on_submit():
        return render_private("counselor/start.html", form=form, status=422 if form.errors else 200)
    with db.writing() as write:
        group, token = records.create_group(write, form.name.data, form.note.data or "")
    grant(group.dashboard_hash)
    _show_once(group.code, token)
    return redirect(url_for(".dashboard", code=group.code), 303)


def _show_once(code: str, token: str) -> None:
    """Keep a new private link in the session until the dashboard has shown it once (the database
    has only its hash, so this is the one chance to show it)."""
    session[NEW_LINKS] = {**session.get(NEW_LINKS, {}), code: token}


def _take_new_link(code: str) -> str | None:
    """The new private link kept for the group, dropped from the session: it is shown once."""
    token = session.get(NEW_LINKS, {}).get(code)
    if token:
        session[NEW_LINKS] = {key: kept for key, kept in session[NEW_LINKS].items() if key != code}
    return token


@bp.get("/d/<token>")
@limit("TOKENS")
def open_dashboard(token: str):
    """Exchange the private dashboard link for this browser's grant, then drop it from the URL."""
    group = records.find_group_by_dashboard(db.session(), token)
    if group is None:
        return no_access(404, bad_link=True)
    grant(group.dashboard_hash)
    return private(redirect(url_for(".dashboard", code=group.code), 303))


def _results(group) -> list[group_results.Result]:
    attempts = records.group_results(db.session(), group.id)
    return [group_results.Result(a, readable(records.finished_report(a))) for a in attempts]


def _chart_means(score_columns, results) -> list[dict]:
    """The group's mean on each dimension, for the score chart (the skills score has its own column)."""
    return [
        {"label": s.label, "score": round_half_up(s.mean), "score_label": f"mean of {s.results}", "tone": "none"}
        for s in group_results.score_summary(score_columns[1:], results)
        if s.mean is not None
    ]


@bp.get("/dashboard/<code>")
def dashboard(code: str):
    group = dashboard_group(code)
    results = _results(group)
    bank = live_bank().current()
    table = group_results.columns(bank, results)
    order = group_results.sorting(table, request.args.get("sort"), request.args.get("dir"))
    scores = group_results.score_columns(bank, results)
    # Shown once: a reload, or the Back button, no longer finds it in the session.
    new_token = _take_new_link(group.code)
    bands = group_results.band_counts(bank, results)
    return render_private(
        "counselor/dashboard.html",
        group=group,
        results=group_results.sort(results, table[order.key], order.direction),
        table=table,
        order=order,
        score_keys=[column.key for column in scores],
        bands=dict(bands[:-1]),
        careless=bands[-1][1],
        means=_chart_means(scores, results),
        marks=sorted(r.min for r in bank.score_labels if r.min > 0),
        unfinished=records.unfinished_count(db.session(), group.id),
        band_order=[b.label for b in sorted(bank.bands, key=lambda b: -b.min)],
        client_url=url_for(".join", code=group.code, _external=True),
        dashboard_url=url_for(".open_dashboard", token=new_token, _external=True) if new_token else None,
        access_ends=access_ends(group.dashboard_hash),
    )


def _group_result(code: str, result_id: int):
    """The group and one finished result in it, or 404."""
    group = dashboard_group(code)
    attempt = records.group_result(db.session(), group.id, result_id)
    if attempt is None:
        abort(404)
    return group, attempt


def _answered_bank(attempt):
    """The bank version the client answered (its guide matches their report), else the newest."""
    return live_bank().version(attempt.bank_digest, db.session()) or current_bank()


@bp.get("/dashboard/<code>/results/<int:result_id>")
def result(code: str, result_id: int):
    """The client's results written about them, with the discussion guide."""
    group, attempt = _group_result(code, result_id)
    report = readable(records.finished_report(attempt))
    return render_private(
        "counselor/result.html",
        group=group,
        attempt=attempt,
        whose=discussion.possessive(attempt.client_name),
        guide=discussion.guide(report, _answered_bank(attempt), attempt.answers),
        report=report,
    )


@bp.get("/dashboard/<code>/results/<int:result_id>/plan")
def plan(code: str, result_id: int):
    """A one-page plan for the counselor and the client to fill in together, on paper or on screen."""
    group, attempt = _group_result(code, result_id)
    report = readable(records.finished_report(attempt))
    return render_private(
        "counselor/plan.html",
        group=group,
        attempt=attempt,
        whose=discussion.possessive(attempt.client_name),
        guide=discussion.guide(report, _answered_bank(attempt)),
    )


@bp.get("/dashboard/<code>/results/<int:result_id>/report")
def client_report(code: str, result_id: int):
    """The report exactly as the client sees it, for reading alongside the guide."""
    group, attempt = _group_result(code, result_id)
    parts = report_cache.parts(
        attempt.token_hash,
        f"{attempt.finished_at:%Y-%m-%d}",
        lambda: records.finished_report(attempt),
        answers_url=url_for(".client_answers", code=group.code, result_id=attempt.id),
    )
    return render_private(
        "counselor/client_report.html",
        group=group,
        attempt=attempt,
        whose=discussion.possessive(attempt.client_name),
        parts=parts,
    )


@bp.get("/dashboard/<code>/results/<int:result_id>/answers")
def client_answers(code: str, result_id: int):
    """Every answer of the client's report with its points, as the client's own page shows them."""
    group, attempt = _group_result(code, result_id)
    return render_private(
        "quiz/answers.html",
        report=readable(records.finished_report(attempt)),
        whose=discussion.possessive(attempt.client_name),
        back_url=url_for(".client_report", code=group.code, result_id=attempt.id, _anchor="method"),
    )


@bp.route("/dashboard/<code>/results/<int:result_id>/delete", methods=["GET", "POST"])
def delete_result(code: str, result_id: int):
    group, attempt = _group_result(code, result_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        with db.writing(erase=True) as write:
            records.delete_attempt(write, attempt.id)
        return redirect(url_for(".dashboard", code=group.code), 303)
    who = attempt.client_name or "an anonymous client"
    return render_private(
        "counselor/confirm.html",
        group=group,
        form=form,
        title=f"Delete the result of {who}, finished {attempt.finished_at:%Y-%m-%d}?",
        detail="The result and every answer behind it are deleted for good. "
        "The client's own report link stops working.",
        button="Delete this result",
    )


@bp.post("/dashboard/<code>/status")
def toggle_open(code: str):
    group = dashboard_group(code)
    if forms.ConfirmForm().validate_on_submit():
        with db.writing() as write:
            records.set_group_open(write, group.id, not group.is_open)
    return redirect(url_for(".dashboard", code=group.code), 303)


@bp.route("/dashboard/<code>/new-link", methods=["GET", "POST"])
def new_link(code: str):
    """A new private dashboard link for a lost or shared one: the old link stops working, and so
    does the dashboard in every other browser that opened it; this browser stays in."""
    group = dashboard_group(code)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        with db.writing() as write:
            token = records.replace_dashboard_link(write, group.id, group.dashboard_hash)
        if token is not None:  # else another tab replaced it first, and this browser holds neither
            revoke(group.dashboard_hash)
            grant(tokens.token_hash(token))
            _show_once(group.code, token)
        return redirect(url_for(".dashboard", code=group.code), 303)
    return render_private(
        "counselor/confirm.html",
        group=group,
        form=form,
        title=f"Get a new private link for \u201c{group.name}\u201d?",
        detail="The private link you have now stops working at once, and so does this dashboard in any "
        "other browser that opened it. This browser stays in, and the new link is shown once, on the "
        "dashboard: save it then. The client link and the results stay as they are.",
        button="Get a new private link",
    )


@bp.route("/dashboard/<code>/leave", methods=["GET", "POST"])
def leave(code: str):
    """Leave the dashboard on this browser before its week is up: for a shared or borrowed computer."""
    group = dashboard_group(code)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        revoke(group.dashboard_hash)
        return render_private("counselor/left.html", name=group.name)
    return render_private(
        "counselor/confirm.html",
        group=group,
        form=form,
        title="Leave this dashboard on this browser?",
        detail="This browser then needs the private link again to open it. Check that you have saved "
        "that link first: without it nobody, us included, can open this group again.",
        button="Leave the dashboard",
    )


@bp.route("/dashboard/<code>/delete", methods=["GET", "POST"])
def delete_group(code: str):
    group = dashboard_group(code)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        with db.writing(erase=True) as write:
            records.delete_group(write, group.id)
        revoke(group.dashboard_hash)
        _take_new_link(group.code)  # a link to a group that is gone is never shown
        return render_private("counselor/group_deleted.html", name=group.name)
    return render_private(
        "counselor/confirm.html",
        group=group,
        form=form,
        title=f"Delete the group \u201c{group.name}\u201d?",
        detail="Every result in it is deleted for good, the client link stops working and so does this dashboard.",
        button="Delete the group and its results",
    )


@bp.get("/dashboard/<code>/results.csv")
def export(code: str):
    """The group's summary, then one row per result, streamed (see quiz/export.py)."""
    group = dashboard_group(code)
    results = _results(group)
    bank = live_bank().current()
    # Each result's answers are labelled from the version of the quiz it was taken on.
    banks = {r.attempt.bank_digest: live_bank().version(r.attempt.bank_digest, db.session()) for r in results}

    def bank_of(result: group_results.Result):
        return banks[result.attempt.bank_digest]

    scores = group_results.score_columns(bank, results)
    questions = csv_export.question_columns(bank, results, bank_of)
    rows = itertools.chain(
        csv_export.summary_rows(group.name, bank, results, scores),
        [[]],  # one blank row between the summary and the results
        csv_export.result_rows(results, scores, questions, bank_of),
    )
    response = Response(stream_with_context(csv_export.csv_lines(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="results-{group.code}.csv"'
    return private(response)


@bp.route("/g/<code>", methods=["GET", "POST"])
@limit("CODES")  # outermost: the view the app routes to is the one counted on GET
@limit("JOINS")
def join(code: str):
    """The client link: who the counselor is, what they will see, an optional name, then start."""
    group = records.find_group_by_code(db.session(), code)
    if group is None:
        abort(404)
    if not group.is_open:
        return render_private("counselor/closed.html", group=group, status=403)
    form = forms.JoinForm()
    if not form.validate_on_submit():
        return render_private(
            "counselor/join.html",
            group=group,
            form=form,
            bank=current_bank(),
            retention_days=current_app.config["RETENTION_UNFINISHED_DAYS"],
            status=422 if form.errors else 200,
        )
    with db.writing() as write:
        _, session["attempt"] = records.start_attempt(
            write, current_bank(), group, form.client_name.data, option_seed=session.pop("option_seed", None)
        )
    return redirect(url_for("quiz.page", step=1), 303)
