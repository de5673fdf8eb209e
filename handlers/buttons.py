"""Inline buttons under Telegram's 64-byte ``callback_data`` limit.

A core :class:`~bot.commands.base.Button` carries a whole command line (``/dzielnica bo2027 wesola``), which
may be longer than 64 bytes. The button is sent with a short token instead (``g1:`` + 11 characters, derived
from the command), and the token → command map is kept in the person's dialogue state in the store, so a
restarted bot still understands buttons it sent before. On a tap the token must be in the tapping person's own
map: a forged, foreign or evicted (stale) token resolves to None and the adapter answers with a clear sentence.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.commands.base import Reply
from bot.domain import Channel
from bot.services import Services

__all__ = ["MAX_REMEMBERED", "PREFIX", "ButtonTokens"]

PREFIX = "g1:"
MAX_REMEMBERED = 256  # buttons remembered per person; older ones become stale
_STATE_KEY = "buttons"
_TOKEN = re.compile(r"^g1:[A-Za-z0-9_-]{11}$")


def _token(command: str) -> str:
    # The same command always gets the same token, so re-sent menus do not grow the map.
    digest = hashlib.sha256(command.encode()).digest()[:8]
    return PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class ButtonTokens:
    """Issues and resolves button tokens per person, stored in ``services.dialogue``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def keyboards(self, person_id: int, replies: Sequence[Reply]) -> list[InlineKeyboardMarkup | None]:
        """One keyboard per reply (None when it has no buttons); remembers every button's command."""
        commands = [button.command for reply in replies for row in reply.buttons for button in row]
        if commands:
            self.remember(person_id, commands)
        return [
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b.label[:64], callback_data=_token(b.command)) for b in row]
                    for row in reply.buttons
                ]
            )
            if reply.buttons
            else None
            for reply in replies
        ]

    def remember(self, person_id: int, commands: Sequence[str]) -> None:
        """Store the tokens of ``commands`` for ``person_id`` (newest last, the oldest evicted)."""
        known: dict[str, str] = dict(self.services.dialogue.get(person_id, Channel.TELEGRAM).get(_STATE_KEY, {}))
        for command in commands:
            token = _token(command)
            known.pop(token, None)
            known[token] = command
        while len(known) > MAX_REMEMBERED:
            known.pop(next(iter(known)))
        self.services.dialogue.update(person_id, Channel.TELEGRAM, **{_STATE_KEY: known})

    def resolve(self, person_id: int, data: str | None) -> str | None:
        """The command behind a tapped button's data, or None when it is forged, foreign or stale."""
        if data is None or not _TOKEN.match(data):
            return None
        known = self.services.dialogue.get(person_id, Channel.TELEGRAM).get(_STATE_KEY, {})
        command = known.get(data) if isinstance(known, dict) else None
        return command if isinstance(command, str) and command.startswith("/") else None
