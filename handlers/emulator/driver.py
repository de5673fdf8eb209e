"""The emulator's test driver: acting as Telegram users and reading what each chat received.

:class:`Emulator` puts together one emulated Telegram — its state (:mod:`handlers.emulator.state`), the updates
waiting for the bot (:mod:`handlers.emulator.updates`) and the Bot API methods (:mod:`handlers.emulator.api`) —
and is what tests, benchmarks and the playground hold: users :meth:`~Emulator.send_text` (a ``bot_command``
entity when the text starts with ``/``), :meth:`~Emulator.tap` a button of a message the bot sent,
:meth:`~Emulator.upload` a document, send photos and stickers, edit their messages, :meth:`~Emulator.block` the
bot; Telegram itself can :meth:`~Emulator.kick` the bot out of a group or :meth:`~Emulator.migrate` a group to a
supergroup, and a :meth:`~Emulator.stranger` is a user who never started the bot. :meth:`~Emulator.received` reads
what a chat shows. The HTTP server (:mod:`handlers.emulator.server`)
serves :meth:`Emulator.call`. Everything here is thread-safe: tests call it from their own thread while the
server runs in another.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from handlers.emulator.api import BotApi, Files, Params, scope_key
from handlers.emulator.faults import FaultPlan
from handlers.emulator.flood import FloodControl, FloodLimits
from handlers.emulator.state import BotMessage, Chat, TelegramState, UploadedFile, User
from handlers.emulator.updates import UpdateQueue

__all__ = ["Emulator"]


class Emulator:
    """One bot's view of Telegram, driven by tests. ``token`` is the only token the server accepts."""

    def __init__(
        self,
        token: str = "123456:EMULATOR",
        *,
        username: str = "glos_emulator_bot",
        limits: FloodLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = TelegramState(token, username)
        self.updates = UpdateQueue()
        self.flood = FloodControl(limits or FloodLimits(), clock)
        self.faults = FaultPlan()  # injected 429 storms and 5xx errors (fault tests)
        self.api = BotApi(self.state, self.updates, self.flood, self.faults)
        self._lock = self.state.lock

    # ----------------------------------------------------------------- what the server and tests read

    @property
    def token(self) -> str:
        """The bot token the server accepts."""
        return self.state.token

    @property
    def username(self) -> str:
        """The bot's @username (deep links go to ``https://t.me/<username>``)."""
        return self.state.username

    @property
    def calls(self) -> dict[str, int]:
        """Bot API calls per method (lower case)."""
        return self.api.calls

    @property
    def refused(self) -> dict[int, int]:
        """Refused Bot API calls per error code."""
        return self.api.refused

    @property
    def webhook_url(self) -> str:
        """The webhook the bot set (empty: long polling)."""
        return self.updates.webhook_url

    @property
    def deliveries(self) -> list[tuple[int, int]]:
        """(update id, HTTP status) of each webhook delivery."""
        return self.updates.deliveries

    async def call(self, method: str, params: Params, files: Files | None = None) -> Any:
        """Run one Bot API method for the bot (the HTTP server's entry point)."""
        return await self.api.call(method, params, files)

    def file_content(self, file_path: str) -> UploadedFile | None:
        """A stored file by the ``file_path`` getFile gave out."""
        return self.state.file(file_path.rsplit("/", 1)[-1])

    def close(self) -> None:
        """Answer every pending and future long poll at once (the bot is stopping)."""
        self.updates.close()

    def reopen(self) -> None:
        """Long polls wait again (a bot started after :meth:`close`)."""
        self.updates.reopen()

    # ----------------------------------------------------------------- the people and chats

    def user(
        self, user_id: int, first_name: str = "Ania", language_code: str | None = "pl", *, username: str | None = None
    ) -> int:
        """Register a user who has started the bot, and their private chat; returns the chat id (= the user id).
        ``username`` is their ``@username`` (without the @), if they have one."""
        with self._lock:
            self.state.users[user_id] = User(user_id, first_name, language_code, username=username)
            self.state.chats.setdefault(user_id, Chat(user_id, "private", first_name, {user_id}))
            return user_id

    def stranger(self, user_id: int, first_name: str = "Jan", language_code: str | None = "pl") -> int:
        """Register a user who never started the bot: the bot may not write to them (403) until they do."""
        with self._lock:
            self.user(user_id, first_name, language_code)
            self.state.users[user_id].started = False
            return user_id

    def group(self, chat_id: int, title: str, members: list[int], *, kind: str = "group") -> int:
        """Register a group (or ``supergroup``/``channel``) chat with the bot in it; ``chat_id`` should be
        negative."""
        with self._lock:
            self.state.chats[chat_id] = Chat(chat_id, kind, title, set(members))
            return chat_id

    def ensure_user(self, user_id: int, first_name: str = "", language_code: str | None = "pl") -> int:
        """Register the user unless they are known (the playground's users appear on first use)."""
        with self._lock:
            if user_id not in self.state.users:
                self.user(user_id, first_name or f"Mieszkaniec {user_id}", language_code)
            return user_id

    def kick(self, chat_id: int, by_user: int) -> int:
        """``by_user`` removes the bot from the group ``chat_id``: the bot gets a ``my_chat_member`` update (member →
        kicked) and from now on sending there answers 403 "Forbidden: bot was kicked from the group chat"."""
        with self._lock:
            chat = self.state.chats[chat_id]
            chat.bot_member = False
            change = {
                "chat": chat.json(),
                "from": self.state.users[by_user].json(),
                "date": self.state.now(),
                "old_chat_member": {"status": "member", "user": self.state.me()},
                "new_chat_member": {"status": "kicked", "user": self.state.me(), "until_date": 0},
            }
        return self.updates.push({"my_chat_member": change})

    def migrate(self, chat_id: int, new_chat_id: int, by_user: int) -> tuple[int, int]:
        """``by_user`` upgrades the group ``chat_id`` to the supergroup ``new_chat_id`` (its members and title
        move). The old chat gets a service message with ``migrate_to_chat_id``, the new one with
        ``migrate_from_chat_id`` (two updates, ids returned); sending to the old id answers 400 with
        ``parameters.migrate_to_chat_id``."""
        with self._lock:
            old = self.state.chats[chat_id]
            new = Chat(new_chat_id, "supergroup", old.title, set(old.members), bot_member=old.bot_member)
            self.state.chats[new_chat_id] = new
            old.migrated_to = new_chat_id
            sender = self.state.users[by_user].json()
            moved = self.state.service_message(old, {"migrate_to_chat_id": new_chat_id}, sender)
            arrived = self.state.service_message(new, {"migrate_from_chat_id": chat_id}, sender)
        return self.updates.push({"message": moved}), self.updates.push({"message": arrived})

    def block(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sending to them answers 403."""
        with self._lock:
            self.state.users[user_id].blocked = blocked

    # ----------------------------------------------------------------- users act

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> int:
        """The user writes ``text``; a leading ``/word`` gets a ``bot_command`` entity. Returns the update id."""
        message = self.state.user_message(user_id, chat_id)
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16(text.split()[0])}]
        return self.updates.push({"message": message})

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
        file_id = self.state.store_file(UploadedFile(filename, content, mime_type))
        message = self.state.user_message(user_id, None)
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
                length = _utf16(caption.split()[0])
                message["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.updates.push({"message": message})

    def send_photo(self, user_id: int, content: bytes = b"\x89PNG") -> int:
        """The user sends a photo."""
        file_id = self.state.store_file(UploadedFile("photo.jpg", content, "image/jpeg"))
        message = self.state.user_message(user_id, None)
        message["photo"] = [
            {"file_id": file_id, "file_unique_id": "u" + file_id, "width": 90, "height": 90, "file_size": len(content)}
        ]
        return self.updates.push({"message": message})

    def send_sticker(self, user_id: int) -> int:
        """The user sends a sticker."""
        message = self.state.user_message(user_id, None)
        message["sticker"] = {
            "file_id": "sticker",
            "file_unique_id": "usticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self.updates.push({"message": message})

    def edit_text(self, user_id: int, message_id: int, text: str) -> int:
        """The user edits a message they sent earlier (an ``edited_message`` update)."""
        with self._lock:
            original = self.state.messages.get((user_id, message_id))
            if original is None:
                raise KeyError(f"user {user_id} sent no message {message_id}")
            edited = dict(original, text=text, edit_date=self.state.now())
        return self.updates.push({"edited_message": edited})

    def tap(self, user_id: int, label: str, *, message_id: int | None = None, chat_id: int | None = None) -> int:
        """The user taps the button labelled ``label`` — or whose label starts with it — on ``message_id``, else on
        the newest message showing one, in their private chat or in the group ``chat_id``.

        A URL button that is a deep link to this bot (``https://t.me/<bot>?start=X``) does what Telegram does: the
        user's private chat with the bot sends ``/start X``. Any other URL raises :class:`ValueError` (the emulator
        opens no web pages)."""
        where = user_id if chat_id is None else chat_id
        with self._lock:
            for view in reversed(self.state.views.get(where, [])):
                if message_id is not None and view.message_id != message_id:
                    continue
                markup = self.state.messages[(where, view.message_id)].get("reply_markup") or {}
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
            message = self.state.messages[(user_id if chat_id is None else chat_id, message_id)]
            query_id = self.state.next_callback_id()
            self.state.callbacks[query_id] = {"answered": False, "user_id": user_id}
            query = {
                "id": query_id,
                "from": self.state.users[user_id].json(),
                "chat_instance": f"ci{user_id}",
                "message": message,
                "data": data,
            }
        return self.updates.push({"callback_query": query})

    def send_raw(
        self, user_id: int, fields: dict[str, Any], *, chat_id: int | None = None, kind: str = "message"
    ) -> int:
        """An update of ``kind`` (``message``, ``edited_message``, ``channel_post``…) whose message is the usual
        envelope (id, date, chat, from) updated with ``fields`` as given — text with any entities, a caption, a
        sticker, a ``document`` with any name and size; a field set to None is removed (``"from": None``). For
        fuzzing: nothing is checked, as Telegram would have."""
        message = self.state.user_message(user_id, chat_id)
        for name, value in fields.items():
            if value is None:
                message.pop(name, None)
            else:
                message[name] = value
        return self.updates.push({kind: message})

    # ----------------------------------------------------------------- reading

    def received(self, chat_id: int) -> list[BotMessage]:
        """Everything the bot sent to ``chat_id``, oldest first, as it reads now."""
        with self._lock:
            return list(self.state.views.get(chat_id, []))

    def transcript(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat as a person sees it: their messages and the bot's (as they read now), oldest first."""
        with self._lock:
            entries: dict[int, dict[str, Any]] = {}
            for (chat, message_id), message in self.state.messages.items():
                if chat == chat_id and message.get("from", {}).get("id") == chat_id:
                    text = message.get("text") or message.get("caption") or ""
                    if "document" in message:
                        text = f"📎 {message['document'].get('file_name', '')} {text}".strip()
                    entries[message_id] = {"message_id": message_id, "from": "user", "text": text, "buttons": []}
            for view in self.state.views.get(chat_id, []):
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
                for (chat_id, message_id), message in self.state.messages.items()
                if chat_id == user_id and message.get("from", {}).get("id") == user_id
            )

    def callback_answers(self) -> list[dict[str, Any]]:
        """Every callback query, with whether and how the bot answered it."""
        with self._lock:
            return [dict(answer, id=query_id) for query_id, answer in self.state.callbacks.items()]

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[tuple[str, str]]:
        """The command menu set for ``scope`` (default scope) and language."""
        with self._lock:
            stored = self.state.commands.get((scope_key(scope), language_code), [])
            return [(entry["command"], entry["description"]) for entry in stored]

    def pending_updates(self) -> int:
        """Updates not yet acknowledged by the bot."""
        return self.updates.pending()


def _utf16(text: str) -> int:
    """A length as Telegram counts entity offsets and lengths: in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
