"""The Bot API methods, run against the emulated Telegram's state.

:meth:`BotApi.call` takes a method name (case-insensitive) and its parameters as they arrived (form strings, JSON
values, uploaded files) and returns the method's ``result`` or raises :class:`~handlers.emulator.state.ApiError`
with Telegram's code and description. Flood control (:mod:`handlers.emulator.flood`) and injected faults
(:mod:`handlers.emulator.faults`) are applied here, before a method changes anything.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from handlers.emulator.faults import FaultPlan
from handlers.emulator.flood import FloodControl
from handlers.emulator.state import (
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_TEXT,
    ApiError,
    Chat,
    TelegramState,
    UploadedFile,
)
from handlers.emulator.updates import UpdateQueue

__all__ = ["BotApi", "scope_key"]

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_JSON_FIELDS = ("reply_markup", "entities", "allowed_updates", "commands", "scope", "caption_entities")

Params = dict[str, Any]
Files = dict[str, UploadedFile]


class BotApi:
    """The server side of the Bot API for one bot. ``calls`` counts calls per method, ``refused`` refusals per
    error code (both read by tests)."""

    def __init__(self, state: TelegramState, updates: UpdateQueue, flood: FloodControl, faults: FaultPlan) -> None:
        self.state = state
        self.updates = updates
        self.flood = flood
        self.faults = faults
        self.calls: dict[str, int] = {}
        self.refused: dict[int, int] = {}

    async def call(self, method: str, params: Params, files: Files | None = None) -> Any:
        """Run one Bot API method; returns its ``result`` or raises :class:`ApiError`."""
        name = method.lower()
        with self.state.lock:
            self.calls[name] = self.calls.get(name, 0) + 1
        self.updates.server_loop = asyncio.get_running_loop()
        fault = self.faults.next_fault(name)
        if fault is not None:
            self._count(fault.code)
            raise ApiError(fault.code, fault.description, fault.retry_after)
        try:
            if name == "getupdates":
                return await self._get_updates(_decode(params))
            handler = getattr(self, "_m_" + name, None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            with self.state.lock:
                return handler(_decode(params), files or {})
        except ApiError as error:
            self._count(error.code)
            raise

    def _count(self, code: int) -> None:
        with self.state.lock:
            self.refused[code] = self.refused.get(code, 0) + 1

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        if self.updates.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        return await self.updates.poll(offset, limit, float(params.get("timeout") or 0))

    # ----------------------------------------------------------------- methods

    def _m_getme(self, params: Params, files: Files) -> dict[str, Any]:
        return self.state.me()

    def _m_sendmessage(self, params: Params, files: Files) -> dict[str, Any]:
        chat = self._sendable(params)
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = _markup(params.get("reply_markup"))
        self._admit(chat)
        return self.state.bot_message(chat, {"text": text}, markup)

    def _m_senddocument(self, params: Params, files: Files) -> dict[str, Any]:
        return self._send_file(params, files, "document")

    def _m_sendphoto(self, params: Params, files: Files) -> dict[str, Any]:
        return self._send_file(params, files, "photo")

    def _send_file(self, params: Params, files: Files, kind: str) -> dict[str, Any]:
        chat = self._sendable(params)
        upload = files.get(kind)
        if upload is None:
            upload = self.state.file(str(params.get(kind) or ""))
            if upload is None:
                raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        caption = str(params.get("caption") or "")
        if len(caption) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = _markup(params.get("reply_markup"))
        self._admit(chat)
        file_id = self.state.store_file(upload)
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
        return self.state.bot_message(chat, body, markup, document=upload)

    def _m_editmessagetext(self, params: Params, files: Files) -> dict[str, Any]:
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
        self.state.edit(chat, message, {"text": text}, markup)
        return message

    def _m_editmessagereplymarkup(self, params: Params, files: Files) -> dict[str, Any]:
        chat, message = self._editable(params)
        markup = _markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        self.state.edit(chat, message, {"text": message.get("text", "")}, markup)
        return message

    def _m_answercallbackquery(self, params: Params, files: Files) -> bool:
        query = self.state.callbacks.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.update(answered=True, text=params.get("text"), show_alert=bool(params.get("show_alert")))
        return True

    def _m_getfile(self, params: Params, files: Files) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        stored = self.state.file(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_size": len(stored.content),
            "file_path": f"documents/{file_id}",
        }

    def _m_setmycommands(self, params: Params, files: Files) -> bool:
        commands = params.get("commands") or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for entry in commands:
            if not _COMMAND_NAME.match(str(entry.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(entry.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = (scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self.state.commands[key] = [{"command": e["command"], "description": e["description"]} for e in commands]
        return True

    def _m_getmycommands(self, params: Params, files: Files) -> list[dict[str, str]]:
        return self.state.commands.get((scope_key(params.get("scope")), str(params.get("language_code") or "")), [])

    def _m_deletemycommands(self, params: Params, files: Files) -> bool:
        self.state.commands.pop((scope_key(params.get("scope")), str(params.get("language_code") or "")), None)
        return True

    def _m_setwebhook(self, params: Params, files: Files) -> bool:
        self.updates.set_webhook(str(params.get("url") or ""), str(params.get("secret_token") or ""))
        return True

    def _m_deletewebhook(self, params: Params, files: Files) -> bool:
        self.updates.set_webhook("", "")
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self.updates.drop_pending()
        return True

    def _m_getwebhookinfo(self, params: Params, files: Files) -> dict[str, Any]:
        return {"url": self.updates.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}

    def _m_getchat(self, params: Params, files: Files) -> dict[str, Any]:
        return self._chat(params).json()

    def _m_getchatmember(self, params: Params, files: Files) -> dict[str, Any]:
        chat = self._chat(params)
        user = self.state.users.get(int(params.get("user_id") or 0))
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        status = "member" if user.id in chat.members else "left"
        return {"status": status, "user": user.json()}

    def _m_sendchataction(self, params: Params, files: Files) -> bool:
        self._sendable(params)
        return True

    def _m_logout(self, params: Params, files: Files) -> bool:
        return True

    def _m_close(self, params: Params, files: Files) -> bool:
        return True

    # ----------------------------------------------------------------- helpers

    def _chat(self, params: Params) -> Chat:
        try:
            chat_id = int(params.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: chat not found") from exc
        chat = self.state.chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _sendable(self, params: Params) -> Chat:
        chat = self._chat(params)
        user = self.state.users.get(chat.id)
        if chat.type == "private" and user is not None and user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _admit(self, chat: Chat) -> None:
        retry_after = self.flood.admit(chat.id, group=chat.type != "private")
        if retry_after:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _editable(self, params: Params) -> tuple[Chat, dict[str, Any]]:
        chat = self._sendable(params)
        message = self.state.messages.get((chat.id, int(params.get("message_id") or 0)))
        if message is None or message.get("from", {}).get("id") != self.state.bot_id:
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat, message


def _decode(params: Params) -> Params:
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


def scope_key(scope: Any) -> str:
    """The key a command menu is stored under for a ``BotCommandScope`` (None: the default scope)."""
    if not scope:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    extra = scope.get("chat_id", "")
    return f"{scope.get('type', 'default')}:{extra}" if extra != "" else str(scope.get("type", "default"))
