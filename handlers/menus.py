"""Command menus (``setMyCommands``) per language and per scope.

Everybody sees the resident commands (the default scope, in Polish by default and per ``language_code``);
a moderator's or admin's private chat gets its own menu with the commands their roles allow. The chat menus
are set lazily, the first time the bot sees a person with a given set of roles after a start: Telegram keeps
them, and setting them again is harmless, so this memory is only a cache, not the source of truth.
"""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.commands.base import Caller
from bot.commands.table import CommandTable
from bot.domain import Channel
from bot.i18n import LANGUAGES, translator

__all__ = ["CommandMenus"]


class CommandMenus:
    """Publishes the default menus and keeps each moderator's chat menu in step with their roles."""

    def __init__(self, commands: CommandTable) -> None:
        self.commands = commands
        self._seen: dict[int, frozenset[str]] = {}  # roles and moderated organisations, per chat

    def menu(self, caller: Caller) -> list[BotCommand]:
        """The commands ``caller`` may use, described in their language."""
        t = translator(caller.language)
        return [
            BotCommand(command.name_in(t.language), t(command.summary)[:256])
            for command in self.commands.visible_to(caller)
            if Channel.TELEGRAM in command.channels
        ]

    async def publish_defaults(self, bot: Bot) -> None:
        """The resident menu for everybody: Polish without a language code, and one per language."""
        for language in ("", *LANGUAGES):
            resident = Caller(0, Channel.TELEGRAM, "", language or "pl")
            await bot.set_my_commands(
                self.menu(resident), scope=BotCommandScopeDefault(), language_code=language or None
            )

    async def ensure(self, bot: Bot, chat_id: int, caller: Caller) -> None:
        """Give this private chat the menu the caller's roles allow (once per role change)."""
        roles = frozenset(str(role) for role in caller.roles) | caller.moderates
        if self._seen.get(chat_id, frozenset()) == roles:
            return
        scope = BotCommandScopeChat(chat_id)
        if caller.may_moderate:
            await bot.set_my_commands(self.menu(caller), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
        self._seen[chat_id] = roles
