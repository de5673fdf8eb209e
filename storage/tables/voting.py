"""Ballots and participation, kept apart.

A :class:`Ballot` says *what* was chosen and is keyed by ``ballot_key``, an opaque 64-hex HMAC of (process,
person) that the core derives with a secret kept **outside** the store. A :class:`Participation` says *that*
a person took part. No column links one to the other, so in a secret process nobody holding only the database
can join content to person. Revisions: changing a vote inserts a new ballot row with ``revision + 1`` and
clears ``is_current`` on the previous one in the same transaction; a partial unique index allows one current
ballot per (process, ballot_key, round). Only ``receipt_hash`` is stored, never the receipt handed to the
voter.

What this layout does not hide by itself: row order and timestamps. ``Ballot.id``/``cast_at`` and
``Participation.first_at``/``last_at`` can be correlated by time; for secret processes the core should coarsen
what it writes (e.g. ``cast_at`` to the day) — the store accepts any aware datetime.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import Channel
from storage.types import JSONType, StrEnumType, UTCDateTime, utcnow

__all__ = ["Ballot", "Participation"]


class Ballot(SQLModel, table=True):
    """One revision of one voter's ballot in one round. Deliberately has no person column (module docstring).

    ``content`` is a :data:`bot.domain.Ballot` (pool key → that pool's vote) as JSON. ``withdrawn`` marks a
    current row that withdraws the vote (it is not counted). ``round`` is 2 for the "after" round of a
    deliberative poll.
    """

    __tablename__ = "ballot"
    __table_args__ = (
        UniqueConstraint("process_id", "ballot_key", "round", "revision"),
        # Table models are not validated by pydantic; the database keeps the key opaque but well-formed.
        CheckConstraint("length(ballot_key) = 64", name="ballot_key_length"),
        Index("ix_ballot_current", "process_id", "round", "is_current"),
        Index(
            "uq_ballot_one_current",
            "process_id",
            "ballot_key",
            "round",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_ballot_receipt_hash", "process_id", "receipt_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="RESTRICT")
    ballot_key: str = Field(min_length=64, max_length=64)
    round: int = Field(default=1)
    revision: int = Field(default=1)
    content: dict[str, Any] = Field(sa_type=JSONType)
    receipt_hash: str = Field(max_length=64)
    cast_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    is_current: bool = Field(default=True)
    withdrawn: bool = Field(default=False)


class Participation(SQLModel, table=True):
    """That a person took part in a process round, on which channel, first and last time. No ballot link.

    One row per (process, person, round): a changed vote updates ``last_at``; a withdrawn vote sets
    ``withdrawn``. The person foreign key is ``RESTRICT``: erase people by anonymising them (see
    :mod:`storage.tables.people`), so turnout stays what it was.
    """

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("process_id", "person_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="RESTRICT")
    person_id: int = Field(foreign_key="person.id", ondelete="RESTRICT", index=True)
    round: int = Field(default=1)
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    first_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn: bool = Field(default=False)
