"""The small Typer apps of :mod:`bot.cli_entry`: ``glos --help`` and ``glos tally`` without the application.

Typer (with click and, through its adapters, pydantic) takes about a tenth of a second to import and run, so
:mod:`bot.cli_entry` loads this module only for a command line its plain parse does not take (help, a root
option, a malformed ``tally``): errors and help then read exactly as the whole application's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli_help import COMMANDS, HELP

__all__ = ["help_app", "tally_app"]


def _root_options(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (TOML).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    """The root command's options, as ``bot.cli`` declares them (a subcommand here needs neither)."""
    if verbose:
        from bot import logs

        logs.configure(verbose)


def tally_app() -> typer.Typer:
    """``glos tally`` with Typer's parsing, help and usage errors."""
    from bot import cli_tally

    app = typer.Typer(help=HELP, no_args_is_help=True)
    app.callback()(_root_options)
    cli_tally.register(app)
    return app


def help_app() -> typer.Typer:
    """``glos`` with every subcommand listed and none wired: only its help is ever shown."""
    app = typer.Typer(help=HELP, no_args_is_help=True)
    app.callback()(_root_options)
    for name, text in COMMANDS.items():
        app.command(name, help=text)(lambda: None)
    return app
