"""The emulated Telegram's state: users, chats, the messages in each chat, stored files — behind one lock.

:class:`TelegramState` is what Telegram's servers remember; it knows nothing of HTTP or of tests. The Bot API
methods (:mod:`handlers.emulator.api`) read and change it for the bot, the test driver
(:mod:`handlers.emulator.driver`) for the users. Both hold :attr:`TelegramState.lock` while they do, so a test's
thread and the HTTP server's thread never see half a change. Updates waiting for the bot live in
:mod:`handlers.emulator.updates`.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_TEXT",
    "ApiError",
    "BotMessage",
    "Chat",
    "TelegramState",
    "UploadedFile",
    "User",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64


class ApiError(Exception):
    """A Bot API refusal: ``code`` is both the HTTP status and ``error_code``; ``parameters`` is Telegram's
    ``ResponseParameters`` (``retry_after`` on 429, ``migrate_to_chat_id`` for a group that became a supergroup)."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class BotMessage:
    """A message the bot sent, as the chat sees it now (after edits): ``text`` is the text or the caption."""

    chat_id: int
    message_id: int
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    document: UploadedFile | None = None
    edits: int = 0

    @property
    def labels(self) -> list[str]:
        """Every button label, row by row."""
        return [label for row in self.buttons for label, _ in row]


@dataclass
class User:
    """A Telegram user. ``started`` is False for someone who never opened a private chat with the bot (Telegram
    refuses to let a bot write first); ``blocked`` after they blocked it."""

    id: int
    first_name: str
    language_code: str | None
    blocked: bool = False
    started: bool = True
    username: str | None = None

    def json(self) -> dict[str, Any]:
        """The ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class Chat:
    """A chat: ``private`` (its id is the user's), ``group``, ``supergroup`` or ``channel``. A group upgraded to a
    supergroup keeps its record with ``migrated_to`` set; a chat the bot was removed from has ``bot_member``
    False."""

    id: int
    type: str
    title: str
    members: set[int] = field(default_factory=set)
    bot_member: bool = True
    migrated_to: int | None = None

    def json(self) -> dict[str, Any]:
        """The ``Chat`` object (the short form messages carry)."""
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": self.title}
        return {"id": self.id, "type": self.type, "title": self.title}

    def full_info(self) -> dict[str, Any]:
        """The ``ChatFullInfo`` object ``getChat`` returns: the short form plus its required fields."""
        return {**self.json(), "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _NO_GIFTS}


_NO_GIFTS = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}


class TelegramState:
    """One bot's Telegram: its identity, the users and chats it can see, every message in them, stored files.

    Callers hold :attr:`lock` around any sequence of reads and changes that must be atomic; every method here
    takes it too (it is re-entrant).
    """

    def __init__(self, token: str, username: str, clock: Callable[[], float] = time.time) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.lock = threading.RLock()
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.views: dict[int, list[BotMessage]] = {}
        self.callbacks: dict[str, dict[str, Any]] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._clock = clock
        self._next_message: dict[int, itertools.count[int]] = {}
        self._files: dict[str, UploadedFile] = {}
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    def me(self) -> dict[str, Any]:
        """The bot's own ``User`` object (``getMe``)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Głos",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def now(self) -> int:
        """A message date: whole Unix seconds."""
        return int(self._clock())

    # ----------------------------------------------------------------- files

    def store_file(self, upload: UploadedFile) -> str:
        """Keep an uploaded file; its new ``file_id``."""
        with self.lock:
            file_id = f"f{next(self._file_ids)}"
            self._files[file_id] = upload
            return file_id

    def file(self, file_id: str) -> UploadedFile | None:
        """A stored file by its ``file_id``."""
        with self.lock:
            return self._files.get(file_id)

    # ----------------------------------------------------------------- messages

    def next_callback_id(self) -> str:
        """A fresh callback query id."""
        with self.lock:
            return str(next(self._callback_ids))

    def user_message(self, user_id: int, chat_id: int | None) -> dict[str, Any]:
        """A new message from the user in their private chat (or in ``chat_id``), recorded; its envelope."""
        with self.lock:
            user = self.users[user_id]
            chat = self.chats[chat_id if chat_id is not None else user_id]
            if chat.type == "private":
                user.started = True
            message: dict[str, Any] = {
                "message_id": self._next_id(chat.id),
                "date": self.now(),
                "chat": chat.json(),
                "from": user.json(),
            }
            self.messages[(chat.id, message["message_id"])] = message
            return message

    def bot_message(
        self,
        chat: Chat,
        body: dict[str, Any],
        markup: dict[str, Any] | None,
        document: UploadedFile | None = None,
    ) -> dict[str, Any]:
        """A new message from the bot in ``chat`` with ``body`` (text or media fields), recorded; the ``Message``."""
        with self.lock:
            message: dict[str, Any] = {
                "message_id": self._next_id(chat.id),
                "date": self.now(),
                "chat": chat.json(),
                "from": self.me(),
                **body,
            }
            if markup is not None:
                message["reply_markup"] = markup
            self.messages[(chat.id, message["message_id"])] = message
            text = str(body.get("text") or body.get("caption") or "")
            view = BotMessage(chat.id, message["message_id"], text, _buttons(markup), document)
            self.views.setdefault(chat.id, []).append(view)
            return message

    def edit(self, chat: Chat, message: dict[str, Any], changes: dict[str, Any], markup: dict[str, Any] | None) -> None:
        """Change a bot message in place: ``changes`` (``text`` or ``caption`` and their entities) and its markup."""
        with self.lock:
            message.update(changes)
            message["edit_date"] = self.now()
            if markup is None:
                message.pop("reply_markup", None)
            else:
                message["reply_markup"] = markup
            shown = str(message.get("text") or message.get("caption") or "")
            for view in self.views.get(chat.id, []):
                if view.message_id == message["message_id"]:
                    view.text, view.buttons, view.edits = shown, _buttons(markup), view.edits + 1

    def service_message(self, chat: Chat, fields: dict[str, Any], sender: dict[str, Any]) -> dict[str, Any]:
        """A service message in ``chat`` (a migration, a member leaving) sent by ``sender``; recorded."""
        with self.lock:
            message: dict[str, Any] = {
                "message_id": self._next_id(chat.id),
                "date": self.now(),
                "chat": chat.json(),
                "from": sender,
                **fields,
            }
            self.messages[(chat.id, message["message_id"])] = message
            return message

    def _next_id(self, chat_id: int) -> int:
        return next(self._next_message.setdefault(chat_id, itertools.count(1)))


def _buttons(markup: dict[str, Any] | None) -> list[list[tuple[str, str]]]:
    if markup is None:
        return []
    return [
        [(str(b.get("text", "")), str(b.get("callback_data") or b.get("url") or "")) for b in row]
        for row in markup.get("inline_keyboard", [])
    ]
