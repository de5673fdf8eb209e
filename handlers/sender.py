"""The durable outbox sender for Telegram: what the core queued in :mod:`bot.services.outbox` goes out here.

Contract:

* Messages are claimed (leased) in batches and sent paced at ``rate`` messages per second (under Telegram's
  ~30/s for bulk messages by default), up to ``concurrency`` chats at a time; one chat's messages go in order.
  With ``shared`` (a :class:`~bot.services.outbox.SharedPace`, on PostgreSQL) the rate holds across every process
  sending for this bot, not just this one.
* 429 (flood control): the sender pauses for ``retry_after`` — the whole sender, since the limit is the bot's —
  and tries the same message again; after a few tries the message is released to the outbox with that delay.
* 403 (the user blocked the bot) and 400 (no such chat): that recipient is unreachable, the message is given up
  (recorded with the reason, never sent), and so is anything else queued for that chat in this run. A group's
  moderators hear of it once (:func:`~bot.scheduling.undeliverable.report_undeliverable`), not per message — and
  not at all when the bot was kicked, which the adapter reported when Telegram said so (``my_chat_member``).
* A group upgraded to a supergroup (400 with ``migrate_to_chat_id``): everything queued for the old id moves to
  the new one and the message is sent again there; later messages to the old id go to the new one directly.
* Any other failure (network) releases the message with the outbox's backoff.
* A message is marked as being sent right before its first part goes to Telegram, and sent right after Telegram
  accepted it; a crashed sender's lease runs out and another sender takes the rest. The messages in flight
  during a crash are given up, not sent again (:data:`bot.services.outbox.INTERRUPTED`): nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.domain import Channel
from bot.scheduling.undeliverable import report_undeliverable
from bot.services import Services
from bot.services.outbox import QueuedMessage, SharedPace, payload_reply
from handlers.buttons import ButtonTokens, username_of
from handlers.limits import LimitExceeded
from handlers.replies import reply_parts, retry_after

__all__ = ["SendReport", "TelegramSender"]

log = logging.getLogger(__name__)
_FLOOD_TRIES = 5


@dataclass
class SendReport:
    """What one or more rounds did."""

    sent: int = 0
    given_up: int = 0
    retried: int = 0
    flood_waits: int = 0

    def add(self, other: SendReport) -> None:
        """Accumulate ``other`` into this report."""
        self.sent += other.sent
        self.given_up += other.given_up
        self.retried += other.retried
        self.flood_waits += other.flood_waits


class TelegramSender:
    """Sends the Telegram channel's outbox through ``bot``."""

    def __init__(
        self,
        bot: Bot,
        services: Services,
        *,
        worker: str = "telegram-sender",
        rate: float | None = 28.0,
        batch: int = 100,
        lease: timedelta = timedelta(seconds=120),
        concurrency: int = 4,
        shared: SharedPace | None = None,
    ) -> None:
        self.bot = bot
        self.services = services
        self.worker = worker
        self.interval = 1.0 / rate if rate else 0.0
        self.batch = batch
        self.lease = lease
        self.tokens = ButtonTokens(services)
        self.concurrency = max(1, concurrency)
        self._unreachable: set[int] = set()
        self._moved: dict[int, int] = {}  # group → the supergroup it became
        self._next_slot = 0.0
        self._paused_until = 0.0  # flood control pauses the whole sender: the limit is the bot's
        self.shared = shared
        self._shared_queue: asyncio.Lock | None = None  # one waiter per process at the store (one connection)

    async def send_due(self) -> SendReport:
        """Claim one batch of due messages and send them; an empty report when none was due."""
        report = SendReport()
        claimed = await asyncio.to_thread(
            self.services.outbox.claim, Channel.TELEGRAM, worker=self.worker, limit=self.batch, lease=self.lease
        )
        by_chat: dict[str, list[QueuedMessage]] = {}
        for message in claimed:
            by_chat.setdefault(message.address, []).append(message)
        slots = asyncio.Semaphore(self.concurrency)

        async def one_chat(messages: list[QueuedMessage]) -> None:
            for message in messages:  # in order within a chat
                async with slots:
                    await self._send(message, report)

        await asyncio.gather(*(one_chat(messages) for messages in by_chat.values()))
        return report

    async def drain(self) -> SendReport:
        """Send rounds until nothing is due (tests, benchmarks, a one-off broadcast)."""
        total = SendReport()
        while True:
            report = await self.send_due()
            total.add(report)
            if report.sent + report.given_up + report.retried == 0:
                return total

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Send until ``stop`` is set, checking the outbox every ``idle`` seconds when it is empty."""
        while not stop.is_set():
            try:
                report = await self.send_due()
            except Exception:  # the store may be briefly unavailable; the sender must outlive it
                log.exception("outbox round failed")
                report = SendReport()
            if report.sent + report.given_up + report.retried == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle)

    async def _send(self, message: QueuedMessage, report: SendReport) -> None:
        try:
            chat_id = int(message.address)
        except ValueError:
            self._give_up(message, f"not a Telegram chat id: {message.address[:40]}", report)
            return
        chat_id = self._moved.get(chat_id, chat_id)
        if chat_id in self._unreachable:
            self._give_up(message, "unreachable: blocked the bot earlier", report, tell=False)
            return
        reply = payload_reply(message.payload)
        keyboard = None
        try:
            if reply.buttons:  # a group (no person) keeps only link buttons; see ButtonTokens.keyboards
                keyboard = self.tokens.keyboards(message.person_id, [reply], bot_username=username_of(self.bot))[0]
            # A long reply is several Telegram messages: after a 429 the sending resumes at the refused part, so
            # the parts already delivered are not sent again.
            parts = reply_parts(self.bot, chat_id, reply, keyboard)
        except LimitExceeded as error:  # Telegram would refuse it: a defect to fix, not a message to retry
            log.error("outbox message %s is over Telegram's limits: %s", message.key, error)
            self._give_up(message, f"over Telegram's limits: {error}", report, tell=False)
            return
        sending = False
        for _attempt in range(_FLOOD_TRIES):
            try:
                while parts:
                    await self._pace()
                    if not sending:  # from here it may arrive: a crash before mark_sent must not send it again
                        await asyncio.to_thread(self.services.outbox.mark_sending, message.id, worker=self.worker)
                        sending = True
                    await parts[0]()
                    parts.pop(0)
            except RetryAfter as error:
                report.flood_waits += 1
                wait = retry_after(error)
                log.info("flood control: waiting %.1f s", wait)
                self._paused_until = max(self._paused_until, time.monotonic() + wait)
                continue
            except ChatMigrated as error:
                new_chat_id = int(error.new_chat_id)
                log.warning(
                    "chat %s became the supergroup %s: queued messages follow it (update [telegram] chats)",
                    chat_id,
                    new_chat_id,
                )
                self._moved[chat_id] = new_chat_id
                await asyncio.to_thread(
                    self.services.outbox.move_address, Channel.TELEGRAM, str(chat_id), str(new_chat_id)
                )
                remaining = len(parts)
                chat_id = new_chat_id
                parts = reply_parts(self.bot, chat_id, reply, keyboard)[-remaining:]
                continue
            except Forbidden as error:
                self._unreachable.add(chat_id)
                # A kick was reported when the bot was told of it (TelegramAdapter.on_membership).
                self._give_up(message, f"unreachable: {error.message}", report, tell="kicked" not in error.message)
                return
            except BadRequest as error:
                self._give_up(message, f"refused: {error.message}", report)
                return
            except TelegramError as error:
                await asyncio.to_thread(
                    self.services.outbox.mark_failed, message.id, f"{type(error).__name__}: {error}"
                )
                report.retried += 1
                return
            await asyncio.to_thread(self.services.outbox.mark_sent, message.id, worker=self.worker)
            report.sent += 1
            return
        await asyncio.to_thread(
            self.services.outbox.mark_failed, message.id, "flood control", retry_after=timedelta(seconds=5)
        )
        report.retried += 1

    def _give_up(self, message: QueuedMessage, reason: str, report: SendReport, *, tell: bool = True) -> None:
        # The outbox gives a message up after its last allowed attempt; an unreachable recipient uses them all.
        while self.services.outbox.mark_failed(message.id, reason, retry_after=timedelta(0)):
            pass
        report.given_up += 1
        if tell and message.address.startswith("-"):  # a group or a channel (ids below 0): tell the moderators
            report_undeliverable(self.services, message, reason)

    async def _pace(self) -> None:
        while (pause := self._paused_until - time.monotonic()) > 0:
            await asyncio.sleep(pause)
        if self.shared is not None:
            if self._shared_queue is None:
                self._shared_queue = asyncio.Lock()
            async with self._shared_queue:
                await asyncio.to_thread(self.shared.slot)
            return
        if not self.interval:
            return
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval  # reserve the slot before sleeping: concurrent sends queue up
        if slot > now:
            await asyncio.sleep(slot - now)
