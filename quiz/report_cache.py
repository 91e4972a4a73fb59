"""A finished report never changes, so each worker renders its page once and keeps it.

The page of a report is mostly the report itself: the summary and every section are rendered
from the stored report alone, kept here by the attempt's token hash (never reused, unlike ids)
and reused on every later visit. Only what is different per request (the private link, the
counselor's links around it) is rendered each time. A deleted report is never reached again: the
lookup of its token comes first and finds nothing.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from .old_reports import readable

KEPT = 256  # reports per worker; about 40 KB of HTML each
INDENT = re.compile(r"\n[ \t]+")


@dataclass(frozen=True)
class ReportParts:
    band_label: str
    tone: str
    careless: bool
    role_title: str
    summary: Markup
    sections: Markup


_kept: OrderedDict[tuple[str, str], ReportParts] = OrderedDict()
_lock = threading.Lock()


def parts(token_hash: str, finished: str, load_report: Callable[[], dict], answers_url: str) -> ReportParts:
    """The rendered parts of one stored report; `load_report` is called only when not kept.

    `answers_url` is where the table of every answer's points is: the client's own page or the
    counselor's, so it is part of the key (one report, one address for each).
    """
    key = (token_hash, answers_url)
    with _lock:
        if (found := _kept.get(key)) is not None:
            _kept.move_to_end(key)
            return found
    made = render(readable(load_report()), finished, answers_url)
    with _lock:
        _kept[key] = made
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return made


def _compact(html: str) -> Markup:
    """The HTML without its indentation: a line break renders as the same space, and the page of
    a long report is a tenth lighter. Done once per report, so it costs nothing per visit."""
    return Markup(INDENT.sub("\n", html))


def render(report: dict, finished: str, answers_url: str) -> ReportParts:
    band = report.get("band")
    if report["careless"]:
        label, tone = report["careless_headline"].lower(), "none"
    else:
        label, tone = (band["label"], band["tone"]) if band else ("not enough answers", "none")
    return ReportParts(
        band_label=label,
        tone=tone,
        careless=report["careless"],
        role_title=report["role"]["title"],
        summary=_compact(render_template("quiz/_report_summary.html", report=report)),
        sections=_compact(
            render_template("quiz/_report_sections.html", report=report, finished=finished, answers_url=answers_url)
        ),
    )
