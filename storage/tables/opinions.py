"""Opinions: free text about a process or one § section, moderated and answered by the authority.

``person_id`` becomes NULL when the author is erased (the text stays for the consultation report, which never
names authors anyway); the moderators' and responders' ids likewise. ``source_message_id`` is the e-mail
``Message-ID`` (or a channel's message id) the opinion came from, unique so that re-reading a mailbox does not
duplicate opinions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import Channel, ModerationStatus, ResponseStatus
from storage.types import StrEnumType, UTCDateTime, utcnow

__all__ = ["Opinion"]


class Opinion(SQLModel, table=True):
    """An opinion with its moderation status and the authority's response (raport z konsultacji).

    ``item_id`` anchors it to a § section (NULL: the process as a whole); an item with opinions cannot be
    deleted (``RESTRICT``).
    """

    __tablename__ = "opinion"
    __table_args__ = (Index("ix_opinion_process_status", "process_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="RESTRICT")
    item_id: int | None = Field(default=None, foreign_key="item.id", ondelete="RESTRICT", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL", index=True)
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    text: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: ModerationStatus = Field(default=ModerationStatus.PENDING, sa_type=StrEnumType(ModerationStatus))
    moderated_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    moderated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response_status: ResponseStatus | None = Field(default=None, sa_type=StrEnumType(ResponseStatus))
    response_text: str | None = Field(default=None, sa_type=Text)
    responded_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    source_message_id: str | None = Field(default=None, max_length=512, unique=True)
