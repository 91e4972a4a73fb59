"""The dashboard's results table sorts by any column without script, and the CSV opens in a
spreadsheet as a readable report: a byte-order mark, a group summary, headings in words, answers
as their labels, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import codecs
import csv
import io
import re
import statistics
from html import unescape

import pytest
from conftest import MINI_PATH
from conftest import page_answers
from sqlalchemy import select
from test_counselor import create_group
from test_counselor import join_and_finish

from quiz import db
from quiz import live_bank
from quiz.export import short_text
from quiz.models import Attempt
from quiz.old_reports import readable


def pattern(level: int, option: int):
    """Answers of one shape: every statement `level` toward agreeing (6 - `level` on reverse-keyed
    ones, so the answers hang together), option `option` everywhere else."""

    def answers_for(bank, step):
        out = {}
        for qid in bank.pages[step - 1].questions:
            question = bank.questions[qid]
            kind = getattr(question, "kind", None)
            if kind == "likert":
                out[qid] = str(6 - level if question.reverse else level)
            elif kind == "attention":
                out[qid] = str(question.expect)
            else:
                key = question.options[option % len(question.options)].key
                out[qid] = [key] if getattr(question, "multiple", False) else key
        return out

    return answers_for


# Name, answers: different bands and scores, two of them alike (a tie), one with no name.
CLIENTS = [
    ("Tie A", page_answers),
    ("bo", pattern(2, 1)),
    ("", pattern(4, 2)),
    ("Ana", pattern(5, 0)),
    ("Tie B", page_answers),
    ("Cy", pattern(3, 1)),
]


@pytest.fixture
def group(app, client, bank):
    """A group with CLIENTS' results, finished in that order; its code."""
    code, _ = create_group(client)
    for name, answers in CLIENTS:
        join_and_finish(app, bank, code, name, answers_for=answers)
    return code


def stored(app) -> list[tuple[Attempt, dict]]:
    """The group's results as stored, in the order they finished: (attempt, report)."""
    with app.app_context():
        attempts = db.session().scalars(select(Attempt).where(Attempt.finished_at.is_not(None))).all()
        return sorted(((a, readable(a.report)) for a in attempts), key=lambda r: (r[0].finished_at, r[0].id))


def score(report: dict, dimension_id: str):
    return next((d["score"] for d in report["dimensions"] if d["id"] == dimension_id), None)


def sort_values(bank) -> dict:
    """What each ?sort= key orders by, worked out here from a stored result; None sorts last."""
    rank = {b.label: b.min for b in bank.bands}
    values = {
        "name": lambda a, r: (a.client_name or "").casefold() or None,
        "finished": lambda a, r: a.finished_at,
        "band": lambda a, r: None if r["careless"] or not r["band"] else rank.get(r["band"]["label"]),
        "skills": lambda a, r: r["skills"]["score"],
    }
    for d in bank.dimensions:
        values[f"score_{d.id}"] = lambda a, r, key=d.id: score(r, key)
    return values


def table(html: str) -> tuple[list[dict], list[int]]:
    """The results table: its headings (text, aria-sort, link) and the result id of each row."""
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    headings = []
    for attrs, inner in re.findall(r"<th scope=\"col\"([^>]*)>(.*?)</th>", head, re.S):
        link = re.search(r'href="([^"]+)"', inner)
        text = " ".join(re.sub(r"<[^>]+>", "", inner).split())
        aria = re.search(r'aria-sort="(\w+)"', attrs)
        headings.append(
            {"text": text, "aria": aria and aria.group(1), "href": link and unescape(link.group(1)), "inner": inner}
        )
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    ids = [int(i) for i in re.findall(r"<tr>.*?/results/(\d+)\"", body, re.S)]
    return headings, ids


def test_every_column_sorts_both_ways_stably_with_missing_values_last(app, client, bank, group):
    results = stored(app)
    for key, value in sort_values(bank).items():
        present = {value(a, r) for a, r in results} - {None}
        assert len(present) > 1, f"{key}: the results do not differ, so sorting proves nothing"
        for direction in ("asc", "desc"):
            html = client.get(f"/dashboard/{group}?sort={key}&dir={direction}").get_data(as_text=True)
            have = [(a, r) for a, r in results if value(a, r) is not None]
            expected = sorted(have, key=lambda row: value(*row), reverse=direction == "desc")
            expected += [(a, r) for a, r in results if value(a, r) is None]
            headings, ids = table(html)
            assert ids == [a.id for a, _ in expected], (key, direction)
            sorted_headings = [h for h in headings if h["aria"]]
            assert [h["aria"] for h in sorted_headings] == ["ascending" if direction == "asc" else "descending"]
            other = "desc" if direction == "asc" else "asc"
            assert f"sort={key}&dir={other}" in sorted_headings[0]["href"], (key, sorted_headings)


def test_ties_keep_the_order_they_finished_in_either_way(client, group):
    for direction in ("asc", "desc"):
        html = unescape(client.get(f"/dashboard/{group}?sort=skills&dir={direction}").get_data(as_text=True))
        names = re.findall(r'<th scope="row">([^<]*)</th>', html)
        assert names.index("Tie A") + 1 == names.index("Tie B"), (direction, names)


