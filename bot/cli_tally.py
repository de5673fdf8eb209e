"""``glos tally FILE.pb``: count a pabulib election from the command line.

The composition root (``bot/cli.py``) calls :func:`register` on its Typer app. Errors print one translated-key
sentence (English, from ``counting.po``) and exit with code 2; a user never sees a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer

from bot.cli_help import COMMANDS
from bot.counting.pb import format_number, read_pb
from bot.counting.tally import RULES, tally
from bot.errors import PabulibError
from bot.i18n import Translator, translator

__all__ = ["register"]


def _reason(t: Translator, reason: str | None) -> str:
    return t("counting.reason." + reason) if reason else ""


def _refuse(sentence: str) -> NoReturn:
    """Print one sentence on standard error and exit with status 2."""
    from rich.console import Console

    Console(stderr=True).print(sentence, markup=False)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add the ``tally`` command to ``app``."""

    @app.command("tally", help=COMMANDS["tally"])
    def tally_command(
        file: Path = typer.Argument(..., help="A pabulib .pb file."),  # noqa: B008
        rule: str = typer.Option("auto", "--rule", help="auto | greedy | greedy-no-skip | mes | mes-add1"),
        output: str = typer.Option("text", "--format", help="text | json"),
        lang: str = typer.Option("pl", "--lang", help="pl | en"),
    ) -> None:
        """Print the outcome of FILE under RULE (help text: ``COMMANDS["tally"]``)."""
        t = translator(lang)
        if output not in ("text", "json"):
            _refuse(t("tally.unknown_format", format=output))
        try:
            if rule not in RULES:
                raise PabulibError("pabulib.unsupported_rule", rule=rule)
            election = read_pb(file)
            result = tally(election, rule)
        except PabulibError as err:
            params = {name: ("?" if value is None else value) for name, value in err.params.items()}
            _refuse(t(err.key, **params))
        if output == "json":
            typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
            return
        # rich only for the table: JSON output starts without importing it.
        from rich.console import Console
        from rich.table import Table

        names = {p.project_id: p.name for p in election.projects}
        costs = {p.project_id: p.cost for p in election.projects}
        title = election.meta.get("description", str(file))
        table = Table(title=f"{title} — {result.rule}")
        table.add_column("#", justify="right")
        table.add_column(t("tally.col.project"))
        table.add_column(t("tally.col.name"))
        table.add_column(t("tally.col.cost"), justify="right")
        table.add_column(t("tally.col.support"), justify="right")
        table.add_column(t("tally.col.result"))
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
                t("tally.selected") if pid in chosen else _reason(t, result.reasons.get(pid)),
            )
        console = Console(width=160)
        console.print(table)
        console.print(
            t(
                "tally.summary",
                budget=format_number(result.budget),
                spent=format_number(result.spent),
                count=len(result.selected),
            ),
            markup=False,
        )
