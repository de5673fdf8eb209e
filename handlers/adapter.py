"""The Telegram adapter: updates in, core commands dispatched, replies out. No decision is taken here.

* A text message (a command with its ``bot_command`` entity, or free text) goes to
  :func:`bot.commands.dispatch.dispatch` as it is; deep links arrive as ``/start bo2027``.
* A button tap carries a short token (:mod:`handlers.buttons`); the command behind it is dispatched as if typed.
  A forged or stale token gets a clear answer and changes nothing. When the first reply is a view with buttons
  of its own (the basket after a change), it replaces the tapped message (``editMessageText``; "message is not
  modified" is fine) instead of piling up new ones.
* A document is downloaded and attached: its caption is the command (``/lista bo2027``), else ``.toml`` means
  ``/importuj``, ``.csv`` means ``/lista`` and a draft (``.docx``, ``.odt``, ``.md``, ``.txt``) means ``/projekt``
  with the caption as its slug. The core refuses residents (and audits the refusal).
* Stickers, photos and edited messages get a translated explanation. In groups nothing is cast: the bot points
  to the private chat with a deep link; only a moderator's ``in_groups`` command (``/udostepnij``) runs there.
* The synchronous core runs in worker threads (:meth:`TelegramAdapter._core`): a store that makes one update
  wait never stalls the event loop that serves everybody else.
* The bot removed from a group (``my_chat_member``: kicked or left) is reported to the moderators once; a group
  upgraded to a supergroup (``migrate_to_chat_id``) takes what is queued for it to its new id.
* :meth:`TelegramAdapter.on_error` is the catch-all: the traceback goes to the log, the user gets
  ``error.internal`` in their language.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import PurePath
from typing import Any, TypeVar

from telegram import Chat, ChatMember, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.commands.base import Caller
from bot.commands.dispatch import dispatch
from bot.commands.ratelimit import RateLimiter
from bot.commands.table import CommandTable
from bot.documents import SUFFIXES as DRAFT_SUFFIXES
from bot.domain import Channel
from bot.i18n import translator
from bot.replies import Reply
from bot.scheduling.undeliverable import report_removed
from bot.services import Services
from handlers.buttons import ButtonTokens, username_of
from handlers.callers import telegram_caller
from handlers.limits import check_callback_answer, check_text
from handlers.menus import CommandMenus
from handlers.replies import MAX_TEXT, send_replies, with_flood_retry

__all__ = ["MAX_UPLOAD_BYTES", "TelegramAdapter"]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")


class TelegramAdapter:
    """The handlers python-telegram-bot calls; see the module docstring for what each does."""

    def __init__(
        self,
        services: Services,
        commands: CommandTable,
        *,
        menus: CommandMenus | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.services = services
        self.commands = commands
        self.tokens = ButtonTokens(services)
        self.menus = menus or CommandMenus(commands)
        # One person flooding the bot is slowed down without slowing anybody else (core/commands/ratelimit.py).
        self.limiter = limiter or RateLimiter()
        self._chat_locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat → (lock, holders and waiters)

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, update: Update) -> AsyncIterator[None]:
        # Updates are handled concurrently, but one chat's updates in the order they came: a basket tapped
        # twice quickly must see its first change before the second.
        self.services.context.metrics.inc("glos_telegram_updates_total", doc="Telegram updates handled.")
        chat = update.effective_chat
        if chat is None:
            yield
            return
        lock, users = self._chat_locks.get(chat.id, (asyncio.Lock(), 0))
        self._chat_locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chat_locks[chat.id]
            if users == 1:
                del self._chat_locks[chat.id]  # nobody else waits for this chat
            else:
                self._chat_locks[chat.id] = (lock, users - 1)

    async def on_text(self, update: Update, context: Context) -> None:
        """A text message in a private chat: dispatch it."""
        async with self._one_at_a_time(update):
            await self._on_text(update, context)

    async def on_button(self, update: Update, context: Context) -> None:
        """A tap on an inline button: resolve its token and dispatch the command behind it."""
        async with self._one_at_a_time(update):
            await self._on_button(update, context)

    async def on_document(self, update: Update, context: Context) -> None:
        """An uploaded file: download it and run the command it is meant for."""
        async with self._one_at_a_time(update):
            await self._on_document(update, context)

    async def _on_text(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        caller = await self._caller(context, message.chat, user)
        group = None
        if not self._private(message.chat):
            # In a group only a moderator's in-group command (/udostepnij) runs; the core says which.
            if not self.commands.runs_in_group(message.text, caller):
                await self._point_to_private(context, message.chat, caller)
                return
            group = str(message.chat.id)
        replies = await self._core(
            dispatch, self.commands, self.services, caller, message.text, limiter=self.limiter, group=group
        )
        await self._send(context, message.chat.id, caller, replies)

    async def _on_button(self, update: Update, context: Context) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        chat = query.message.chat if query.message is not None else None
        caller = await self._core(telegram_caller, self.services, user)
        t = translator(caller.language, self.services.context.zone)
        command = await self._core(self.tokens.resolve, caller.person_id, query.data)
        if command is None or chat is None or not self._private(chat):
            await query.answer(check_callback_answer(t("telegram.button_unknown")), show_alert=True)
            if chat is not None:
                await self._send(context, chat.id, caller, [Reply(t("telegram.button_unknown"))])
            return
        await query.answer()
        replies = await self._core(dispatch, self.commands, self.services, caller, command, limiter=self.limiter)
        keyboards = await self._keyboards(context, caller, replies)
        tapped = query.message
        first = replies[0] if replies else None
        # A reply that is a new view with its own buttons (the basket after a tap) replaces the tapped
        # message instead of piling up; anything else arrives as new messages.
        new_view = first is not None and bool(first.buttons) and first.document is None and len(first.text) <= MAX_TEXT
        if first is not None and new_view and isinstance(tapped, Message) and tapped.text is not None:
            try:
                await with_flood_retry(partial(tapped.edit_text, check_text(first.text), reply_markup=keyboards[0]))
            except BadRequest as error:
                if "not modified" not in error.message:  # the same view again is fine as it is
                    raise
            replies, keyboards = replies[1:], keyboards[1:]
        await send_replies(context.bot, chat.id, replies, keyboards)

    async def _on_document(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.document is None:
            return
        caller = await self._caller(context, message.chat, user)
        if not self._private(message.chat):
            await self._point_to_private(context, message.chat, caller)
            return
        t = translator(caller.language, self.services.context.zone)
        document = message.document
        name = PurePath(document.file_name or "plik").name
        if (document.file_size or 0) > MAX_UPLOAD_BYTES:
            replies = [Reply(t("telegram.file_too_large", max=MAX_UPLOAD_BYTES // 1024))]
            await self._send(context, message.chat.id, caller, replies)
            return
        command = _command_for_file(message, name)
        if command is None:
            await self._send(context, message.chat.id, caller, [Reply(t("telegram.unknown_file", name=name[:80]))])
            return
        handle = await context.bot.get_file(document.file_id)
        content = bytes(await handle.download_as_bytearray())
        replies = await self._core(
            dispatch,
            self.commands,
            self.services,
            caller,
            command,
            attachment=content,
            attachment_name=name,
            limiter=self.limiter,
        )
        await self._send(context, message.chat.id, caller, replies)

    async def on_membership(self, update: Update, context: Context) -> None:
        """The bot's own membership changed: removed from a group (kicked, or left), the moderators are told
        once — the removal's date makes the alert's key, so an update delivered again queues nothing new."""
        change = update.my_chat_member
        if change is None or change.chat.type == ChatType.PRIVATE:
            return
        present = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)
        gone = (ChatMember.BANNED, ChatMember.LEFT)
        if change.old_chat_member.status in present and change.new_chat_member.status in gone:
            log.warning("removed from chat %s (%s)", change.chat.id, change.chat.title)
            occasion = str(int(change.date.timestamp()))
            await self._core(report_removed, self.services, change.chat.id, change.chat.title or "", occasion)

    async def on_migration(self, update: Update, context: Context) -> None:
        """A group became a supergroup (a new chat id): what is queued for the old id goes to the new one."""
        message = update.effective_message
        if message is None or message.migrate_to_chat_id is None:
            return
        old, new = message.chat.id, message.migrate_to_chat_id
        moved = await self._core(self.services.outbox.move_address, Channel.TELEGRAM, str(old), str(new))
        log.warning("chat %s became the supergroup %s; %d queued messages follow it", old, new, moved)

    async def on_unsupported(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice, locations …: explain what the bot understands."""
        await self._explain(update, context, "telegram.unsupported")

    async def on_edited(self, update: Update, context: Context) -> None:
        """An edited message is never acted on (the first version may already have been)."""
        await self._explain(update, context, "telegram.edited")

    async def on_error(self, update: object, context: Context) -> None:
        """The catch-all: log the traceback, answer one translated sentence, keep running."""
        log.error("update failed", exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        language = None
        if update.effective_user is not None:
            language = update.effective_user.language_code
            try:
                person = self.services.people.find(Channel.TELEGRAM, str(update.effective_user.id))
                language = person.language if person is not None else language
            except Exception:  # the store may be what failed; answer in Telegram's language then
                log.warning("could not read the language of user %s", update.effective_user.id)
        t = translator(language, self.services.context.zone)
        try:
            await context.bot.send_message(update.effective_chat.id, t("error.internal"))
        except Exception:  # the answer is a courtesy; failing to send it must not raise again
            log.warning("could not send the error answer to chat %s", update.effective_chat.id)

    async def _explain(self, update: Update, context: Context, key: str) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not self._private(message.chat):
            return
        caller = await self._caller(context, message.chat, user)
        t = translator(caller.language, self.services.context.zone)
        await self._send(context, message.chat.id, caller, [Reply(t(key))])

    @staticmethod
    async def _core(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a synchronous core call in a worker thread.

        The core blocks on the store: a SQLite writer may wait up to its busy timeout for another process's
        write lock, a PostgreSQL statement waits for the network. In a thread that wait holds up only this
        update, while the event loop goes on reading and answering everybody else's.
        """
        return await asyncio.to_thread(function, *args, **kwargs)

    async def _keyboards(
        self, context: Context, caller: Caller, replies: list[Reply]
    ) -> list[InlineKeyboardMarkup | None]:
        """The replies' keyboards; their button tokens are stored in a worker thread when there are any."""
        username = username_of(context.bot)
        if not any(reply.buttons for reply in replies):
            return self.tokens.keyboards(caller.person_id, replies, bot_username=username)  # no store involved
        return await self._core(self.tokens.keyboards, caller.person_id, replies, bot_username=username)

    async def _caller(self, context: Context, chat: Chat, user: User) -> Caller:
        caller = await self._core(telegram_caller, self.services, user)
        if self._private(chat):
            await self.menus.ensure(context.bot, chat.id, caller)
        return caller

    async def _point_to_private(self, context: Context, chat: Chat, caller: Caller) -> None:
        t = translator(caller.language, self.services.context.zone)
        link = f"https://t.me/{context.bot.username}"
        await send_replies(context.bot, chat.id, [Reply(t("telegram.private_only", link=link))], [None])

    async def _send(self, context: Context, chat_id: int, caller: Caller, replies: list[Reply]) -> None:
        keyboards = await self._keyboards(context, caller, replies)
        await send_replies(context.bot, chat_id, replies, keyboards)

    @staticmethod
    def _private(chat: Chat) -> bool:
        return chat.type == Chat.PRIVATE


def _command_for_file(message: Message, name: str) -> str | None:
    """The command an upload is meant for: its caption, else by file type."""
    caption = (message.caption or "").strip()
    if caption.startswith("/"):
        return caption
    suffix = PurePath(name).suffix.lower()
    if suffix in DRAFT_SUFFIXES:  # a draft for consultation: the caption names its slug
        return f"/projekt {caption}".strip()
    if suffix == ".toml":
        return "/importuj"
    if suffix == ".csv":
        return f"/lista {caption}".strip()
    return None
