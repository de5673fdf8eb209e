"""Wiring python-telegram-bot to the core: the Application, its handlers, and starting/stopping long polling.

``api_url`` is Telegram's (``https://api.telegram.org``), a self-hosted Bot API server, or the emulator; the bot
calls ``{api_url}/bot{token}/{method}`` and downloads from ``{api_url}/file/bot{token}/{path}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.commands.table import CommandTable
from bot.services import Services
from handlers.adapter import TelegramAdapter
from handlers.ledger import UpdateLedger

__all__ = ["TelegramBot", "build_bot", "start_polling", "stop_polling"]


@dataclass
class TelegramBot:
    """A built Application and the adapter whose handlers it runs."""

    application: Application
    adapter: TelegramAdapter


def build_bot(
    services: Services, commands: CommandTable, *, token: str, api_url: str, concurrency: int = 16
) -> TelegramBot:
    """An Application pointed at ``api_url`` with the update ledger (each update handled at most once), the
    adapter's handlers and the catch-all error handler.

    Up to ``concurrency`` updates are handled at a time (while one waits for Telegram, another runs); the
    adapter keeps each chat's updates in order.
    """
    adapter = TelegramAdapter(services, commands)
    base = api_url.rstrip("/")

    async def publish_menus(application: Application) -> None:
        await adapter.menus.publish_defaults(application.bot)

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        # A second connection for getUpdates: stopping cancels the pending long poll, and the final call that
        # acknowledges the fetched updates must not wait for that connection (or they are fetched again).
        .get_updates_connection_pool_size(2)
        .concurrent_updates(concurrency)
        .post_init(publish_menus)
        .build()
    )
    # Before any other handler: an update delivered again after a crash is not handled twice (handlers/ledger.py).
    ledger = UpdateLedger(services)
    ledger.prune()
    application.add_handler(TypeHandler(Update, ledger.check), group=-1)
    private_or_group = ~filters.UpdateType.CHANNEL_POSTS
    application.add_handler(CallbackQueryHandler(adapter.on_button))
    application.add_handler(ChatMemberHandler(adapter.on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, adapter.on_migration))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, adapter.on_edited))
    application.add_handler(MessageHandler(filters.Document.ALL & private_or_group, adapter.on_document))
    application.add_handler(MessageHandler(filters.TEXT & private_or_group, adapter.on_text))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, adapter.on_unsupported)
    )
    application.add_error_handler(adapter.on_error)
    return TelegramBot(application, adapter)


async def start_polling(bot: TelegramBot, *, timeout: float = 10.0) -> None:
    """Initialise the Application (menus are published) and start long polling in the running loop."""
    application = bot.application
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0.0, timeout=timedelta(seconds=timeout), allowed_updates=Update.ALL_TYPES
    )


async def stop_polling(bot: TelegramBot) -> None:
    """Stop polling (acknowledging what was fetched) and shut the Application down."""
    application = bot.application
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
