"""Who may take part in a process: roster entries, invite codes, and the resulting eligibility grants.

A roster or an invite code is *evidence*; an :class:`Eligibility` row is the decision the core took from it
(or from an open process, or from a declared district), one per person and process.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import Channel, EligibilityMode
from storage.types import StrEnumType, UTCDateTime, utcnow

__all__ = ["Eligibility", "InviteCode", "RosterEntry", "hash_invite_code"]


def hash_invite_code(code: str) -> str:
    """The SHA-256 hex digest stored for an invite code; the code itself is never stored.

    The code is normalised first — spaces and dashes dropped, upper-cased — so ``abcd-efgh`` typed from a
    poster matches ``ABCDEFGH`` as issued. Codes must be long and random enough that the hash cannot be
    brute-forced (the core issues them; 10+ characters of a 32-letter alphabet).
    """
    normalized = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


class RosterEntry(SQLModel, table=True):
    """A name on a process's roster: this address on this channel may take part (in ``district``, when set).

    ``address`` is canonical (``storage.models.normalize_address``): e-mail addresses lower-cased.
    """

    __tablename__ = "roster_entry"
    __table_args__ = (UniqueConstraint("process_id", "channel", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE")
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    address: str = Field(max_length=320)
    name: str | None = Field(default=None, max_length=200)
    organisation: str | None = Field(default=None, max_length=300)
    # the area (a definition's district key) the member takes part in, when the roster says: an NGO's municipality
    district: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InviteCode(SQLModel, table=True):
    """A single-use invite code, stored as its SHA-256 hash (:func:`hash_invite_code`).

    ``batch`` labels a printed batch (``"Rada Seniorów"``) so a moderator can count or revoke it. A code is
    used once ``used_at`` is set; ``used_by`` names the person and becomes NULL if that person row is deleted.
    """

    __tablename__ = "invite_code"

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    batch: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Eligibility(SQLModel, table=True):
    """A person may take part in a process; ``source`` says why, ``district`` where they vote (if any)."""

    __tablename__ = "eligibility"
    __table_args__ = (UniqueConstraint("process_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    district: str | None = Field(default=None, max_length=64)
    source: EligibilityMode = Field(sa_type=StrEnumType(EligibilityMode))
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
