"""The ``glos`` command line before Typer sees it: ``--config`` may stand anywhere (shared by ``bot.cli`` and the
light entry point ``bot.cli_entry``, which must not import ``bot.cli`` to find it)."""

from __future__ import annotations

__all__ = ["config_first"]


def config_first(args: list[str]) -> list[str]:
    """``args`` with every ``--config PATH`` / ``--config=PATH`` / ``-c PATH`` moved to the front (the root
    command's option), the rest in order. Everything after ``--`` is left alone."""
    moved: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        if arg in ("--config", "-c") and index + 1 < len(args):
            moved.extend(args[index : index + 2])
            index += 2
            continue
        if arg.startswith("--config="):
            moved.append(arg)
        else:
            rest.append(arg)
        index += 1
    return moved + rest
