"""Command-line tools: `check` the bank, `purge` old data, `stats` for tuning items."""
from __future__ import annotations

import os
from collections import Counter

import click
from flask import current_app
from flask.cli import with_appcontext

from . import db
from . import records
from .bank import DEFAULT_PATH
from .bank import Bank
from .bank import BankError
from .bank import load_bank
from .bank import shown_path
from .stats import dimension_stats
from .stats import format_stats


def summary(bank: Bank, shown: str) -> str:
    lines = [f"{shown}: OK (version {bank.version}, sha256 {bank.digest[:12]})", ""]
    lines.append(f"  {'dimension':<16}{'items':>6}{'reverse':>9}{'scenario':>10}  weight")
    for d in bank.dimensions:
        items = bank.items_of(d.id)
        reverse = sum(i.reverse for i in items)
        scenarios = sum(i.kind == "scenario" for i in items)
        lines.append(f"  {d.id:<16}{len(items):>6}{reverse:>9}{scenarios:>10}  {d.weight:g}")
    reverse = sum(i.reverse for i in bank.items)
    scenarios = sum(i.kind == "scenario" for i in bank.items)
    lines += [
        "",
        f"  {len(bank.items)} scored items ({reverse} reverse-keyed, {scenarios} scenarios), "
        f"{len(bank.profile)} profile questions",
        f"  {len(bank.pages)} pages, about {bank.estimated_minutes()} minutes",
        f"  {len(bank.flags)} flags, {len(bank.steps)} pathway steps, {len(bank.careers)} related careers",
    ]
    return "\n".join(lines)


# A plugin command (see pyproject.toml), so it still runs when a broken bank stops the app loading.
@click.command("check")
@click.argument("path", required=False)
def check_command(path: str | None) -> None:
    """Check questions.yaml (or PATH) and print every problem with its line."""
    path = path or os.environ.get("FLASK_QUESTIONS_PATH") or str(DEFAULT_PATH)
    try:
        bank = load_bank(path)
    except BankError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(summary(bank, shown_path(path)))


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete unfinished attempts and ungrouped results past their retention period."""
    config = current_app.config
    with db.writing(erase=True) as write:
        stale, expired = records.purge(write, config["RETENTION_UNFINISHED_DAYS"], config["RETENTION_RESULT_DAYS"])
    click.echo(
        f"deleted {stale} unfinished attempt(s) older than {config['RETENTION_UNFINISHED_DAYS']} days and "
        f"{expired} result(s) outside any group older than {config['RETENTION_RESULT_DAYS']} days"
    )


@click.command("stats")
@click.option("--group", "group_code", help="only the results of this group (its client code)")
@with_appcontext
def stats_command(group_code: str | None) -> None:
    """Per dimension: n, mean, SD, Cronbach's alpha; per item: mean, SD, corrected item-total r."""
    bank = current_app.extensions["quiz_banks"].current()
    results = records.finished_results(db.session(), group_code)
    current = [r for r in results if r.bank_digest == bank.digest]
    older = Counter(r.bank_version for r in results if r.bank_digest != bank.digest)
    scope = f"group {group_code}" if group_code else "all groups and individuals"
    click.echo(f"{len(current)} result(s) from quiz version {bank.version} ({scope}).")
    if older:
        listed = ", ".join(f"{version}: {count}" for version, count in sorted(older.items()))
        click.echo(f"Excluded {sum(older.values())} result(s) scored by other versions of the quiz ({listed}).")
    click.echo("Item means and SDs are on a 0-1 scale; r_it is the corrected item-total correlation.\n")
    click.echo(format_stats(dimension_stats(bank, [r.answers for r in current])))


def init_app(app) -> None:
    app.cli.add_command(purge_command)
    app.cli.add_command(stats_command)
