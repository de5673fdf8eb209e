"""Driving a running bot as Telegram users, for tests, benchmarks and demos.

:class:`Harness` owns a bot built on the core's services and pointed at an emulator server; it starts and
restarts the bot (long polling), and each step (:meth:`Harness.say`, :meth:`Harness.tap`, :meth:`Harness.upload`)
waits until the bot has *finished* handling that update — a handler in the last group marks it — so
transcripts are deterministic without sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.commands.registry import COMMANDS
from bot.services import Services
from handlers.application import TelegramBot, build_bot, start_polling, stop_polling
from handlers.emulator.driver import Emulator
from handlers.emulator.server import EmulatorServer
from handlers.emulator.state import BotMessage

__all__ = ["Harness", "Transcript"]

Transcript = Sequence[tuple[str, Sequence[str]]]


class Harness:
    """Acts as Telegram users against a running bot and reads what each chat received."""

    def __init__(self, emulator: Emulator, server: EmulatorServer, services: Services) -> None:
        self.emulator = emulator
        self.server = server
        self.services = services
        self.bot: TelegramBot | None = None
        self.poll_timeout = 5.0
        self._done: set[int] = set()
        self.finished: dict[int, float] = {}  # update id → time.monotonic() when the bot finished it
        self._changed = asyncio.Event()

    async def start(self) -> None:
        """Build and start a fresh bot (a restart when one ran before)."""
        self.bot = build_bot(self.services, COMMANDS, token=self.emulator.token, api_url=self.server.url)

        async def mark(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            self._done.add(update.update_id)
            self.finished[update.update_id] = time.monotonic()
            self._changed.set()

        self.bot.application.add_handler(TypeHandler(Update, mark), group=1000)
        self.emulator.reopen()
        await start_polling(self.bot, timeout=self.poll_timeout)

    async def stop(self) -> None:
        """Stop the bot (its memory is gone; the store and Telegram's side remain)."""
        if self.bot is not None:
            await stop_polling(self.bot)
            self.bot = None

    async def handled(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot finished handling ``update_id``."""
        async with asyncio.timeout(timeout):
            while update_id not in self._done:
                self._changed.clear()
                await self._changed.wait()

    async def upload(self, user_id: int, filename: str, content: bytes, caption: str | None = None) -> str:
        """The user sends a document; the bot's answer."""
        before = len(self.emulator.received(user_id))
        update_id = self.emulator.upload(user_id, filename, content, caption=caption)
        await self.handled(update_id)
        return _joined(self.emulator.received(user_id)[before:])

    async def answer(self, user_id: int, update_id: int) -> str:
        """Wait for an update the test pushed itself; what the user's chat received meanwhile."""
        before = len(self.emulator.received(user_id))
        await self.handled(update_id)
        return _joined(self.emulator.received(user_id)[before:])

    async def say(self, user_id: int, text: str) -> str:
        """The user sends ``text``; the bot's answer."""
        before = len(self.emulator.received(user_id))
        update_id = self.emulator.send_text(user_id, text)
        await self.handled(update_id)
        return _joined(self.emulator.received(user_id)[before:])

    async def tap(self, user_id: int, label: str, *, chat_id: int | None = None) -> str:
        """The user taps the newest button labelled ``label`` (in the group ``chat_id``, else in their private
        chat); the bot's answer in the private chat (new and edited messages; a deep link's ``/start`` too)."""
        before = {m.message_id: m.edits for m in self.emulator.received(user_id)}
        update_id = self.emulator.tap(user_id, label, chat_id=chat_id)
        await self.handled(update_id)
        changed = [m for m in self.emulator.received(user_id) if before.get(m.message_id, -1) != m.edits]
        return _joined(changed)

    async def play(self, user_id: int, transcript: Transcript) -> list[str]:
        """Each line is sent (``[label]`` taps a button); each expected fragment must be in the answer."""
        answers = []
        for line, expected in transcript:
            if line.startswith("[") and line.endswith("]"):
                answer = await self.tap(user_id, line[1:-1])
            else:
                answer = await self.say(user_id, line)
            for fragment in expected:
                assert fragment in answer, f"after {line!r} expected {fragment!r} in:\n{answer}"
            answers.append(answer)
        return answers

    def last(self, chat_id: int) -> BotMessage:
        """The newest message in the chat."""
        return self.emulator.received(chat_id)[-1]


def _joined(messages: list[BotMessage]) -> str:
    lines = []
    for message in messages:
        lines.append(message.text)
        lines += [f"[{label}]" for label in message.labels]
        if message.document is not None:
            lines.append(f"📎 {message.document.filename}")
    return "\n".join(lines).replace("\u00a0", " ")
