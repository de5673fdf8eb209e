"""The emulated Telegram: users, chats, messages, updates and files, behind one lock.

:class:`Emulator` is both the Bot API's server side (:meth:`Emulator.call` runs a method with its parameters and
returns the ``result`` or raises :class:`ApiError`) and the test API that acts as users: :meth:`send_text`
(with a ``bot_command`` entity when the text starts with ``/``), :meth:`tap` (a button of a message the bot
sent), :meth:`upload` (a document), :meth:`send_photo`, :meth:`send_sticker`, :meth:`edit_text`, :meth:`block`;
and reads what each chat received (:meth:`received`). The test API is thread-safe: tests call it from their
own thread while the HTTP server runs in another.

Limits emulated: text ≤ 4096 characters, caption ≤ 1024, ``callback_data`` 1–64 bytes, an edit that changes
nothing is refused ("message is not modified"), a user who blocked the bot answers 403, and flood control
(:mod:`handlers.emulator.flood`) answers 429 with ``retry_after``. :attr:`Emulator.faults`
(:mod:`handlers.emulator.faults`) injects 429 storms and 5xx errors on purpose.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.emulator.faults import FaultPlan
from handlers.emulator.flood import FloodControl, FloodLimits

__all__ = [
    "MAX_CALLBACK_DATA",
    "MAX_CAPTION",
    "MAX_TEXT",
    "ApiError",
    "BotMessage",
    "Emulator",
    "UploadedFile",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_SENDING = frozenset({"sendmessage", "senddocument", "sendphoto", "editmessagetext"})


class ApiError(Exception):
    """A Bot API refusal: ``code`` is both the HTTP status and ``error_code``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class BotMessage:
    """A message the bot sent, as the chat sees it now (after edits)."""

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
class _User:
    id: int
    first_name: str
    language_code: str | None
    blocked: bool = False

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class _Chat:
    id: int
    type: str
    title: str
    members: set[int] = field(default_factory=set)

    def json(self) -> dict[str, Any]:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": self.title}
        return {"id": self.id, "type": self.type, "title": self.title}


