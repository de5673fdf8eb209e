"""Tables of the e-mail channel: reply tokens (stored only as hashes) and processed messages (by Message-ID).

* ``MailToken``: each invitation carries a random token in its reply address (``glos+TOKEN@domain``); the store
  keeps only ``sha256(token)``, so a copy of the database cannot forge replies. A token names one (process,
  person, address), and the hash of the Message-ID it travelled with (which carries no token).
* ``MailMessage``: one row per incoming message, keyed by the hash of its Message-ID, written in the same
  transaction as the vote or opinion the message carries — a replayed or re-fetched message is a no-op.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from storage.types import UTCDateTime, utcnow

__all__ = ["MailMessage", "MailToken"]


class MailToken(SQLModel, table=True):
    """A reply token: ``token_hash`` is the SHA-256 hex of the token; the token itself is never stored."""

    __tablename__ = "mail_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    address: str = Field(max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # sha256 of the Message-ID of the message that carried the token: a reply's In-Reply-To names the member it
    # was meant for (to warn them of a forgery), never authenticates it (an attacker may have copied it)
    reference_hash: str | None = Field(default=None, max_length=64, unique=True)


class MailMessage(SQLModel, table=True):
    """An incoming message already handled: ``outcome`` is accepted, refused, ignored or automatic."""

    __tablename__ = "mail_message"

    id: int | None = Field(default=None, primary_key=True)
    message_hash: str = Field(max_length=64, unique=True)
    message_id: str = Field(max_length=255)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    outcome: str = Field(max_length=32)
    # what kind of automatic mail, why refused or quarantined (``bounce``, ``dmarc-fail``, ``too-complex`` …)
    detail: str | None = Field(default=None, max_length=64)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL", index=True)
    process_id: int | None = Field(default=None, foreign_key="process.id", ondelete="SET NULL", index=True)
