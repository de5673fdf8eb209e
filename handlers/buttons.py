"""Inline buttons under Telegram's 64-byte ``callback_data`` limit, in keyboards within its sizes
(:func:`handlers.limits.fit_rows`: at most 8 in a row, 100 in all).

A core :class:`~bot.replies.Button` carries a whole command line (``/dzielnica bo2027 wesola``), which
may be longer than 64 bytes. The button is sent with a short token instead (``g1:`` + 11 characters, derived
from the command), and the token → command map is kept in the person's dialogue state in the store, so a
restarted bot still understands buttons it sent before. On a tap the token must be in the tapping person's own
map: a forged, foreign or evicted (stale) token resolves to None and the adapter answers with a clear sentence.

A link button (:attr:`~bot.replies.Button.link`, ``/start SLUG``) becomes a URL button with the deep link
``https://t.me/<bot>?start=SLUG``: tapping it opens the private chat with the bot, which receives ``/start SLUG``.
It needs no token, so it also works in group chats, where nobody has a token map.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import Channel
from bot.replies import Button, Reply
from bot.services import Services
from handlers.limits import MAX_LABEL, fit_rows

__all__ = ["MAX_REMEMBERED", "PREFIX", "ButtonTokens", "deep_link", "username_of"]

PREFIX = "g1:"
MAX_REMEMBERED = 256  # buttons remembered per person; older ones become stale
_STATE_KEY = "buttons"
_TOKEN = re.compile(r"^g1:[A-Za-z0-9_-]{11}$")


def username_of(bot: Bot) -> str | None:
    """The bot's username, or None before ``getMe`` (an uninitialised Bot; its link buttons are left out)."""
    try:
        return bot.username
    except RuntimeError:
        return None


def deep_link(bot_username: str, payload: str) -> str:
    """The link that opens the private chat with the bot and sends ``/start payload`` (``[A-Za-z0-9_-]``, ≤ 64)."""
    return f"https://t.me/{bot_username}?start={payload}" if payload else f"https://t.me/{bot_username}"


def _shown(button: Button, person_id: int | None, bot_username: str | None) -> bool:
    return bool(bot_username) if button.link else person_id is not None


def _token(command: str) -> str:
    # The same command always gets the same token, so re-sent menus do not grow the map.
    digest = hashlib.sha256(command.encode()).digest()[:8]
    return PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class ButtonTokens:
    """Issues and resolves button tokens per person, stored in ``services.dialogue``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def keyboards(
        self, person_id: int | None, replies: Sequence[Reply], *, bot_username: str | None = None
    ) -> list[InlineKeyboardMarkup | None]:
        """One keyboard per reply (None when it has no buttons); remembers every command button's command.

        Link buttons become deep links to ``bot_username`` (left out without one). Without a ``person_id`` (a
        message to a group) only link buttons are kept: nobody there could tap a command button.
        """
        commands = [button.command for reply in replies for row in reply.buttons for button in row if not button.link]
        if commands and person_id is not None:
            self.remember(person_id, commands)
        keyboards: list[InlineKeyboardMarkup | None] = []
        for reply in replies:
            rows = [
                [self._button(button, bot_username) for button in row if _shown(button, person_id, bot_username)]
                for row in reply.buttons
            ]
            rows = fit_rows(rows)  # no row over 8 buttons; over 100 buttons raises
            keyboards.append(InlineKeyboardMarkup(rows) if rows else None)
        return keyboards

    @staticmethod
    def _button(button: Button, bot_username: str | None) -> InlineKeyboardButton:
        if button.link:
            payload = button.command.removeprefix("/start").strip()
            return InlineKeyboardButton(button.label[:MAX_LABEL], url=deep_link(str(bot_username), payload))
        return InlineKeyboardButton(button.label[:MAX_LABEL], callback_data=_token(button.command))

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
