"""The ``glos`` program: runs a subcommand importing only what that subcommand uses.

``bot.cli`` wires the whole application (services, channels, the web app, the scheduler): importing it takes most
of a second, which ``glos tally FILE.pb`` — a pure count of a file — and ``glos --help`` never need. ``main``
looks at the command line first: ``tally`` runs from :mod:`bot.cli_tally` alone (a well-formed command line without
even Typer), the top-level help is drawn from :data:`bot.cli_help.COMMANDS` (whose text ``bot.cli`` also uses) by
:mod:`bot.cli_light`, and everything else goes to ``bot.cli``.
"""

from __future__ import annotations

import gc
import os
import sys

from bot.cli_args import config_first

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


def main(argv: list[str] | None = None) -> None:
    """Run ``glos`` with ``argv`` (default: the process's arguments)."""
    args = config_first(list(sys.argv[1:] if argv is None else argv))
    name = _subcommand(args)
    if name == "tally":
        # A count of one file in a short-lived process makes a few hundred thousand objects and no cycles:
        # the cyclic garbage collector would only add its passes (a fifth of the run on Warsaw 2026).
        gc.disable()
        # One count runs on one thread: OpenBLAS would start a thread per core at numpy's import and spin them,
        # a third more CPU for nothing (0.43 → 0.31 s on Warsaw 2026). An explicit setting is kept.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        from bot import cli_tally

        plain = cli_tally.plain_arguments(args)
        if plain is not None:  # the usual command line: counted without loading Typer
            cli_tally.run(**plain)
            return
        from bot.cli_light import tally_app

        tally_app()(args=args, prog_name="glos")
    elif name is None and not any(arg.endswith("-completion") for arg in args):
        from bot.cli_light import help_app

        help_app()(args=args, prog_name="glos")
    else:
        from bot.cli import main as whole

        whole(args)
