"""The updates waiting for the bot: long polling (``getUpdates``) or delivery to a webhook, as Telegram does.

An update stays until the bot acknowledges it — by asking ``getUpdates`` for a later ``offset``, or by its webhook
answering 200. Webhook delivery is in order, with the ``X-Telegram-Bot-Api-Secret-Token`` header, retried a few
times; each attempt's final status is kept in :attr:`UpdateQueue.deliveries`.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any

__all__ = ["UpdateQueue"]


class UpdateQueue:
    """Thread-safe: users push from a test's thread, the bot polls from the server's event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        # Like Telegram's, update ids only grow, also across emulators: a bot restarted on a fresh emulator with the
        # same store must not take new updates for ones it handled before (handlers/ledger.py remembers ids).
        self._update_ids = itertools.count(time.time_ns() // 1000)
        self._acknowledged = 0
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._closing = False
        self._delivery_lock: asyncio.Lock | None = None
        self.server_loop: asyncio.AbstractEventLoop | None = None  # the loop webhook deliveries run on
        self.webhook_url = ""
        self.webhook_secret = ""
        self.deliveries: list[tuple[int, int]] = []  # (update id, HTTP status) of webhook deliveries

    def push(self, body: dict[str, Any]) -> int:
        """Queue an update (``{"message": …}``, ``{"callback_query": …}``…); its new ``update_id``."""
        with self._lock:
            update_id = next(self._update_ids)
            update = {"update_id": update_id, **body}
            self._updates.append(update)
            waiters, self._waiters = self._waiters, []
            webhook, loop = self.webhook_url, self.server_loop
        for waiting_loop, waiter in waiters:
            waiting_loop.call_soon_threadsafe(_wake, waiter)
        if webhook and loop is not None:
            asyncio.run_coroutine_threadsafe(self._deliver(update), loop)
        return update_id

    def pending(self) -> int:
        """Updates not yet acknowledged by the bot."""
        with self._lock:
            return sum(1 for update in self._updates if update["update_id"] > self._acknowledged)

    def set_webhook(self, url: str, secret: str) -> None:
        """Deliver future updates to ``url`` (empty: back to long polling)."""
        with self._lock:
            self.webhook_url, self.webhook_secret = url, secret

    def drop_pending(self) -> None:
        """Forget every update not yet acknowledged (``drop_pending_updates``)."""
        with self._lock:
            self._acknowledged = max((u["update_id"] for u in self._updates), default=self._acknowledged)
            self._updates = []

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

    async def poll(self, offset: int, limit: int, timeout: float) -> list[dict[str, Any]]:
        """``getUpdates``: acknowledge below ``offset``, then the next ``limit`` updates, waiting up to
        ``timeout`` seconds for one."""
        deadline = time.monotonic() + max(0.0, timeout)
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


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
