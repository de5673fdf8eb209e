"""``glos tally FILE.pb``: count a pabulib election from the command line.

The composition root (``bot/cli.py``) calls :func:`register` on its Typer app; ``bot.cli_entry`` runs the usual
command line (:func:`plain_arguments`) through :func:`run` without Typer, which with click and pydantic would be a
fifth of a count's time. Errors print one translated sentence and exit with code 2; a user never sees a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from bot.cli_help import COMMANDS
from bot.counting.pb import format_number, read_pb
from bot.counting.tally import RULES, tally
from bot.errors import PabulibError

if TYPE_CHECKING:
    import typer

    from bot.i18n import Translator

__all__ = ["OPTIONS", "plain_arguments", "register", "run"]

OPTIONS = {"--rule": "rule", "--format": "output", "--lang": "lang"}
"""The options of ``glos tally`` and the parameter of :func:`run` each sets (all take a value)."""


def _reason(t: Translator, reason: str | None) -> str:
    return t("counting.reason." + reason) if reason else ""


def _refuse(sentence: str) -> NoReturn:
    """Print one sentence on standard error and exit with status 2."""
    from rich.console import Console

    Console(stderr=True).print(sentence, markup=False)
    raise SystemExit(2)


def _translator(lang: str) -> Translator:
    from bot.i18n import translator  # Babel and the catalogues: only for text output and errors

    return translator(lang)


def plain_arguments(args: list[str]) -> dict[str, str] | None:
    """The parameters of :func:`run` for ``tally FILE`` followed by :data:`OPTIONS` with their values (``--rule mes``
    or ``--rule=mes``), else None: help, a root option, an unknown option or a missing value are Typer's to parse
    and to explain."""
    if not args or args[0] != "tally":
        return None
    found: dict[str, str] = {}
    rest = iter(args[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name in OPTIONS:
            if not equals:
                value = next(rest, "")
                if not value or value.startswith("-"):
                    return None
            found[OPTIONS[name]] = value
        elif arg.startswith("-") or "file" in found:
            return None
        else:
            found["file"] = arg
    return found if "file" in found else None


def run(file: str | Path, rule: str = "auto", output: str = "text", lang: str = "pl") -> None:
    """Count the pabulib ``file`` under ``rule`` and print it as ``output`` (``text``: a table in ``lang``;
    ``json``); an unreadable or invalid file, an unknown rule or format: one sentence, exit status 2."""
    if output not in ("text", "json"):
        _refuse(_translator(lang)("tally.unknown_format", format=output))
    try:
        if rule not in RULES:
            raise PabulibError("pabulib.unsupported_rule", rule=rule)
        election = read_pb(file)
        result = tally(election, rule)
    except PabulibError as err:
        params = {name: ("?" if value is None else value) for name, value in err.params.items()}
        _refuse(_translator(lang)(err.key, **params))
    if output == "json":
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    # rich only for the table: JSON output starts without importing it.
    from rich.console import Console
    from rich.table import Table

    t = _translator(lang)
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


def register(app: typer.Typer) -> None:
    """Add the ``tally`` command to ``app``."""
    import typer

    @app.command("tally", help=COMMANDS["tally"])
    def tally_command(
        file: Path = typer.Argument(..., help="A pabulib .pb file."),  # noqa: B008
        rule: str = typer.Option("auto", "--rule", help="auto | greedy | greedy-no-skip | mes | mes-add1"),
        output: str = typer.Option("text", "--format", help="text | json"),
        lang: str = typer.Option("pl", "--lang", help="pl | en"),
    ) -> None:
        """Print the outcome of FILE under RULE (help text: ``COMMANDS["tally"]``)."""
        run(file, rule, output, lang)
