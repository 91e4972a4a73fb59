"""The CSV a counselor downloads, made to be opened in a spreadsheet and read. No Flask.

It starts with a byte-order mark: Excel on Windows reads a CSV without one in the local code
page, so every accent and dash turns to mojibake. Then the group's summary (results by band,
each score's mean and range), one blank row, and a row per result, its headings in words (the
score's name, each statement's text) and each answer as the label the client chose. Every cell
a spreadsheet would run as a formula is defused (cell()).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator

from .bank import Bank
from .group_results import Column
from .group_results import Result
from .group_results import band_counts
from .group_results import score_summary
from .scoring import round_half_up

BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (=HYPERLINK(...) in a client's name would be a live link); a leading ' keeps it text.
CSV_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")
HEADING_LENGTH = 60  # a statement's heading: about a screen column's worth of its text


def cell(value) -> str:
    text = "; ".join(value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_UNSAFE_START) else text


def short_text(text: str, limit: int = HEADING_LENGTH) -> str:
    """The text cut at the last word that ends within `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut.rstrip(" ,;:.-\u2013\u2014") + "\u2026"


def question_heading(question) -> str:
    kind = getattr(question, "kind", None)
    mark = " (reverse-keyed)" if getattr(question, "reverse", False) else ""
    mark += " (attention check)" if kind == "attention" else ""
    return short_text(question.text) + mark


def answer_label(bank: Bank | None, question_id: str, value) -> str | list[str] | None:
    """The answer as the client saw it: "Agree", the situation's option, "Less than high school".

    A value the bank does not know (a question of another version) is given as it was stored.
    """
    question = bank.questions.get(question_id) if bank is not None else None
    if bank is None or question is None or value is None:
        return value
    if getattr(question, "kind", None) in ("likert", "attention"):
        labels = {str(number): label for number, label in enumerate(bank.scale, start=1)}
    else:
        labels = {option.key: option.text for option in question.options}
    if isinstance(value, list):
        return [labels.get(v, str(v)) for v in value]
    return labels.get(value, str(value))


def question_columns(bank: Bank, results: list[Result], bank_of: Callable[[Result], Bank | None]) -> list[tuple]:
    """(question id, heading) in the order the quiz asks them, then questions only older versions
    asked, headed from their own version. Headings are unique, so any CSV reader can key by them."""
    ids = [qid for page in bank.pages for qid in page.questions]
    headings = {qid: question_heading(bank.questions[qid]) for qid in ids}
    for result in results:
        for qid in result.attempt.answers:
            if qid not in headings:
                own = bank_of(result)
                headings[qid] = question_heading(own.questions[qid]) if own and qid in own.questions else qid
                ids.append(qid)
    seen: dict[str, int] = {}
    unique = []
    for qid in ids:
        heading = headings[qid]
        seen[heading] = seen.get(heading, 0) + 1
        unique.append((qid, heading if seen[heading] == 1 else f"{heading} [{seen[heading]}]"))
    return unique


def summary_rows(group_name: str, bank: Bank, results: list[Result], scores: list[Column]) -> list[list]:
    # "Group" first, never "ID": Excel takes a file that starts with ID for another format (SYLK).
    rows: list[list] = [["Group", group_name], ["Finished results", len(results)], ["Band", "Results"]]
    rows += [[label, count] for label, count in band_counts(bank, results)]
    rows.append(["Score", "Results", "Mean", "Lowest", "Highest"])
    for s in score_summary(scores, results):
        # To one decimal, rounded half up as every score is.
        mean = round_half_up(10 * s.mean) / 10 if s.mean is not None else None
        rows.append([s.label, s.results, mean, s.low, s.high])
    return rows


def result_rows(
    results: list[Result], scores: list[Column], questions: list[tuple], bank_of: Callable[[Result], Bank | None]
) -> Iterator[list]:
    yield [
        "Finished",
        "Name or initials",
        "Band",
        "Quiz version",
        *[f"Score: {column.label}" for column in scores],
        *[heading for _, heading in questions],
    ]
    for result in results:
        attempt, own = result.attempt, bank_of(result)
        yield [
            attempt.finished_at.date().isoformat(),
            attempt.client_name,
            result.band,
            attempt.bank_version,
            *[column.value(result) for column in scores],
            *[answer_label(own, qid, attempt.answers.get(qid)) for qid, _ in questions],
        ]


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """The rows as CSV text, a line at a time (a large group is streamed), after the byte-order mark."""
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
