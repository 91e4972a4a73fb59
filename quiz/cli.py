"""`flask --app quiz check [PATH]`: validate questions.yaml and summarise it."""
from __future__ import annotations

import os

import click

from .bank import Bank
from .bank import DEFAULT_PATH
from .bank import BankError
from .bank import load_bank
from .bank import shown_path


def summary(bank: Bank, shown_path: str) -> str:
    lines = [f"{shown_path}: OK (version {bank.version}, sha256 {bank.digest[:12]})", ""]
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