@pytest.mark.parametrize(
    "query",
    ["", "?sort=bogus", "?sort=__class__&dir=asc", "?sort=score_nothing", "?dir=desc", "?sort=&dir=", "?sort=%00"],
)
def test_unknown_sort_parameters_keep_the_finished_order(app, client, group, query):
    response = client.get(f"/dashboard/{group}{query}")
    assert response.status_code == 200
    headings, ids = table(response.get_data(as_text=True))
    assert ids == [a.id for a, _ in stored(app)]
    assert [(h["text"].rstrip("\u25b2\u25bc"), h["aria"]) for h in headings if h["aria"]] == [("Finished", "ascending")]


def test_an_unknown_direction_falls_back_to_the_columns_first_one(app, client, bank, group):
    by_name = table(client.get(f"/dashboard/{group}?sort=name&dir=sideways").get_data(as_text=True))
    assert [h["aria"] for h in by_name[0] if h["aria"]] == ["ascending"]  # names A to Z first
    by_skills = table(client.get(f"/dashboard/{group}?sort=skills&dir=up").get_data(as_text=True))
    assert [h["aria"] for h in by_skills[0] if h["aria"]] == ["descending"]  # scores highest first


def test_score_headings_are_short_with_the_full_name_in_abbr_title(client, bank, group):
    headings, _ = table(client.get(f"/dashboard/{group}").get_data(as_text=True))
    for d in bank.dimensions:
        [heading] = [h for h in headings if f"sort=score_{d.id}&" in (h["href"] or "")]
        assert f'<abbr title="{d.label}">{d.short_label}</abbr>' in heading["inner"]
        assert len(heading["text"]) <= 16


# --- the CSV ----------------------------------------------------------------------------------


def read_export(response) -> tuple[list[list[str]], list[str], list[dict]]:
    """The export as a spreadsheet reads it: (summary rows, headings, one dict per result)."""
    data = response.get_data()
    assert data.startswith(codecs.BOM_UTF8), "no byte-order mark: Excel on Windows shows mojibake"
    rows = list(csv.reader(io.StringIO(data[len(codecs.BOM_UTF8) :].decode("utf-8"), newline="")))
    blank = rows.index([])  # the one blank row between the summary and the results
    headings = rows[blank + 1]
    assert all(len(row) == len(headings) for row in rows[blank + 2 :]), "ragged result rows"
    return rows[:blank], headings, [dict(zip(headings, row, strict=True)) for row in rows[blank + 2 :]]


def test_the_export_starts_with_a_bom_and_reads_as_one_summary_then_one_table(client, group):
    response = client.get(f"/dashboard/{group}/results.csv")
    assert response.mimetype == "text/csv" and response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="results-{group}.csv"'
    summary, headings, results = read_export(response)
    assert summary[0] == ["Group", "Spring cohort, Northside Adult Ed"]  # never "ID" first (SYLK to Excel)
    assert [] not in summary and len(results) == len(CLIENTS) and len(set(headings)) == len(headings)
    assert response.get_data().count(b"\r\n\r\n") == 1  # one blank line, with the line ends Excel expects


def test_headings_are_words_not_machine_ids(client, bank, group):
    _, headings, _ = read_export(client.get(f"/dashboard/{group}/results.csv"))
    assert headings[:4] == ["Finished", "Name or initials", "Band", "Quiz version"]
    assert "Score: Skills overall" in headings
    for d in bank.dimensions:
        assert f"Score: {d.label}" in headings
    for heading in headings:
        assert not re.search(r"answer_|score_|^q_|_", heading), heading
        assert heading not in bank.questions
    for question in bank.questions.values():
        [heading] = [h for h in headings if question_heading_matches(h, question)]
        assert heading.endswith(" (reverse-keyed)") == bool(getattr(question, "reverse", False)), heading
        assert heading.endswith(" (attention check)") == (getattr(question, "kind", None) == "attention"), heading


def question_heading_matches(heading: str, question) -> bool:
    text = re.sub(r" \((reverse-keyed|attention check)\)$", "", heading)
    return len(text) <= 61 and question.text.startswith(text.removesuffix("\u2026"))


def expected_label(bank, question, value) -> str:
    if isinstance(value, list):
        return "; ".join(expected_label(bank, question, v) for v in value)
    if getattr(question, "kind", None) in ("likert", "attention"):
        return bank.scale[int(value) - 1]
    return next(option.text for option in question.options if option.key == value)


