"""Verified residents and linked identities: only keyed hashes, never a name, an address or a PESEL.

* :class:`RegisterEntry` — the city's list of eligible residents for one process, each line an HMAC under the
  secret key of its normalised form (:mod:`bot.addresses`) or of the city's own number; the list itself is never
  stored, and a copy of the database without the key cannot test a guess against it.
* :class:`VerifiedVoter` — that a person proved to be a resident of a process: ``voter_hash`` is a second HMAC
  (of the register line or the PESEL) from which the ballot key of that resident is derived, so the same
  resident is one voter on every channel. It carries no time finer than the day, so it cannot be lined up with
  a ballot. Erased, with the register, ``retention_days`` after the results are published.
* :class:`VerificationAttempt` — a failed attempt (why, on which channel, which day), for the attempt limit and
  the committee's report; never what was typed.
* :class:`LinkCode` / :class:`LinkToken` — a one-time code sent to an e-mail address to link it from Telegram,
  and a one-time token carried by an invitation's "vote in Telegram" link; both stored only as HMACs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import Channel
from storage.types import StrEnumType, UTCDateTime, utcnow

__all__ = ["LinkCode", "LinkToken", "RegisterEntry", "ReplacedBallots", "VerificationAttempt", "VerifiedVoter"]


class RegisterEntry(SQLModel, table=True):
    """One resident on a process's register, as ``HMAC(secret, normalised line)``: its first 128 bits in hex.

    The key is the whole row (a ``WITHOUT ROWID`` table on SQLite): a million residents are one B-tree of
    about 50 MB instead of a table and an index, and an import inserts them in key order (bench/register.py).
    128 bits leave no room for a collision between a city's residents (about 10^-26 for a million lines).
    """

    __tablename__ = "register_entry"
    __table_args__ = ({"sqlite_with_rowid": False},)

    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE", primary_key=True)
    entry_hash: str = Field(max_length=32, primary_key=True)
    # A line that names a resident twice (name and address, and the city's number) is one resident: the number's
    # entry points at the name's (its entry_hash); NULL where the entry is the resident itself (the usual case).
    resident: str | None = Field(default=None, max_length=32)


class VerifiedVoter(SQLModel, table=True):
    """A person verified as a resident in one process; ``voter_hash`` names the resident, keyed."""

    __tablename__ = "verified_voter"
    __table_args__ = (
        UniqueConstraint("process_id", "person_id"),
        Index("ix_verified_voter_resident", "process_id", "voter_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    voter_hash: str = Field(max_length=64)
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    verified_on: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # the day only


class VerificationAttempt(SQLModel, table=True):
    """A failed verification: ``reason`` is a message-id suffix (``no_match``, ``pesel_checksum`` …)."""

    __tablename__ = "verification_attempt"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL", index=True)
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    reason: str = Field(max_length=32)
    day: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)  # the day only


class LinkCode(SQLModel, table=True):
    """A pending e-mail link: the code sent to ``address`` (as an HMAC), until ``expires_at``, with tries left."""

    __tablename__ = "link_code"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", unique=True)
    address: str = Field(max_length=320)
    code_hash: str = Field(max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = Field(default=0)


class LinkToken(SQLModel, table=True):
    """A one-time deep-link token (as an HMAC) that links a Telegram account to ``person_id`` in one tap."""

    __tablename__ = "link_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class ReplacedBallots(SQLModel, table=True):
    """How many ballots of a verified process a later ballot of the same resident from another channel replaced,
    per (channel of the replaced ballot, channel of the one that replaced it): the committee's figure.

    Counted when the replacement happens, so the ballot table keeps no history for it (in a secret process a
    replaced ballot is deleted: a revision count or a channel could be paired with a participation). Counts
    only; erased with the rest of the verification data.
    """

    __tablename__ = "replaced_ballots"

    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE", primary_key=True)
    replaced: Channel = Field(sa_type=StrEnumType(Channel), primary_key=True)
    replacing: Channel = Field(sa_type=StrEnumType(Channel), primary_key=True)
    count: int = Field(default=0)
