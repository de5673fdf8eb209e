"""Core replies as Telegram messages: text split under 4,096 characters, inline keyboards, documents.

Interactive replies honour flood control: on 429 (``RetryAfter``) the send waits ``retry_after`` and tries again
(up to a minute of waiting in all); a server error (5xx, a refused connection) is tried again after a short
backoff, since the vote behind a receipt is already stored and the receipt must reach the voter (a timeout is
not: the message may have gone out, and sending it again would double it); a user who blocked the bot (403) is
logged and skipped. Bulk messages go through :mod:`handlers.sender` instead, which records every outcome in the
outbox.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from bot.replies import Reply
from bot.summaries.split import split_text
from handlers.limits import MAX_CAPTION, MAX_TEXT, check_caption, check_text

__all__ = [
    "MAX_CAPTION",
    "MAX_TEXT",
    "reply_parts",
    "retry_after",
    "send_replies",
    "send_reply",
    "split_text",
    "with_flood_retry",
]

log = logging.getLogger(__name__)
T = TypeVar("T")


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def retry_after(error: RetryAfter) -> float:
    """Seconds to wait, read without python-telegram-bot's deprecation warning (int today, timedelta later)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _seconds(error.retry_after)


async def with_flood_retry(send: Callable[[], Awaitable[T]], attempts: int = 4, flood_budget: float = 60.0) -> T:
    """Run ``send``. On 429 wait ``retry_after`` and try again, as long as the waits add up to at most
    ``flood_budget`` seconds (a storm of 429s is waited out, not given up after a few); on a server error (5xx,
    no connection; not a timeout) wait 0.25, 0.5, 1 … s and try again, up to ``attempts`` times."""
    waited = 0.0
    failures = 0
    while True:
        try:
            return await send()
        except RetryAfter as error:
            wait = retry_after(error)
            if waited + wait > flood_budget:
                raise
            waited += wait
            await asyncio.sleep(wait)
        except TimedOut:
            raise
        except NetworkError:
            failures += 1
            if failures >= attempts:
                raise
            await asyncio.sleep(0.25 * 2 ** (failures - 1))


def reply_parts(
    bot: Bot, chat_id: int, reply: Reply, keyboard: InlineKeyboardMarkup | None
) -> list[Callable[[], Awaitable[Message]]]:
    """The Telegram messages one reply becomes, as calls to make in order: a document (the text as its caption
    when it fits) or text parts of at most 4,096 characters; the buttons go on the last text part."""
    calls: list[Callable[[], Awaitable[Message]]] = []
    text = reply.text
    if reply.document is not None:
        document = reply.document
        caption = check_caption(text) if len(text) <= MAX_CAPTION else None
        calls.append(
            partial(
                bot.send_document,
                chat_id,
                InputFile(document.content, filename=document.filename),
                caption=caption,
                reply_markup=keyboard if caption is not None else None,
            )
        )
        if caption is not None:
            return calls
    parts = split_text(text) or ["…"]  # an empty reply still says something
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        calls.append(partial(bot.send_message, chat_id, check_text(part), reply_markup=markup))
    return calls


async def send_reply(
    bot: Bot, chat_id: int, reply: Reply, keyboard: InlineKeyboardMarkup | None, *, attempts: int = 4
) -> list[Message]:
    """Send one reply (see :func:`reply_parts`); each part through :func:`with_flood_retry`."""
    return [await with_flood_retry(call, attempts) for call in reply_parts(bot, chat_id, reply, keyboard)]


async def send_replies(
    bot: Bot, chat_id: int, replies: Sequence[Reply], keyboards: Sequence[InlineKeyboardMarkup | None]
) -> list[Message]:
    """Send every reply in order; a blocked user (403) ends the sending quietly."""
    sent: list[Message] = []
    try:
        for reply, keyboard in zip(replies, keyboards, strict=True):
            sent += await send_reply(bot, chat_id, reply, keyboard)
    except Forbidden:
        log.info("chat %s blocked the bot; replies dropped", chat_id)
    return sent
