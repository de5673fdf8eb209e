"""Admission control for the web app: a bounded number of requests at work, a bounded queue, and a quick 503.

Every request that renders a page, a chart, an export or JSON holds a worker thread and the database for a
while; under a burst (a results day, a link shared on social media) letting all of them in at once exhausts the
thread pool and the connection pool, and every client then waits — some until they give up, with a hung
connection. :class:`ConcurrencyLimiter` (a pure ASGI middleware) lets ``max_active`` requests work, parks up to
``max_queued`` more in a FIFO queue for at most ``queue_timeout`` seconds, and answers everything beyond that at
once with ``503 Service Unavailable`` and ``Retry-After``: an overloaded server degrades to fast, honest refusals
and recovers by itself as soon as the burst passes (nothing is kept between requests). Only the public pages
are limited — ``/`` and the prefixes in ``paths`` (``/p/``, ``/api/``): the Telegram webhook (votes), the
playground, static files, ``/healthz`` and ``/metrics`` pass untouched, so a crowd of readers never delays a
vote and monitoring keeps seeing the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["ConcurrencyLimiter"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ConcurrencyLimiter:
    """ASGI middleware: at most ``max_active`` public-page requests inside ``app``, at most ``max_queued`` waiting (each
    for at most ``queue_timeout`` seconds); the rest get 503 with ``Retry-After: retry_after``.

    ``refusal(scope)`` gives the 503's content type and body (the app renders it in the reader's language);
    ``on_refused`` is called for each refusal (a metric). ``active`` and ``queued`` are the current counts. Runs on
    one event loop, like uvicorn's worker: no locks needed.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_active: int,
        max_queued: int,
        queue_timeout: float,
        retry_after: int = 5,
        paths: tuple[str, ...] = ("/p/", "/api/"),
        on_refused: Callable[[], None] | None = None,
        refusal: Callable[[Scope], tuple[bytes, bytes]] | None = None,
    ) -> None:
        self.app = app
        self.max_active = max_active
        self.max_queued = max_queued
        self.queue_timeout = queue_timeout
        self.retry_after = retry_after
        self.paths = paths
        self.on_refused = on_refused
        self.refusal = refusal or _plain_refusal
        self.active = 0
        self._waiters: list[asyncio.Future[None]] = []

    @property
    def queued(self) -> int:
        """Requests waiting for a slot."""
        return len(self._waiters)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/" or path.startswith(self.paths)):
            await self.app(scope, receive, send)
            return
        if not await self._enter():
            await self._refuse(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._leave()

    async def _enter(self) -> bool:
        """Take a slot, waiting in the queue if there is room; False when refused."""
        if self.active < self.max_active and not self._waiters:
            self.active += 1
            return True
        if len(self._waiters) >= self.max_queued:
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            # wait_for returns the result if the slot was handed over as the timeout struck.
            await asyncio.wait_for(waiter, self.queue_timeout)
        except TimeoutError:
            return False
        except asyncio.CancelledError:  # the client went away or the server stops
            if waiter.done() and not waiter.cancelled():
                self._leave()  # a slot handed to us just now: pass it on instead of leaking it
            raise
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        return True  # the slot was handed to us by _leave (``active`` stayed as it was)

    def _leave(self) -> None:
        """Give the slot to the first waiter still waiting, else free it."""
        while self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                return
        self.active -= 1

    async def _refuse(self, scope: Scope, send: Send) -> None:
        if self.on_refused is not None:
            self.on_refused()
        content_type, body = self.refusal(scope)
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", content_type),
                    (b"retry-after", str(self.retry_after).encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _plain_refusal(scope: Scope) -> tuple[bytes, bytes]:
    return b"text/plain; charset=utf-8", b"503 Service Unavailable\n"
