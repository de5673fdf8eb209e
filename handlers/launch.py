"""``glos run``'s Telegram side: the bot (long polling) and the outbox sender, on Telegram or on the emulator.

With no ``[telegram] token`` the built-in emulator is started on ``127.0.0.1:[telegram] emulator_port`` (a free
port when that one is taken) and the bot is connected to it, so the bot runs with no Telegram account; people
talk to it through the emulator's playground routes. Everything runs in one background thread with its own
event loop, so the console stays in the foreground; :meth:`TelegramRuntime.stop` ends it cleanly.

Several processes (``glos serve`` with ``[web] workers``): every one handles webhook updates, but the outbox is
sent by the leader only (:mod:`bot.scheduling.leader`): start with ``send_outbox=False`` and call
:meth:`TelegramRuntime.lead`. ``keep_webhook`` leaves the webhook registered when one process stops, since the
others still serve it. On PostgreSQL the sender's rate is shared across processes (:mod:`storage.pacing`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from bot.app import App
from handlers.application import TelegramBot, build_bot, start_polling, stop_polling
from handlers.emulator import Emulator, EmulatorServer
from handlers.sender import TelegramSender
from handlers.webhook import WEBHOOK_PATH, start_webhook, stop_webhook, webhook_endpoint

__all__ = ["TelegramRuntime", "start"]

log = logging.getLogger(__name__)
EMULATOR_TOKEN = "100000001:GLOS-EMULATOR"


class TelegramRuntime:
    """The running Telegram channel of one bot process."""

    def __init__(
        self, app: App, say: Callable[[str], None], *, send_outbox: bool = True, keep_webhook: bool = False
    ) -> None:
        self.app = app
        self.say = say
        self.send_outbox = send_outbox
        self.keep_webhook = keep_webhook
        self._sending: asyncio.Task[None] | None = None
        self._sending_stop: asyncio.Event | None = None
        self.server: EmulatorServer | None = None
        self.bot: TelegramBot | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="telegram", daemon=True)

    def start(self) -> TelegramRuntime:
        """Start the channel; returns once the bot polls (raises what stopped it from starting)."""
        settings = self.app.settings.telegram
        if settings.token is None:
            self.server = EmulatorServer(Emulator(EMULATOR_TOKEN), port=_port(settings.emulator_port)).start()
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._error is not None:
            raise RuntimeError(f"the Telegram channel did not start: {self._error}") from self._error
        self._announce()
        return self

    def stop(self) -> None:
        """Stop the sender, the polling and the emulator."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(timeout=15)
        if self.server is not None:
            self.server.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # reported to start(); the console keeps working
            log.exception("the Telegram channel stopped")
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        settings = self.app.settings.telegram
        if self.server is not None:
            token, api_url = self.server.emulator.token, self.server.url
        else:
            assert settings.token is not None
            token, api_url = settings.token.get_secret_value(), settings.api_url
        bot = build_bot(self.app.services, self.app.commands, token=token, api_url=api_url)
        self.bot = bot
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        webhook = settings.mode == "webhook"
        if webhook:
            await start_webhook(
                bot, url=self.app.settings.web.public_url.rstrip("/") + WEBHOOK_PATH, secret=self._secret()
            )
        else:
            await start_polling(bot)
        if self.send_outbox:
            await self._set_sending(True)
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self._set_sending(False)
            if not webhook:
                await stop_polling(bot)
            else:
                await stop_webhook(bot, delete=not self.keep_webhook)

    def lead(self, leading: bool) -> None:
        """Start (True) or stop (False) sending the outbox from this process; thread-safe, waits until done."""
        if self._loop is None or self._loop.is_closed() or not self._thread.is_alive():
            self.send_outbox = leading  # not running (yet, or any more): _main starts the sender or not
            return
        asyncio.run_coroutine_threadsafe(self._set_sending(leading), self._loop).result(timeout=60)

    async def _set_sending(self, on: bool) -> None:
        if on and self._sending is None:
            assert self.bot is not None
            rate = self.app.settings.telegram.outbox_rate
            sender = TelegramSender(
                self.bot.application.bot,
                self.app.services,
                worker=f"telegram-sender:{os.getpid()}",
                rate=rate,
                shared=self.app.services.outbox.shared_pace("telegram", rate),
            )
            self._sending_stop = asyncio.Event()
            self._sending = asyncio.create_task(sender.run(self._sending_stop))
        elif not on and self._sending is not None:
            assert self._sending_stop is not None
            self._sending_stop.set()
            await self._sending
            self._sending = self._sending_stop = None

    def _secret(self) -> str:
        secret = self.app.settings.telegram.webhook_secret
        if secret is None or not secret.get_secret_value():
            raise ValueError('[telegram] mode = "webhook" needs a secret: set GLOS_TELEGRAM__WEBHOOK_SECRET')
        return secret.get_secret_value()

    def webhook_endpoint(self) -> Callable[[Request], Awaitable[Response]] | None:
        """The endpoint the web app serves at :data:`WEBHOOK_PATH` in webhook mode (None when polling)."""
        if self.bot is None or self.app.settings.telegram.mode != "webhook":
            return None
        return webhook_endpoint(self.bot, self._secret(), self._loop)

    def _announce(self) -> None:
        if self.server is None:
            self.say(f"Telegram: {self.app.settings.telegram.api_url} (long polling)")
            return
        url = self.server.url
        self.say(f"Telegram: emulator / emulator Bot API: {url}/bot<token>/… (@{self.server.emulator.username})")
        self.say("  Napisz jako mieszkaniec / write as a resident (user 1001):")
        self.say(
            f"    curl -s {url}/_emulator/users/1001/send -H 'content-type: application/json'"
            ' -d \'{"text": "/start bo2027"}\''
        )
        self.say(f"  Odpowiedzi / replies:  curl -s {url}/_emulator/chats/1001")
        self.say("  To piaskownica / a sandbox: the emulator's bot has a store of its own, not the deployment's.")


def start(
    app: App, say: Callable[[str], None], *, send_outbox: bool = True, keep_webhook: bool = False
) -> TelegramRuntime:
    """Start the Telegram channel of ``app`` in the background (see the module docstring)."""
    return TelegramRuntime(app, say, send_outbox=send_outbox, keep_webhook=keep_webhook).start()


def _port(preferred: int) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
