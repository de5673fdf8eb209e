"""The ``glos`` program: runs a subcommand importing only what that subcommand uses.

``bot.cli`` wires the whole application (services, channels, the web app, the scheduler): importing it takes most
of a second, which ``glos tally FILE.pb`` — a pure count of a file — and ``glos --help`` never need. ``main``
looks at the command line first: ``tally`` runs from :mod:`bot.cli_tally` alone, the top-level help is drawn
from :data:`bot.cli_help.COMMANDS` (whose text ``bot.cli`` also uses), and everything else goes to ``bot.cli``.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_args import config_first
from bot.cli_help import COMMANDS, HELP

__all__ = ["main"]

# Options of the root command that take a value (all others are flags).
_VALUED = ("--config", "-c")


def _subcommand(args: list[str]) -> str | None:
    """The first argument that is not a root option (or its value), i.e. the subcommand's name, else None."""
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in _VALUED:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return arg
    return None


def _root_options(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Configuration file (TOML).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    """The root command's options, as ``bot.cli`` declares them (a subcommand here needs neither)."""
    if verbose:
        from bot import logs

        logs.configure(verbose)


def _tally_app() -> typer.Typer:
    from bot import cli_tally

    app = typer.Typer(help=HELP, no_args_is_help=True)
    app.callback()(_root_options)
    cli_tally.register(app)
    return app


def _help_app() -> typer.Typer:
    app = typer.Typer(help=HELP, no_args_is_help=True)
    app.callback()(_root_options)
    for name, text in COMMANDS.items():
        app.command(name, help=text)(lambda: None)
    return app


def main(argv: list[str] | None = None) -> None:
    """Run ``glos`` with ``argv`` (default: the process's arguments)."""
    args = config_first(list(sys.argv[1:] if argv is None else argv))
    name = _subcommand(args)
    if name == "tally":
        # A count of one file in a short-lived process makes a few hundred thousand objects and no cycles:
        # the cyclic garbage collector would only add its passes (a fifth of the run on Warsaw 2026).
        gc.disable()
        _tally_app()(args=args, prog_name="glos")
    elif name is None and not any(arg.endswith("-completion") for arg in args):
        _help_app()(args=args, prog_name="glos")
    else:
        from bot.cli import main as whole

        whole(args)
