"""Command names as the reader knows them: a button or a hint in English or Ukrainian names ``/vote``, not
``/glosuj`` (the command table decides: the Polish name in Polish, the first English alias otherwise).

The table registers itself here when it is built (:func:`use`, called by :mod:`bot.commands.registry`), so the
command modules that word hints need not import the registry that imports them (no import cycle)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.commands.table import CommandTable

__all__ = ["command_in", "use"]

_TABLE: list[CommandTable] = []


def use(table: CommandTable) -> None:
    """Name commands after ``table`` from now on (the registry's table, set once when it is built)."""
    _TABLE[:] = [table]


def command_in(name: str, language: str) -> str:
    """``/glosuj`` in Polish, ``/vote`` in English and Ukrainian, for the command whose Polish name is ``name``."""
    command = _TABLE[0].find(name) if _TABLE else None
    return "/" + (command.name_in(language) if command is not None else name)
