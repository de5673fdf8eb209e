"""``glos tally FILE.pb``: count a pabulib election from the command line.

The composition root (``bot/cli.py``) calls :func:`register` on its Typer app. Errors print one translated-key
sentence (English, from ``counting.po``) and exit with code 2; a user never sees a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from bot.counting.pb import format_number, read_pb
from bot.counting.tally import RULES, tally
from bot.errors import PabulibError

__all__ = ["register"]

# The sentences for the errors this command can print. They mirror the ``pabulib.*`` entries of
# bot/locale/en/LC_MESSAGES/counting.po; the CLI does not depend on the i18n layer, which is wired elsewhere.
_SENTENCES = {
    "pabulib.unreadable": "Cannot read {path}: the file is missing or not UTF-8 text.",
    "pabulib.empty": "The file is empty: it has no META, PROJECTS or VOTES section.",
    "pabulib.outside_section": "Line {line}: data before the first section name (META, PROJECTS or VOTES).",
    "pabulib.bad_csv": "Line {line}: the CSV is broken ({detail}).",
    "pabulib.missing_section": "The {section} section is missing.",
    "pabulib.duplicate_section": "Line {line}: the {section} section appears a second time.",
    "pabulib.missing_column": "Line {line}: the {section} header lacks the column {column}.",
    "pabulib.field_count": "Line {line}: expected {expected} fields separated by ';', found {found}.",
    "pabulib.bad_number": "Line {line}: {column} must be a non-negative number, not {value!r}.",
    "pabulib.duplicate_project": "Line {line}: project {project} is listed twice.",
    "pabulib.duplicate_voter": "Line {line}: voter {voter} appears twice.",
    "pabulib.unknown_project": "Line {line}: the vote names project {project}, which is not in PROJECTS.",
    "pabulib.points_mismatch": "Line {line}: the vote lists {votes} projects but {points} points.",
    "pabulib.missing_meta": "META lacks the key {name}.",
    "pabulib.unsupported_rule": "The counting rule {rule!r} is not supported.",
    "pabulib.unsupported_vote_type": "The vote type {vote_type!r} is not supported.",
}


def _sentence(err: PabulibError) -> str:
    template = _SENTENCES.get(err.key)
    if template is None:
        return str(err)
    params = {k: ("?" if v is None else v) for k, v in err.params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return str(err)


def register(app: typer.Typer) -> None:
    """Add the ``tally`` command to ``app``."""

    @app.command("tally")
    def tally_command(
        file: Path = typer.Argument(..., help="A pabulib .pb file."),  # noqa: B008
        rule: str = typer.Option("auto", "--rule", help="auto | greedy | greedy-no-skip | mes | mes-add1"),
        output: str = typer.Option("text", "--format", help="text | json"),
    ) -> None:
        """Count a participatory-budget election in pabulib format and print the funded projects."""
        err_console = Console(stderr=True)
        if rule not in RULES:
            err_console.print(f"Unknown rule {rule!r}; use one of: {', '.join(RULES)}.", markup=False)
            raise typer.Exit(2)
        if output not in ("text", "json"):
            err_console.print(f"Unknown format {output!r}; use text or json.", markup=False)
            raise typer.Exit(2)
        try:
            election = read_pb(file)
            result = tally(election, rule)
        except PabulibError as err:
            err_console.print(_sentence(err), markup=False)
            raise typer.Exit(2) from None
        if output == "json":
            typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
            return
        names = {p.project_id: p.name for p in election.projects}
        costs = {p.project_id: p.cost for p in election.projects}
        title = election.meta.get("description", str(file))
        table = Table(title=f"{title} — {result.rule}")
        table.add_column("#", justify="right")
        table.add_column("project")
        table.add_column("name")
        table.add_column("cost", justify="right")
        table.add_column("support", justify="right")
        table.add_column("result")
        chosen = set(result.selected)
        order = list(result.selected) + sorted(
            (pid for pid in result.support if pid not in chosen), key=lambda pid: -result.support[pid]
        )
        for place, pid in enumerate(order, start=1):
            table.add_row(
                str(place),
                pid,
                names[pid][:50],
                format_number(costs[pid]),
                format_number(result.support[pid]),
                "selected" if pid in chosen else result.reasons.get(pid, ""),
            )
        console = Console(width=160)
        console.print(table)
        console.print(
            f"Budget {format_number(result.budget)}, spent {format_number(result.spent)}, "
            f"{len(result.selected)} projects selected.",
            markup=False,
        )
