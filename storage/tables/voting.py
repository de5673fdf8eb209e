"""Ballots and participation, kept apart.

A :class:`Ballot` says *what* was chosen and is keyed by ``ballot_key``, an opaque 64-hex HMAC of (process,
person) that the core derives with a secret kept **outside** the store. A :class:`Participation` says *that*
a person took part. No column links one to the other, so in a secret process nobody holding only the database
can join content to person. Revisions: changing a vote inserts a new ballot row with ``revision + 1`` and
clears ``is_current`` on the previous one in the same transaction; a partial unique index allows one current
ballot per (process, ballot_key, round). Only ``receipt_hash`` is stored, never the receipt handed to the
voter.

What the layout alone does not hide, the core hides in a secret process (:mod:`bot.services.voting`): ballot ids
are random (no row order), ``cast_at`` and ``channel`` are left NULL (no time, no channel to pair with a
participation), a changed or withdrawn ballot is deleted rather than kept as history (no revision count or
withdrawal to pair), and participation times are cut to the hour. :class:`Tombstone` keeps erasure from buying
a second ballot; see docs/SECURITY.md for the threat model.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import Channel
from storage.types import JSONType, StrEnumType, UTCDateTime, utcnow

__all__ = ["Ballot", "Participation", "Tombstone"]


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
        # The newest ballot of one process in one index look-up: the results cache's stamp (bot/services/results.py).
        Index("ix_ballot_process_newest", "process_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="RESTRICT")
    ballot_key: str = Field(min_length=64, max_length=64)
    round: int = Field(default=1)
    revision: int = Field(default=1)
    content: dict[str, Any] = Field(sa_type=JSONType)
    receipt_hash: str = Field(max_length=64)
    # NULL in a secret process (except the channel of a paper ballot): nothing a participation could be paired with.
    cast_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: Channel | None = Field(default=None, sa_type=StrEnumType(Channel))
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


class Tombstone(SQLModel, table=True):
    """A person's counted ballot that a later ballot of the same human must replace, never join.

    Written by erasure, one row per (process the erased person took part in, identity they had):
    ``identity_hash`` is HMAC-SHA256(secret key, process, channel, address) — keyed and non-reversible, so a copy
    of the store cannot tell whose it is, and never the address. ``person_id`` is the erased person's anonymous
    stub (its ballot key needs the secret key too). When the identity comes back it is a new person:
    registration finds the row by recomputing the hash and sets ``heir_id``; the heir's next ballot in the process
    retires the stub's ballot and deletes the row. Identity linking (one person, several channels) writes rows with
    ``heir_id`` set at once (``identity_hash`` then keys the predecessor, not an address).
    """

    __tablename__ = "tombstone"
    __table_args__ = (
        UniqueConstraint("process_id", "identity_hash"),
        Index("ix_tombstone_heir", "process_id", "heir_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE")
    identity_hash: str = Field(max_length=64)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    heir_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
