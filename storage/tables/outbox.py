"""The outbox: a durable queue of messages to send, one per (recipient, purpose).

The core writes a row in the same transaction as the change that causes it; senders (Telegram, SMTP) claim
rows by setting ``claimed_by``/``claimed_until`` (a lease, so that a crashed sender's rows become claimable
again), send, and set ``sent_at``. ``key`` is unique — e.g. ``"reminder:bo2027:3d:telegram:123"`` — so a
reminder
scheduled twice, or by two bot processes, is queued once (insert and ignore the conflict).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text, text
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import Channel
from storage.types import JSONType, StrEnumType, UTCDateTime, utcnow

__all__ = ["OutboxMessage"]


class OutboxMessage(SQLModel, table=True):
    """A message waiting to be sent (``sent_at`` NULL) or sent.

    ``payload`` is whatever the channel's sender needs (message key and arguments, rendered text, buttons).
    ``not_before`` delays sending; ``attempts``/``last_error`` record failures. ``person_id`` (NULL for an
    address with no person yet) cascades: deleting a person drops their queued messages.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        # The senders' poll: unsent rows by due time. Partial, so sent history does not bloat it.
        Index(
            "ix_outbox_message_unsent",
            "not_before",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    address: str = Field(max_length=320)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE", index=True)
    purpose: str = Field(max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    not_before: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_type=Text)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
