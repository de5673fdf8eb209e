"""Webhook mode: Telegram POSTs each update to our endpoint instead of the bot long-polling for it.

:func:`webhook_endpoint` is a Starlette endpoint for the web app (``bot.web`` mounts it, or :func:`webhook_app`
serves it alone): it refuses any request without the right ``X-Telegram-Bot-Api-Secret-Token`` header (403),
refuses bodies that are not an update (400), and hands updates to the Application's queue — in the
Application's own event loop when the web server runs in another. :func:`start_webhook` registers the URL and
secret with Telegram (``setWebhook``); :func:`stop_webhook` removes it.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update

from handlers.application import TelegramBot

__all__ = ["SECRET_HEADER", "WEBHOOK_PATH", "start_webhook", "stop_webhook", "webhook_app", "webhook_endpoint"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"


def webhook_endpoint(
    bot: TelegramBot, secret: str, loop: asyncio.AbstractEventLoop | None = None
) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint; ``loop`` is the Application's event loop when the web server runs in another thread."""
    if not secret:
        raise ValueError("webhook mode needs [telegram] webhook_secret")
    expected = secret.encode()

    async def endpoint(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        try:
            data = await request.json()
            update = Update.de_json(data, bot.application.bot)
        except (ValueError, KeyError, TypeError):
            return Response(status_code=400)
        put = bot.application.update_queue.put(update)
        if loop is not None and loop is not asyncio.get_running_loop():
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(put, loop))
        else:
            await put
        return Response(status_code=200)

    return endpoint


def webhook_app(
    bot: TelegramBot, secret: str, loop: asyncio.AbstractEventLoop | None = None, path: str = WEBHOOK_PATH
) -> Starlette:
    """A Starlette app with only the webhook endpoint."""
    return Starlette(routes=[Route(path, webhook_endpoint(bot, secret, loop), methods=["POST"])])


async def start_webhook(bot: TelegramBot, *, url: str, secret: str) -> None:
    """Initialise and start the Application (no polling) and register ``url`` and ``secret`` with Telegram."""
    application = bot.application
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await application.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)


async def stop_webhook(bot: TelegramBot, *, delete: bool = True) -> None:
    """Remove the webhook (unless ``delete`` is False: other processes still serve it) and shut the Application
    down."""
    application = bot.application
    if delete:
        await application.bot.delete_webhook()
    if application.running:
        await application.stop()
    await application.shutdown()
