"""Command names as the reader knows them: a button or a hint in English or Ukrainian names ``/vote``, not
``/glosuj`` (the command table decides: the Polish name in Polish, the first English alias otherwise)."""

from __future__ import annotations

__all__ = ["command_in"]


def command_in(name: str, language: str) -> str:
    """``/glosuj`` in Polish, ``/vote`` in English and Ukrainian, for the command whose Polish name is ``name``."""
    from bot.commands.registry import COMMANDS  # the table imports every command module, which import this

    command = COMMANDS.find(name)
    return "/" + (command.name_in(language) if command is not None else name)
