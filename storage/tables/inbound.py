"""Incoming Telegram updates already taken in, so that one delivered again after a crash is not handled twice.

Telegram (and the emulator) delivers an update again until the bot acknowledges it with the next
``getUpdates`` offset — or, with a webhook, until the endpoint answers 200. A bot killed after handling an
update (a ballot stored) but before that acknowledgement gets it again when it restarts. Each update id is
recorded here before it is handled; an id already present is skipped (:mod:`handlers.ledger`). Rows older
than two days are deleted (Telegram keeps an unacknowledged update for at most 24 hours).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from storage.types import UTCDateTime, utcnow

__all__ = ["HandledUpdate"]


class HandledUpdate(SQLModel, table=True):
    """One Telegram ``update_id`` taken in at ``handled_at``."""

    __tablename__ = "handled_update"

    update_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    handled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
