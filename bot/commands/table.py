"""The command table: lookup by Polish name or English alias, and ``/help`` generated from it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bot.commands.base import Caller, Command
from bot.domain import RoleName
from bot.i18n import Translator

__all__ = ["CommandTable"]


class CommandTable:
    """An ordered set of commands; names and aliases are unique across the table."""

    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: list[Command] = []
        self._by_name: dict[str, Command] = {}
        for command in commands:
            self.add(command)

    def add(self, command: Command) -> None:
        """Register ``command``; a name already taken is a programming error."""
        for name in command.names:
            if name in self._by_name:
                raise ValueError(f"command name {name!r} is taken")
            self._by_name[name] = command
        self._commands.append(command)

    def find(self, name: str) -> Command | None:
        """The command called ``name`` (case-insensitive, without the slash), or None."""
        return self._by_name.get(name.lower().lstrip("/"))

    def __iter__(self) -> Iterator[Command]:
        return iter(self._commands)

    def visible_to(self, caller: Caller) -> list[Command]:
        """The commands this caller may use, in table order."""
        return [command for command in self._commands if allowed(command, caller)]

    def runs_in_group(self, text: str, caller: Caller) -> bool:
        """Whether ``text`` is a command ``caller`` may type in a group chat: an ``in_groups`` command their role
        allows (the others are answered with a pointer to the private chat, where everything else happens)."""
        words = text.strip().split(maxsplit=1)
        if not words or not words[0].startswith("/"):
            return False
        command = self.find(words[0][1:].split("@", 1)[0])
        return command is not None and command.in_groups and allowed(command, caller)

    def help_text(self, caller: Caller, t: Translator) -> str:
        """``/help``: one line per command the caller may use, in the caller's language."""
        lines = [t("help.header")]
        for command in self.visible_to(caller):
            if caller.channel not in command.channels:
                continue
            shown = command.name_in(t.language)
            # a reader of English or Ukrainian is not shown the Polish name as well (it works, but is not theirs)
            others = [name for name in command.names if name != shown and (t.language == "pl" or name != command.name)]
            alias = f" (/{', /'.join(others)})" if others else ""
            lines.append(f"/{shown}{alias} — {t(command.summary)}")
        lines.append(t("help.footer"))
        return "\n".join(lines)


def allowed(command: Command, caller: Caller) -> bool:
    """Whether ``caller`` holds the role ``command`` needs (a moderator of one organisation holds the moderator
    role here; the command itself checks the organisation of the process it acts on)."""
    if command.role is None:
        return True
    if command.role is RoleName.ADMIN:
        return caller.is_admin
    return caller.may_moderate
