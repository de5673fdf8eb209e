"""The ``glos`` program: runs a subcommand importing only what that subcommand uses.

``bot.cli`` wires the whole application (services, channels, the web app, the scheduler): importing it takes most
of a second, which ``glos tally FILE.pb`` — a pure count of a file — and ``glos --help`` never need. ``main``
looks at the command line first: ``tally`` runs from :mod:`bot.cli_tally` alone, the top-level help is drawn
from :data:`COMMANDS` (the same text as ``bot.cli``'s, which ``tests/core/test_core_cli_entry.py`` checks),
and everything else goes to ``bot.cli`` as before.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_args import config_first

__all__ = ["COMMANDS", "main"]

HELP = "Głos: participation bot for municipalities and NGOs."

COMMANDS: dict[str, str] = {
    "tally": "Count a participatory-budget election in pabulib format and print the funded projects.",
    "chat": "Talk to the bot in the terminal, as a resident or as a moderator (console:moderator by default).",
    "run": (
        "The main job: migrate the store, load the examples, start the scheduler, the web page and Telegram (the\n"
        "emulator and the playground without a token), and talk to the bot in the console. With standard input "
        "closed or\nnot a terminal (nohup, systemd, a container, `glos run </dev/null &`) it runs without the "
        "console until SIGTERM\nor SIGINT, then stops cleanly."
    ),
    "serve": (
        "The bot as a service, without the console: \\[web] workers processes on \\[web] host:port serving the "
        "web\npages and the Telegram webhook; one of them (the leader) runs the scheduler, e-mail and the outbox. "
        "Stops on\nSIGTERM / Ctrl-C. See docs/DEPLOY.md."
    ),
    "web": "Serve the public results pages, the consultation reports and the JSON API on \\[web] host:port.",
    "db": "The database.",
    "process": "Processes: import, import-document, open, close, publish, results, export.",
    "verification": "Verified residents: the city's register and the committee's report.",
    "scheduler": "The scheduler: phases, reminders, summaries, digests.",
    "person": "People: erasure on request.",
    "mail": "The e-mail channel: invitations, intake, sending.",
    "audit": "The append-only audit log.",
}
"""Top-level subcommands and their help, exactly as ``bot.cli`` declares them and in its order (a test renders
both helps and compares them: after changing a command's docstring there, copy it here)."""

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
