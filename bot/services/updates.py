"""The update ledger: which channel updates (Telegram ``update_id``) were taken in, so none is handled twice.

A channel records an update *before* handling it (:meth:`HandledUpdates.first_time`); one recorded before is a
delivery again after a crash, and is stopped. Ids are forgotten after :data:`KEEP` (Telegram keeps an
unacknowledged update for at most 24 hours). See :mod:`handlers.ledger` for the Telegram side.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from bot.services.context import ServiceContext
from bot.services.sql import ignore_statement
from storage.models import HandledUpdate

__all__ = ["KEEP", "HandledUpdates"]

KEEP = timedelta(days=2)
"""How long an update id is remembered."""

_TABLE = HandledUpdate.__table__  # type: ignore[attr-defined]


class HandledUpdates:
    """Records update ids in the store."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def first_time(self, update_id: int) -> bool:
        """Record ``update_id``; False when it was recorded before (the update was taken in already)."""
        with self.ctx.connection() as connection:
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
            statement = ignore_statement(connection.dialect.name, _TABLE, ("update_id",), returning="update_id")
            inserted = connection.execute(statement, {"update_id": update_id, "handled_at": self.ctx.clock.now()})
            return inserted.first() is not None

    def prune(self) -> int:
        """Forget ids older than :data:`KEEP`; returns how many."""
        with self.ctx.connection() as connection:
            result = connection.execute(delete(_TABLE).where(_TABLE.c.handled_at < self.ctx.clock.now() - KEEP))
        return int(result.rowcount or 0)