def test_answers_and_scores_are_what_was_stored_answers_as_labels(app, client, bank, group):
    _, headings, results = read_export(client.get(f"/dashboard/{group}/results.csv"))
    columns = {qid: next(h for h in headings if question_heading_matches(h, q)) for qid, q in bank.questions.items()}
    keys = {option.key for q in bank.questions.values() for option in getattr(q, "options", [])}
    for (attempt, report), row in zip(stored(app), results, strict=True):
        assert row["Name or initials"] == (attempt.client_name or "")
        assert row["Finished"] == attempt.finished_at.date().isoformat()
        band = report["careless_headline"] if report["careless"] else report["band"]["label"]
        assert row["Band"] == band and row["Score: Skills overall"] == str(report["skills"]["score"])
        for d in report["dimensions"]:
            assert row[f"Score: {d['label']}"] == ("" if d["score"] is None else str(d["score"]))
        for qid, value in attempt.answers.items():
            assert row[columns[qid]] == expected_label(bank, bank.questions[qid], value), qid
            assert row[columns[qid]] not in keys - {"none"}, qid  # a label, never a stored code
    assert any(row[columns["education"]] == "Less than high school" for row in results)


def test_the_summary_counts_bands_and_gives_each_scores_mean_and_range(app, client, bank, group):
    summary, _, _ = read_export(client.get(f"/dashboard/{group}/results.csv"))
    by_label = {row[0]: row[1:] for row in summary}
    results = stored(app)
    assert by_label["Finished results"] == [str(len(results))]
    careless = sum(r["careless"] for _, r in results)
    assert by_label[f"{bank.quality.headline} (no band)"] == [str(careless)]
    for band in bank.bands:
        count = sum(1 for _, r in results if not r["careless"] and r["band"] and r["band"]["label"] == band.label)
        assert by_label[band.label] == [str(count)], band.label
    assert summary.index(["Band", "Results"]) < summary.index(["Score", "Results", "Mean", "Lowest", "Highest"])
    scores = {"Skills overall": [r["skills"]["score"] for _, r in results]}
    for d in bank.dimensions:
        scores[d.label] = [score(r, d.id) for _, r in results]
    for label, values in scores.items():
        values = [v for v in values if v is not None]
        count, mean, low, high = by_label[label]
        assert (int(count), int(low), int(high)) == (len(values), min(values), max(values)), label
        assert abs(float(mean) - statistics.fmean(values)) <= 0.05, label


def test_cells_a_spreadsheet_would_run_stay_text(app, client, bank):
    code, _ = create_group(client, name="+Group SUM(1)")
    for name in ["=HYPERLINK(1)", "@SUM(1)", "-2+3", "Plain"]:
        join_and_finish(app, bank, code, name)
    summary, _, results = read_export(client.get(f"/dashboard/{code}/results.csv"))
    assert summary[0] == ["Group", "'+Group SUM(1)"]
    assert [row["Name or initials"] for row in results] == ["'=HYPERLINK(1)", "'@SUM(1)", "'-2+3", "Plain"]


def test_an_empty_group_exports_its_summary_and_the_headings(client, bank):
    code, _ = create_group(client)
    summary, headings, results = read_export(client.get(f"/dashboard/{code}/results.csv"))
    by_label = {row[0]: row[1:] for row in summary}
    assert by_label["Finished results"] == ["0"] and by_label["Skills overall"] == ["0", "", "", ""]
    assert all(by_label[band.label] == ["0"] for band in bank.bands)
    assert headings[:4] == ["Finished", "Name or initials", "Band", "Quiz version"] and results == []


def test_a_question_only_an_older_version_asked_is_headed_and_labelled_from_that_version(
    make_app, client, app, bank, tmp_path
):
    older = MINI_PATH.read_text().replace(
        "profile:\n",
        "profile:\n  - id: commute\n    text: How would you get to work?\n    short: getting to work\n"
        "    source: test\n    options:\n      - {key: bus, text: By bus}\n      - {key: car, text: By car}\n",
        1,
    )
    older = older.replace("questions: [education,", "questions: [commute, education,", 1)
    older = re.sub(r"^version: .*$", 'version: "older"', older, count=1, flags=re.M)
    (tmp_path / "older.yaml").write_text(older)
    code, _ = create_group(client)
    old_app = make_app(QUESTIONS_PATH=str(tmp_path / "older.yaml"))
    old_bank = live_bank.of(old_app).current()
    assert old_bank.version == "older" and "commute" in old_bank.questions

    join_and_finish(old_app, old_bank, code, "Old")  # the first option of each question: "By bus"
    join_and_finish(app, bank, code, "New")
    _, headings, results = read_export(client.get(f"/dashboard/{code}/results.csv"))
    assert headings[-1] == "How would you get to work?"
    assert [(r["Name or initials"], r["How would you get to work?"], r["Quiz version"]) for r in results] == [
        ("Old", "By bus", "older"),
        ("New", "", bank.version),
    ]


def test_short_text_cuts_at_a_word_within_the_limit_with_an_ellipsis():
    text = "When a patient calls for the third time about the same bill, I stay calm and explain it again."
    short = short_text(text)
    assert short.endswith("\u2026") and len(short) <= 61 and text.startswith(short[:-1])
    assert text[len(short) - 1] == " " or text[len(short) - 1] in ",;:"  # ends at a word's end
    assert short_text("Short enough.") == "Short enough."
    assert short_text("x" * 80) == "x" * 60 + "\u2026"  # one long word is cut where it must be
