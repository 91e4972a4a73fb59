"""Command-line tools: `check` the bank, `purge` old data, `stats` for tuning items."""

from __future__ import annotations

import os
from collections import Counter

import click
from flask import current_app
from flask.cli import with_appcontext

from . import db
from . import live_bank
from . import records
from .bank import DEFAULT_PATH
from .bank import Bank
from .bank import BankError
from .bank import load_bank
from .bank import shown_path
from .simulate import Model
from .simulate import format_simulation
from .simulate import simulate
from .stats import dimension_stats
from .stats import format_stats
from .stats import precision_from_results


def summary(bank: Bank, shown: str, warnings: list[str]) -> str:
    lines = [f"{shown}: OK (version {bank.version}, sha256 {bank.digest[:12]})", ""]
    lines.append(f"  {'dimension':<16}{'items':>6}{'reverse':>9}{'scenario':>10}  weight")
    for d in bank.dimensions:
        items = bank.items_of(d.id)
        reverse = sum(i.reverse for i in items)
        scenarios = sum(i.kind == "scenario" for i in items)
        weight = f"{d.weight:g}" if d.kind == "skill" else "own result"
        lines.append(f"  {d.id:<16}{len(items):>6}{reverse:>9}{scenarios:>10}  {weight}")
    scored = [i for i in bank.items if i.kind != "attention"]
    reverse = sum(i.reverse for i in scored)
    scenarios = sum(i.kind == "scenario" for i in scored)
    lines += [
        "",
        f"  {len(scored)} scored items ({reverse} reverse-keyed, {scenarios} scenarios), "
        f"{len(bank.items) - len(scored)} attention checks, {len(bank.profile)} profile questions",
        f"  {len(bank.pages)} pages, about {bank.estimated_minutes()} minutes",
        f"  {len(bank.flags)} flags, {len(bank.steps)} pathway steps, {len(bank.careers)} related careers",
        f"  {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" + (":" if warnings else ""),
        *warnings,
    ]
    return "\n".join(lines)


# A plugin command (see pyproject.toml), so it still runs when a broken bank stops the app loading.
@click.command("check")
@click.argument("path", required=False)
def check_command(path: str | None) -> None:
    """Check questions.yaml (or PATH) and print every problem with its line."""
    path = path or os.environ.get("FLASK_QUESTIONS_PATH") or str(DEFAULT_PATH)
    warnings: list[str] = []
    try:
        bank = load_bank(path, warnings)
    except BankError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(summary(bank, shown_path(path), warnings))


# Also a plugin command: an editor tries a draft bank without a running app or database.
@click.command("simulate")
@click.argument("path", required=False)
@click.option("--people", default=3000, show_default=True, help="simulated people who follow the model")
@click.option("--seed", default=1, show_default=True, help="the same seed gives the same people")
@click.option(
    "--careless",
    "careless_people",
    default=1000,
    show_default=True,
    help="random responders, straight-liners and agree-with-everything responders, each",
)
@click.option("--loading", default=Model.loading, show_default=True, help="scale points per SD of the trait")
@click.option(
    "--desirability",
    default=Model.desirability,
    show_default=True,
    help="how far statements lean toward their desirable pole, in scale points",
)
@click.option("--item-spread", default=Model.item_spread, show_default=True, help="SD of that lean across statements")
@click.option(
    "--person-lean",
    default=Model.person_lean,
    show_default=True,
    help="SD of each person's own pull toward the desirable answer",
)
@click.option("--acquiescence", default=Model.acquiescence, show_default=True, help="SD of a tendency to agree")
@click.option("--noise", default=Model.noise, show_default=True, help="SD of the rest of each answer")
@click.option(
    "--correlation", default=Model.correlation, show_default=True, help="between true levels on two dimensions"
)
@click.option(
    "--scenario-pull", default=Model.scenario_pull, show_default=True, help="trait's pull toward better options"
)
@click.option(
    "--obviousness",
    default=Model.obviousness,
    show_default=True,
    help="how much better options draw a person of average level",
)
@click.option("--lapse", default=Model.lapse, show_default=True, help="chance of missing one attention check")
def simulate_command(path, people, seed, careless_people, **model) -> None:
    """Score simulated people through the real report code: bands, retest, cautions, gaming."""
    path = path or os.environ.get("FLASK_QUESTIONS_PATH") or str(DEFAULT_PATH)
    try:
        bank = load_bank(path)
    except BankError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    chosen = Model(**model)
    result = simulate(bank, people, seed, chosen, careless_people)
    click.echo(format_simulation(bank, result, chosen, seed))


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
    bank = live_bank.of(current_app).current()
    results = records.finished_results(db.session(), group_code)
    current = [r for r in results if r.bank_digest == bank.digest]
    older = Counter(r.bank_version for r in results if r.bank_digest != bank.digest)
    scope = f"group {group_code}" if group_code else "all groups and individuals"
    click.echo(f"{len(current)} result(s) from quiz version {bank.version} ({scope}).")
    if older:
        listed = ", ".join(f"{version}: {count}" for version, count in sorted(older.items()))
        click.echo(f"Excluded {sum(older.values())} result(s) scored by other versions of the quiz ({listed}).")
    answer_sets = [r.answers for r in current]
    used = precision_from_results(bank, answer_sets)
    if used["source"] == "results":
        click.echo(f"Ranges in new reports use these results' alpha and SD ({used['results']} results).")
    else:
        click.echo(
            f"Ranges in new reports use the reliability and SD priors in the question bank: "
            f"{len(answer_sets)} of the {bank.precision.min_results} results needed so far."
        )
    click.echo("Item means and SDs are on a 0-1 scale; r_it is the corrected item-total correlation.\n")
    click.echo(format_stats(dimension_stats(bank, answer_sets)))


def init_app(app) -> None:
    app.cli.add_command(purge_command)
    app.cli.add_command(stats_command)
