"""Counselor groups without accounts: a client link to share and a private dashboard link."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import redirect
from flask import session
from flask import stream_with_context
from flask import url_for

from . import db
from . import discussion
from . import forms
from . import records
from . import report_cache
from .limits import limit
from .old_reports import readable
from .web import current_bank
from .web import live_bank
from .web import private
from .web import render_private

bp = Blueprint("counselor", __name__)
CSV_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet formula injection


def dashboard_group(code: str):
    """The group, if this browser was given its dashboard link; 404 otherwise, as for no group.

    The session keeps the hash of each dashboard link it was given, never a group's id: SQLite
    gives a deleted group's id to the next group made, so an id would open someone else's group.
    """
    group = records.find_group_by_code(db.session(), code)
    if group is None or group.dashboard_hash not in session.get("dashboards", []):
        abort(404)
    return group


@bp.route("/counselors", methods=["GET", "POST"])
@limit("GROUPS")
def start():
    form = forms.GroupForm()
    if not form.validate_on_submit():
        return render_private("counselor/start.html", form=form, status=422 if form.errors else 200)
    with db.writing() as write:
        group, token = records.create_group(write, form.name.data, form.note.data or "")
    session["dashboards"] = [*session.get("dashboards", []), group.dashboard_hash]
    # Shown on the dashboard for as long as this browser session lasts; only its hash is stored.
    session["new_links"] = {**session.get("new_links", {}), group.code: token}
    return redirect(url_for(".dashboard", code=group.code), 303)


@bp.get("/d/<token>")
@limit("TOKENS")
def open_dashboard(token: str):
    """Exchange the private dashboard link for this browser session, then drop it from the URL."""
    group = records.find_group_by_dashboard(db.session(), token)
    if group is None:
        abort(404)
    if group.dashboard_hash not in session.get("dashboards", []):
        session["dashboards"] = [*session.get("dashboards", []), group.dashboard_hash]
    return private(redirect(url_for(".dashboard", code=group.code), 303))


def _summary(reports):
    """Band counts and mean dimension scores of stored reports, for the at-a-glance chart."""
    bands = Counter(r["band"]["label"] for r in reports if r.get("band") and not r["careless"])
    by_dimension: dict[str, list] = {}
    labels = {}
    for report in reports:
        for d in report["dimensions"]:
            labels[d["id"]] = d["label"]
            if d["score"] is not None:
                by_dimension.setdefault(d["id"], []).append(d["score"])
    means = [
        {
            "id": key,
            "label": labels[key],
            "score": round(statistics.fmean(scores)),
            "score_label": f"mean of {len(scores)}",
            "tone": "none",
        }
        for key, scores in by_dimension.items()
    ]
    return bands, means


@bp.get("/dashboard/<code>")
def dashboard(code: str):
    group = dashboard_group(code)
    results = records.group_results(db.session(), group.id)
    rows = [(r, readable(records.finished_report(r))) for r in results]
    bands, means = _summary([report for _, report in rows])
    new_token = session.get("new_links", {}).get(group.code)
    bank = current_bank()
    return render_private(
        "counselor/dashboard.html",
        group=group,
        results=results,
        rows=rows,
        bands=bands,
        means=means,
        careless=sum(report["careless"] for _, report in rows),
        marks=sorted(r.min for r in bank.score_labels if r.min > 0),
        unfinished=records.unfinished_count(db.session(), group.id),
        band_order=[b.label for b in sorted(bank.bands, key=lambda b: -b.min)],
        client_url=url_for(".join", code=group.code, _external=True),
        dashboard_url=url_for(".open_dashboard", token=new_token, _external=True) if new_token else None,
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
        guide=discussion.guide(report, _answered_bank(attempt)),
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
        attempt.token_hash, f"{attempt.finished_at:%Y-%m-%d}", lambda: records.finished_report(attempt)
    )
    return render_private(
        "counselor/client_report.html",
        group=group,
        attempt=attempt,
        whose=discussion.possessive(attempt.client_name),
        parts=parts,
    )


@bp.route("/dashboard/<code>/results/<int:result_id>/delete", methods=["GET", "POST"])
def delete_result(code: str, result_id: int):
    group = dashboard_group(code)
    attempt = records.group_result(db.session(), group.id, result_id)
    if attempt is None:
        abort(404)
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


@bp.route("/dashboard/<code>/delete", methods=["GET", "POST"])
def delete_group(code: str):
    group = dashboard_group(code)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        with db.writing(erase=True) as write:
            records.delete_group(write, group.id)
        session["dashboards"] = [h for h in session.get("dashboards", []) if h != group.dashboard_hash]
        session.get("new_links", {}).pop(group.code, None)
        return render_private("counselor/group_deleted.html", name=group.name)
    return render_private(
        "counselor/confirm.html",
        group=group,
        form=form,
        title=f"Delete the group \u201c{group.name}\u201d?",
        detail="Every result in it is deleted for good, the client link stops working and so does this dashboard.",
        button="Delete the group and its results",
    )


def _cell(value) -> str:
    text = ";".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_UNSAFE_START) else text


@bp.get("/dashboard/<code>/results.csv")
def export(code: str):
    """One row per result, streamed: date, name, band, overall, each dimension, each answer."""
    group = dashboard_group(code)
    results = records.group_results(db.session(), group.id)
    bank = current_bank()
    dimensions = [d.id for d in bank.dimensions]
    questions = list(bank.questions)
    for r in results:  # results from older quiz versions may have other columns
        dimensions += [d["id"] for d in records.finished_report(r)["dimensions"] if d["id"] not in dimensions]
        questions += [q for q in r.answers if q not in questions]

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "finished",
                "name",
                "band",
                "skills",
                "quiz_version",
                *[f"score_{d}" for d in dimensions],
                *[f"answer_{q}" for q in questions],
            ]
        )
        for r in results:
            report = readable(records.finished_report(r))
            scores = {d["id"]: d["score"] for d in report["dimensions"]}
            band = (
                report["careless_headline"] if report["careless"] else report["band"]["label"] if report["band"] else ""
            )
            writer.writerow(
                [
                    _cell(v)
                    for v in [
                        r.finished_at.date().isoformat() if r.finished_at else "",
                        r.client_name,
                        band,
                        report["skills"]["score"],
                        r.bank_version,
                        *[scores.get(d) for d in dimensions],
                        *[r.answers.get(q) for q in questions],
                    ]
                ]
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if not results:
            yield buffer.getvalue()

    filename = f"results-{group.code}.csv"
    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
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
