"""The Bot API methods, run against the emulated Telegram's state.

:meth:`BotApi.call` takes a method name (case-insensitive) and its parameters as they arrived (form strings, JSON
values, uploaded files) and returns the method's ``result`` or raises :class:`~handlers.emulator.state.ApiError`
with Telegram's code and description. Flood control (:mod:`handlers.emulator.flood`) and injected faults
(:mod:`handlers.emulator.faults`) are applied here, before a method changes anything.

Strict like Telegram: parameters are read in their types (:mod:`handlers.emulator.params`; ``"false"`` is false),
texts are parsed in their ``parse_mode`` (:mod:`handlers.emulator.entities`) and their length counted after
parsing, keyboards are checked for shape and size (:mod:`handlers.emulator.markup`), language codes and command
scopes are validated, the text of a media message cannot be edited, and a malformed call answers 400 — a call
the emulator cannot read is never a 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from handlers.emulator.entities import EntityError, parse, utf16_length
from handlers.emulator.faults import FaultPlan
from handlers.emulator.flood import FloodControl
from handlers.emulator.markup import inline_keyboard
from handlers.emulator.params import Params as Reader
from handlers.emulator.state import MAX_CAPTION, MAX_TEXT, ApiError, Chat, TelegramState, UploadedFile
from handlers.emulator.updates import UpdateQueue

__all__ = ["BotApi", "scope_key"]

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
MAX_CALLBACK_ANSWER = 200
MAX_COMMANDS = 100
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile: "For the moment, bots can download files of up to 20MB in size."
log = logging.getLogger(__name__)

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
            try:
                if name == "getupdates":
                    return await self._get_updates(Reader(params))
                handler = getattr(self, "_m_" + name, None)
                if handler is None:
                    raise ApiError(404, "Not Found: method not found")
                with self.state.lock:
                    return handler(params, files or {})
            except (AttributeError, KeyError, TypeError, ValueError) as error:
                # A parameter of a shape no check foresaw: Telegram answers 400, so does the emulator (and says
                # where, for whoever extends it).
                log.warning("emulator: %s(%r) failed: %r", method, params, error)
                raise ApiError(400, f"Bad Request: invalid parameters of {method}") from error
        except ApiError as error:
            self._count(error.code)
            raise

    def _count(self, code: int) -> None:
        with self.state.lock:
            self.refused[code] = self.refused.get(code, 0) + 1

    async def _get_updates(self, read: Reader) -> list[dict[str, Any]]:
        if self.updates.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = read.integer("offset", 0) or 0
        limit = max(1, min(100, read.integer("limit", 100) or 100))
        return await self.updates.poll(offset, limit, read.number("timeout"))

    # ----------------------------------------------------------------- methods

    def _m_getme(self, params: Params, files: Files) -> dict[str, Any]:
        return self.state.me()

    def _m_sendmessage(self, params: Params, files: Files) -> dict[str, Any]:
        read = Reader(params, files)
        chat = self._sendable(read)
        body = _formatted(read, "text", "entities", MAX_TEXT)
        markup = inline_keyboard(read.json("reply_markup", "reply keyboard markup"))
        self._admit(chat)
        return self.state.bot_message(chat, body, markup)

    def _m_senddocument(self, params: Params, files: Files) -> dict[str, Any]:
        return self._send_file(Reader(params, files), "document")

    def _m_sendphoto(self, params: Params, files: Files) -> dict[str, Any]:
        return self._send_file(Reader(params, files), "photo")

    def _send_file(self, read: Reader, kind: str) -> dict[str, Any]:
        chat = self._sendable(read)
        given = read.upload(kind)
        if given is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        upload = self.state.file(given) if isinstance(given, str) else given
        if upload is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        body = _formatted(read, "caption", "caption_entities", MAX_CAPTION, required=False)
        markup = inline_keyboard(read.json("reply_markup", "reply keyboard markup"))
        self._admit(chat)
        file_id = self.state.store_file(upload)
        if kind == "document":
            body["document"] = {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_name": upload.filename,
                "mime_type": upload.mime_type,
                "file_size": len(upload.content),
            }
        else:
            body["photo"] = [
                {"file_id": file_id, "file_unique_id": "u" + file_id, "width": 1, "height": 1, "file_size": 1}
            ]
        return self.state.bot_message(chat, body, markup, document=upload)

    def _m_editmessagetext(self, params: Params, files: Files) -> dict[str, Any]:
        read = Reader(params, files)
        chat, message = self._editable(read)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        body = _formatted(read, "text", "entities", MAX_TEXT)
        markup = inline_keyboard(read.json("reply_markup", "reply keyboard markup"))
        if _same(message, body, "text", "entities") and message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        self._admit(chat)
        message.pop("entities", None)
        self.state.edit(chat, message, body, markup)
        return message

    def _m_editmessagecaption(self, params: Params, files: Files) -> dict[str, Any]:
        read = Reader(params, files)
        chat, message = self._editable(read)
        if "text" in message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        body = _formatted(read, "caption", "caption_entities", MAX_CAPTION, required=False)
        markup = inline_keyboard(read.json("reply_markup", "reply keyboard markup"))
        if _same(message, body, "caption", "caption_entities") and message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        message.pop("caption", None)
        message.pop("caption_entities", None)
        self.state.edit(chat, message, body, markup)
        return message

    def _m_editmessagereplymarkup(self, params: Params, files: Files) -> dict[str, Any]:
        read = Reader(params, files)
        chat, message = self._editable(read)
        markup = inline_keyboard(read.json("reply_markup", "reply keyboard markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        self.state.edit(chat, message, {}, markup)  # the text or the caption stays as it is
        return message

    def _m_deletemessage(self, params: Params, files: Files) -> bool:
        read = Reader(params, files)
        chat = self._chat(read)
        message_id = read.integer("message_id")
        if self.state.messages.pop((chat.id, message_id or 0), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self.state.views[chat.id] = [v for v in self.state.views.get(chat.id, []) if v.message_id != message_id]
        return True

    def _m_answercallbackquery(self, params: Params, files: Files) -> bool:
        read = Reader(params, files)
        query = self.state.callbacks.get(read.string("callback_query_id"))
        if query is None or query["answered"]:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        text = read.string("text")
        if len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.update(answered=True, text=text or None, show_alert=read.boolean("show_alert"))
        return True

    def _m_getfile(self, params: Params, files: Files) -> dict[str, Any]:
        file_id = Reader(params, files).string("file_id")
        stored = self.state.file(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:  # "bots can download files of up to 20MB in size"
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_size": len(stored.content),
            "file_path": f"documents/{file_id}",
        }

    def _m_setmycommands(self, params: Params, files: Files) -> bool:
        read = Reader(params, files)
        commands = read.json("commands", "commands")
        if not isinstance(commands, list):
            raise ApiError(400, 'Bad Request: field "commands" must be an Array')
        if not commands:
            raise ApiError(400, "Bad Request: commands must be non-empty")
        if len(commands) > MAX_COMMANDS:
            raise ApiError(400, "Bad Request: too many commands")
        for entry in commands:
            if not isinstance(entry, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand: BotCommand must be an Object")
            if not isinstance(entry.get("command"), str) or not _COMMAND_NAME.match(entry["command"]):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = entry.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(read)
        self.state.commands[key] = [{"command": e["command"], "description": e["description"]} for e in commands]
        return True

    def _m_getmycommands(self, params: Params, files: Files) -> list[dict[str, str]]:
        return self.state.commands.get(self._commands_key(Reader(params, files)), [])

    def _m_deletemycommands(self, params: Params, files: Files) -> bool:
        self.state.commands.pop(self._commands_key(Reader(params, files)), None)
        return True

    def _commands_key(self, read: Reader) -> tuple[str, str]:
        language = read.string("language_code")
        if language and not _LANGUAGE.fullmatch(language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        scope = read.json("scope", "BotCommandScope")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
                raise ApiError(400, "Bad Request: unsupported bot command scope type")
            needs = _SCOPES[scope["type"]]
            for name in needs:
                value = scope.get(name)
                if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
                    raise ApiError(400, f'Bad Request: field "{name}" of the BotCommandScope must be specified')
            if "chat_id" in needs and self.state.chats.get(_as_int(scope["chat_id"])) is None:
                raise ApiError(400, "Bad Request: chat not found")
        return scope_key(scope), language

    def _m_setwebhook(self, params: Params, files: Files) -> bool:
        read = Reader(params, files)
        url = read.string("url")
        secret = read.string("secret_token")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if url and not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if read.boolean("drop_pending_updates"):
            self.updates.drop_pending()
        self.updates.set_webhook(url, secret)
        return True

    def _m_deletewebhook(self, params: Params, files: Files) -> bool:
        self.updates.set_webhook("", "")
        if Reader(params, files).boolean("drop_pending_updates"):
            self.updates.drop_pending()
        return True

    def _m_getwebhookinfo(self, params: Params, files: Files) -> dict[str, Any]:
        return {
            "url": self.updates.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": self.updates.pending() if self.updates.webhook_url else 0,
        }

    def _m_getchat(self, params: Params, files: Files) -> dict[str, Any]:
        return self._chat(Reader(params, files)).full_info()

    def _m_getchatmember(self, params: Params, files: Files) -> dict[str, Any]:
        read = Reader(params, files)
        chat = self._chat(read)
        user_id = read.integer("user_id")
        if user_id == self.state.bot_id:
            status = "member" if chat.bot_member else "kicked"
            return _member(status, self.state.me())
        user = self.state.users.get(user_id or 0)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        return _member("member" if user.id in chat.members else "left", user.json())

    def _m_sendchataction(self, params: Params, files: Files) -> bool:
        read = Reader(params, files)
        self._sendable(read)
        if read.string("action") not in _ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _m_logout(self, params: Params, files: Files) -> bool:
        return True

    def _m_close(self, params: Params, files: Files) -> bool:
        return True

    # ----------------------------------------------------------------- helpers

    def _chat(self, read: Reader) -> Chat:
        chat_id = read.chat_id()
        chat = self.state.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _sendable(self, read: Reader) -> Chat:
        """The chat the bot may write to now, or Telegram's refusal: a blocked bot or a user who never started
        it (403), a group the bot was removed from (403), a group that became a supergroup (400 with
        ``migrate_to_chat_id``)."""
        chat = self._chat(read)
        if chat.migrated_to is not None:
            raise ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to_chat_id=chat.migrated_to
            )
        if not chat.bot_member:
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        user = self.state.users.get(chat.id)
        if chat.type == "private" and user is not None:
            if user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _admit(self, chat: Chat) -> None:
        retry_after = self.flood.admit(chat.id, group=chat.type != "private")
        if retry_after:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _editable(self, read: Reader) -> tuple[Chat, dict[str, Any]]:
        if "inline_message_id" in read:
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")  # the bot sends no inline messages
        chat = self._sendable(read)
        message_id = read.integer("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self.state.messages.get((chat.id, message_id))
        if message is None or message.get("from", {}).get("id") != self.state.bot_id:
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat, message


_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SCOPES: dict[str, tuple[str, ...]] = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_LANGUAGE = re.compile(r"[a-z]{2}")
_TRIMMED = " \t\r\n"


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _member(status: str, user: dict[str, Any]) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _same(message: dict[str, Any], body: dict[str, Any], text: str, entities: str) -> bool:
    return message.get(text) == body.get(text) and message.get(entities) == body.get(entities)


def _formatted(read: Reader, field: str, entities_field: str, limit: int, *, required: bool = True) -> dict[str, Any]:
    """``{field: visible text, entities_field: entities}`` from the raw text and its ``parse_mode`` (or its explicit
    entities): parsed as Telegram parses it, trimmed as Telegram trims it, its length counted after parsing."""
    raw = read.string(field)
    mode = read.string("parse_mode")
    if mode and mode.lower() not in _PARSE_MODES:
        raise ApiError(400, "Bad Request: unsupported parse_mode")
    try:
        text, entities = parse(raw, mode)
    except EntityError as error:
        raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
    if not mode:
        given = read.json(entities_field, "entities")
        if given is not None and not (isinstance(given, list) and all(isinstance(e, dict) for e in given)):
            raise ApiError(400, f'Bad Request: field "{entities_field}" must be an Array of MessageEntity')
        entities = given or []
    text, entities = _trim(text, entities)
    if required and not text:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > limit:
        what = "message caption" if field == "caption" else "message"
        raise ApiError(400, f"Bad Request: {what} is too long")
    body: dict[str, Any] = {field: text} if text or required else {}
    if entities and text:
        body[entities_field] = entities
    return body


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips the spaces and line breaks around a text; the entities move with it."""
    stripped = text.lstrip(_TRIMMED)
    shift = utf16_length(text) - utf16_length(stripped)
    stripped = stripped.rstrip(_TRIMMED)
    size = utf16_length(stripped)
    kept = []
    for entity in entities:
        start = max(0, int(entity.get("offset", 0)) - shift)
        end = min(size, int(entity.get("offset", 0)) + int(entity.get("length", 0)) - shift)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


_PARSE_MODES = frozenset({"html", "markdownv2", "markdown"})


def scope_key(scope: Any) -> str:
    """The key a command menu is stored under for a ``BotCommandScope`` (None: the default scope)."""
    if not scope:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    extra = scope.get("chat_id", "")
    return f"{scope.get('type', 'default')}:{extra}" if extra != "" else str(scope.get("type", "default"))