class Emulator:
    """One bot's view of Telegram. ``token`` is the only token the server accepts."""

    def __init__(
        self,
        token: str = "123456:EMULATOR",
        *,
        username: str = "glos_emulator_bot",
        limits: FloodLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.flood = FloodControl(limits or FloodLimits(), clock)
        self.faults = FaultPlan()  # injected 429 storms and 5xx errors (fault tests)
        self._lock = threading.RLock()
        self._users: dict[int, _User] = {}
        self._chats: dict[int, _Chat] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._views: dict[int, list[BotMessage]] = {}
        self._next_message: dict[int, itertools.count[int]] = {}
        self._updates: list[dict[str, Any]] = []
        # Like Telegram's, update ids only grow, also across emulators: a bot restarted on a fresh emulator with the
        # same store must not take new updates for ones it handled before (handlers/ledger.py remembers ids).
        self._update_ids = itertools.count(time.time_ns() // 1000)
        self._acknowledged = 0
        self._files: dict[str, UploadedFile] = {}
        self._file_ids = itertools.count(1)
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._callback_ids = itertools.count(1)
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self.webhook_url = ""
        self.webhook_secret = ""
        self.deliveries: list[tuple[int, int]] = []  # (update id, HTTP status) of webhook deliveries
        self._server_loop: asyncio.AbstractEventLoop | None = None
        self._delivery_lock: asyncio.Lock | None = None
        self._closing = False
        self.calls: dict[str, int] = {}
        self.refused: dict[int, int] = {}

    # ----------------------------------------------------------------- acting as users (the test API)

    def user(self, user_id: int, first_name: str = "Ania", language_code: str | None = "pl") -> int:
        """Register a user and their private chat with the bot; returns the chat id (= the user id)."""
        with self._lock:
            self._users[user_id] = _User(user_id, first_name, language_code)
            self._chats.setdefault(user_id, _Chat(user_id, "private", first_name, {user_id}))
            return user_id

    def group(self, chat_id: int, title: str, members: list[int], *, kind: str = "group") -> int:
        """Register a group (or ``supergroup``/``channel``) chat; ``chat_id`` should be negative."""
        with self._lock:
            self._chats[chat_id] = _Chat(chat_id, kind, title, set(members))
            return chat_id

    def ensure_user(self, user_id: int, first_name: str = "", language_code: str | None = "pl") -> int:
        """Register the user unless they are known (the playground's users appear on first use)."""
        with self._lock:
            if user_id not in self._users:
                self.user(user_id, first_name or f"Mieszkaniec {user_id}", language_code)
            return user_id

    def close(self) -> None:
        """Answer every pending and future long poll at once (the bot is stopping)."""
        with self._lock:
            self._closing = True
            waiters, self._waiters = self._waiters, []
        for loop, waiter in waiters:
            loop.call_soon_threadsafe(_wake, waiter)

    def reopen(self) -> None:
        """Long polls wait again (a bot started after :meth:`close`)."""
        with self._lock:
            self._closing = False

    def block(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sending to them answers 403."""
        with self._lock:
            self._users[user_id].blocked = blocked

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> int:
        """The user writes ``text``; a leading ``/word`` gets a ``bot_command`` entity. Returns the update id."""
        message = self._user_message(user_id, chat_id)
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push({"message": message})

    def upload(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str = "application/octet-stream",
    ) -> int:
        """The user sends a document (optionally with a caption)."""
        file_id = self._store_file(UploadedFile(filename, content, mime_type))
        message = self._user_message(user_id, None)
        message["document"] = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        if caption:
            message["caption"] = caption
            if caption.startswith("/"):
                message["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": len(caption.split()[0])}]
        return self._push({"message": message})

    def send_photo(self, user_id: int, content: bytes = b"\x89PNG") -> int:
        """The user sends a photo."""
        file_id = self._store_file(UploadedFile("photo.jpg", content, "image/jpeg"))
        message = self._user_message(user_id, None)
        message["photo"] = [
            {"file_id": file_id, "file_unique_id": "u" + file_id, "width": 90, "height": 90, "file_size": len(content)}
        ]
        return self._push({"message": message})

    def send_sticker(self, user_id: int) -> int:
        """The user sends a sticker."""
        message = self._user_message(user_id, None)
        message["sticker"] = {
            "file_id": "sticker",
            "file_unique_id": "usticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self._push({"message": message})

    def edit_text(self, user_id: int, message_id: int, text: str) -> int:
        """The user edits a message they sent earlier (an ``edited_message`` update)."""
        with self._lock:
            original = self._messages.get((user_id, message_id))
            if original is None:
                raise KeyError(f"user {user_id} sent no message {message_id}")
            edited = dict(original, text=text, edit_date=int(time.time()))
        return self._push({"edited_message": edited})

    def tap(self, user_id: int, label: str, *, message_id: int | None = None, chat_id: int | None = None) -> int:
        """The user taps the button labelled ``label`` — or whose label starts with it — on ``message_id``, else on
        the newest message showing one, in their private chat or in the group ``chat_id``.

        A URL button that is a deep link to this bot (``https://t.me/<bot>?start=X``) does what Telegram does: the
        user's private chat with the bot sends ``/start X``. Any other URL raises :class:`ValueError` (the emulator
        opens no web pages)."""
        where = user_id if chat_id is None else chat_id
        with self._lock:
            for view in reversed(self._views.get(where, [])):
                if message_id is not None and view.message_id != message_id:
                    continue
                markup = self._messages[(where, view.message_id)].get("reply_markup") or {}
                buttons = [button for row in markup.get("inline_keyboard", []) for button in row]
                exact = [button for button in buttons if button.get("text") == label]
                starting = [button for button in buttons if str(button.get("text", "")).startswith(label)]
                if exact or starting:
                    button = (exact or starting)[0]
                    if "url" in button:
                        return self._open_link(user_id, str(button["url"]))
                    return self.tap_data(user_id, view.message_id, str(button["callback_data"]), chat_id=chat_id)
        raise KeyError(f"no button {label!r} in chat {where}")

    def _open_link(self, user_id: int, url: str) -> int:
        match = re.fullmatch(rf"https://t\.me/{re.escape(self.username)}(?:\?start=([A-Za-z0-9_-]{{1,64}}))?", url)
        if match is None:
            raise ValueError(f"the emulator opens only deep links to @{self.username}, not {url}")
        return self.send_text(user_id, f"/start {match.group(1)}" if match.group(1) else "/start")

    def tap_data(self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None) -> int:
        """A callback query with any ``data`` (a forged or stale button), on a message in the user's private chat
        or in the group ``chat_id``."""
        with self._lock:
            message = self._messages[(user_id if chat_id is None else chat_id, message_id)]
            query_id = str(next(self._callback_ids))
            self._callbacks[query_id] = {"answered": False, "user_id": user_id}
            query = {
                "id": query_id,
                "from": self._users[user_id].json(),
                "chat_instance": f"ci{user_id}",
                "message": message,
                "data": data,
            }
        return self._push({"callback_query": query})

    def send_raw(
        self, user_id: int, fields: dict[str, Any], *, chat_id: int | None = None, kind: str = "message"
    ) -> int:
        """An update of ``kind`` (``message``, ``edited_message``, ``channel_post``…) whose message is the usual
        envelope (id, date, chat, from) updated with ``fields`` as given — text with any entities, a caption, a
        sticker, a ``document`` with any name and size; a field set to None is removed (``"from": None``). For
        fuzzing: nothing is checked, as Telegram would have."""
        message = self._user_message(user_id, chat_id)
        for name, value in fields.items():
            if value is None:
                message.pop(name, None)
            else:
                message[name] = value
        return self._push({kind: message})

    # ----------------------------------------------------------------- reading (the test API)

    def received(self, chat_id: int) -> list[BotMessage]:
        """Everything the bot sent to ``chat_id``, oldest first, as it reads now."""
        with self._lock:
            return list(self._views.get(chat_id, []))

    def transcript(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat as a person sees it: their messages and the bot's (as they read now), oldest first."""
        with self._lock:
            entries: dict[int, dict[str, Any]] = {}
            for (chat, message_id), message in self._messages.items():
                if chat == chat_id and message.get("from", {}).get("id") == chat_id:
                    text = message.get("text") or message.get("caption") or ""
                    if "document" in message:
                        text = f"📎 {message['document'].get('file_name', '')} {text}".strip()
                    entries[message_id] = {"message_id": message_id, "from": "user", "text": text, "buttons": []}
            for view in self._views.get(chat_id, []):
                entries[view.message_id] = {
                    "message_id": view.message_id,
                    "from": "bot",
                    "text": view.text,
                    "buttons": [[label for label, _ in row] for row in view.buttons],
                    "document": view.document.filename if view.document else None,
                }
            return [entries[key] for key in sorted(entries)]

    def written_by(self, user_id: int) -> list[int]:
        """The ids of the messages the user sent in their private chat, oldest first."""
        with self._lock:
            return sorted(
                message_id
                for (chat_id, message_id), message in self._messages.items()
                if chat_id == user_id and message.get("from", {}).get("id") == user_id
            )

    def callback_answers(self) -> list[dict[str, Any]]:
        """Every callback query, with whether and how the bot answered it."""
        with self._lock:
            return [dict(answer, id=query_id) for query_id, answer in self._callbacks.items()]

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[tuple[str, str]]:
        """The command menu set for ``scope`` (default scope) and language."""
        with self._lock:
            stored = self._commands.get((_scope_key(scope), language_code), [])
            return [(entry["command"], entry["description"]) for entry in stored]

    def pending_updates(self) -> int:
        """Updates not yet acknowledged by the bot."""
        with self._lock:
            return sum(1 for update in self._updates if update["update_id"] > self._acknowledged)

    # ----------------------------------------------------------------- the Bot API side

    async def call(self, method: str, params: dict[str, Any], files: dict[str, UploadedFile] | None = None) -> Any:
        """Run one Bot API method; returns its ``result`` or raises :class:`ApiError`."""
        name = method.lower()
        with self._lock:
            self.calls[name] = self.calls.get(name, 0) + 1
            self._server_loop = asyncio.get_running_loop()
        fault = self.faults.next_fault(name)
        if fault is not None:
            with self._lock:
                self.refused[fault.code] = self.refused.get(fault.code, 0) + 1
            raise ApiError(fault.code, fault.description, fault.retry_after)
        if name == "getupdates":
            return await self._get_updates(params)
        handler = getattr(self, "_m_" + name, None)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        with self._lock:
            try:
                return handler(_decode(params), files or {})
            except ApiError as error:
                self.refused[error.code] = self.refused.get(error.code, 0) + 1
                raise

    def file_content(self, file_path: str) -> UploadedFile | None:
        """A stored file by the ``file_path`` getFile gave out."""
        with self._lock:
            return self._files.get(file_path.rsplit("/", 1)[-1])

    async def _get_updates(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        params = _decode(raw)
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        deadline = time.monotonic() + max(0.0, float(params.get("timeout") or 0))
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if offset:
                    self._acknowledged = max(self._acknowledged, offset - 1)
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = [u for u in self._updates if u["update_id"] > self._acknowledged][:limit]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._closing:
                    return ready
                waiter: asyncio.Future[None] = loop.create_future()
                self._waiters.append((loop, waiter))
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                pass
            finally:
                with self._lock:
                    if (loop, waiter) in self._waiters:
                        self._waiters.remove((loop, waiter))

    def _m_getme(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Głos",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_sendmessage(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        chat = self._sendable(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = _markup(params.get("reply_markup"))
        self._admit(chat)
        return self._bot_message(chat, {"text": text}, markup)

    def _m_senddocument(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        return self._send_file(params, files, "document")

    def _m_sendphoto(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        return self._send_file(params, files, "photo")

    def _send_file(self, params: dict[str, Any], files: dict[str, UploadedFile], kind: str) -> dict[str, Any]:
        chat = self._sendable(params)
        upload = files.get(kind)
        if upload is None:
            reference = str(params.get(kind) or "")
            upload = self._files.get(reference)
            if upload is None:
                raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        caption = str(params.get("caption") or "")
        if len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = _markup(params.get("reply_markup"))
        self._admit(chat)
        file_id = self._store_file(upload)
        body: dict[str, Any] = {"caption": caption} if caption else {}
        if kind == "document":
            body["document"] = {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_name": upload.filename,
                "mime_type": upload.mime_type,
                "file_size": len(upload.content),
            }
        else:
            body["photo"] = [{"file_id": file_id, "file_unique_id": "u" + file_id, "width": 1, "height": 1}]
        return self._bot_message(chat, body, markup, document=upload)

    def _m_editmessagetext(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        chat, message = self._editable(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = _markup(params.get("reply_markup"))
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        self._admit(chat)
        return self._edit(chat, message, text, markup)

    def _m_editmessagereplymarkup(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        chat, message = self._editable(params)
        markup = _markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        return self._edit(chat, message, message.get("text", ""), markup)

    def _m_answercallbackquery(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        query = self._callbacks.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.update(answered=True, text=params.get("text"), show_alert=bool(params.get("show_alert")))
        return True

    def _m_getfile(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        stored = self._files.get(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_size": len(stored.content),
            "file_path": f"documents/{file_id}",
        }

    def _m_setmycommands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands") or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for entry in commands:
            if not _COMMAND_NAME.match(str(entry.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(entry.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands[key] = [{"command": e["command"], "description": e["description"]} for e in commands]
        return True

    def _m_getmycommands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> list[dict[str, str]]:
        return self._commands.get((_scope_key(params.get("scope")), str(params.get("language_code") or "")), [])

    def _m_deletemycommands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        self._commands.pop((_scope_key(params.get("scope")), str(params.get("language_code") or "")), None)
        return True

    def _m_setwebhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret = str(params.get("secret_token") or "")
        return True

    def _m_deletewebhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        self.webhook_url = ""
        self.webhook_secret = ""
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._acknowledged = max((u["update_id"] for u in self._updates), default=self._acknowledged)
            self._updates = []
        return True

    def _m_getwebhookinfo(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}

    def _m_getchat(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        return self._chat(params).json()

    def _m_getchatmember(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> dict[str, Any]:
        chat = self._chat(params)
        user = self._users.get(int(params.get("user_id") or 0))
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        status = "member" if user.id in chat.members else "left"
        return {"status": status, "user": user.json()}

    def _m_sendchataction(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        self._sendable(params)
        return True

    def _m_logout(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        return True

    def _m_close(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        return True

    # ----------------------------------------------------------------- helpers

    def _push(self, body: dict[str, Any]) -> int:
        with self._lock:
            update_id = next(self._update_ids)
            update = {"update_id": update_id, **body}
            self._updates.append(update)
            waiters, self._waiters = self._waiters, []
            webhook, loop = self.webhook_url, self._server_loop
        for waiting_loop, waiter in waiters:
            waiting_loop.call_soon_threadsafe(_wake, waiter)
        if webhook and loop is not None:
            asyncio.run_coroutine_threadsafe(self._deliver(update), loop)
        return update_id

    async def _deliver(self, update: dict[str, Any]) -> None:
        """POST the update to the webhook with the secret header, in order, retrying a few times."""
        import httpx  # only webhook mode needs a client

        if self._delivery_lock is None:
            self._delivery_lock = asyncio.Lock()
        async with self._delivery_lock, httpx.AsyncClient(timeout=10) as client:
            status = 0
            for attempt in range(3):
                try:
                    response = await client.post(
                        self.webhook_url,
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret},
                    )
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                if status == 200:
                    break
                await asyncio.sleep(0.2 * (attempt + 1))
            with self._lock:
                self.deliveries.append((update["update_id"], status))
                if status == 200:
                    self._acknowledged = max(self._acknowledged, update["update_id"])

    def _user_message(self, user_id: int, chat_id: int | None) -> dict[str, Any]:
        with self._lock:
            user = self._users[user_id]
            chat = self._chats[chat_id if chat_id is not None else user_id]
            message_id = next(self._counter(chat.id))
            message = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat.json(),
                "from": user.json(),
            }
            self._messages[(chat.id, message_id)] = message
            return message

    def _counter(self, chat_id: int) -> itertools.count[int]:
        return self._next_message.setdefault(chat_id, itertools.count(1))

    def _store_file(self, upload: UploadedFile) -> str:
        with self._lock:
            file_id = f"f{next(self._file_ids)}"
            self._files[file_id] = upload
            return file_id

    def _chat(self, params: dict[str, Any]) -> _Chat:
        try:
            chat_id = int(params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: chat not found") from exc
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _sendable(self, params: dict[str, Any]) -> _Chat:
        chat = self._chat(params)
        user = self._users.get(chat.id)
        if chat.type == "private" and user is not None and user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _admit(self, chat: _Chat) -> None:
        retry_after = self.flood.admit(chat.id, group=chat.type != "private")
        if retry_after:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _editable(self, params: dict[str, Any]) -> tuple[_Chat, dict[str, Any]]:
        chat = self._sendable(params)
        message = self._messages.get((chat.id, int(params.get("message_id") or 0)))
        if message is None or message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat, message

    def _bot_message(
        self,
        chat: _Chat,
        body: dict[str, Any],
        markup: dict[str, Any] | None,
        document: UploadedFile | None = None,
    ) -> dict[str, Any]:
        message_id = next(self._counter(chat.id))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat.json(),
            "from": self._m_getme({}, {}),
            **body,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat.id, message_id)] = message
        text = str(body.get("text") or body.get("caption") or "")
        view = BotMessage(chat.id, message_id, text, _buttons(markup), document)
        self._views.setdefault(chat.id, []).append(view)
        return message

    def _edit(self, chat: _Chat, message: dict[str, Any], text: str, markup: dict[str, Any] | None) -> dict[str, Any]:
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        for view in self._views.get(chat.id, []):
            if view.message_id == message["message_id"]:
                view.text, view.buttons, view.edits = text, _buttons(markup), view.edits + 1
        return message


_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_JSON_FIELDS = ("reply_markup", "entities", "allowed_updates", "commands", "scope", "caption_entities")


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _decode(params: dict[str, Any]) -> dict[str, Any]:
    """Form values arrive as strings; the nested ones are JSON."""
    decoded = dict(params)
    for name in _JSON_FIELDS:
        value = decoded.get(name)
        if isinstance(value, str):
            try:
                decoded[name] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from exc
    return decoded


def _markup(value: Any) -> dict[str, Any] | None:
    """Validate an inline keyboard and return it, or None: each button has a text and exactly one action, the
    emulated ones being ``callback_data`` (1–64 bytes) and ``url`` (http, https or tg)."""
    if not value:
        return None
    if not isinstance(value, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in value.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            url = button.get("url")
            if (data is None) == (url is None):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: exactly one action is needed")
            if url is not None and not re.match(r"^(https?|tg)://\S+$", str(url)):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    return value


def _buttons(markup: dict[str, Any] | None) -> list[list[tuple[str, str]]]:
    if markup is None:
        return []
    return [
        [(str(b.get("text", "")), str(b.get("callback_data") or b.get("url") or "")) for b in row]
        for row in markup.get("inline_keyboard", [])
    ]


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    extra = scope.get("chat_id", "")
    return f"{scope.get('type', 'default')}:{extra}" if extra != "" else str(scope.get("type", "default"))
