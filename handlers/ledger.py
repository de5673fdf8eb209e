"""Each Telegram update is handled at most once, even when it is delivered again after a crash.

Telegram delivers an update until the bot acknowledges it (the next ``getUpdates`` offset, or a webhook's 200).
A bot killed between handling an update — a ballot stored — and that acknowledgement is given the update again
when it restarts, and without this ledger would cast the ballot a second time. :class:`UpdateLedger` records
the ``update_id`` in the store (:class:`storage.models.HandledUpdate`) *before* the adapter sees it, in a
handler group that runs first; an id already recorded stops the update there (logged).

The price is the other side of the same window: a bot killed after the record but before the reply leaves that
one update unanswered, and the person sends it again — exactly as with an update fetched but not yet handled
when the bot died. Nothing acknowledged is lost, and nothing is done twice.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.services import Services
from bot.services.updates import KEEP, HandledUpdates

__all__ = ["KEEP", "UpdateLedger"]

log = logging.getLogger(__name__)


class UpdateLedger:
    """Records update ids in the store; :meth:`check` is the python-telegram-bot handler (group -1)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.updates = HandledUpdates(services.context)

    def first_time(self, update_id: int) -> bool:
        """Record ``update_id``; False when it was recorded before (the update was taken in already)."""
        return self.updates.first_time(update_id)

    def prune(self) -> int:
        """Forget ids older than :data:`KEEP`; returns how many."""
        return self.updates.prune()

    async def check(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Let a new update through to the adapter; stop one seen before."""
        if not isinstance(update, Update):
            return
        if not await asyncio.to_thread(self.first_time, update.update_id):
            log.warning("update %s was delivered again after a restart; it was handled before", update.update_id)
            raise ApplicationHandlerStop
