"""People, their identities on each channel, their roles, and their dialogue state.

Erasure (GDPR art. 17) **anonymises** a :class:`Person` rather than deleting the row: ``display_name`` becomes
NULL, ``erased_at`` is set, identities and dialogue state are deleted, opinions get ``person_id = NULL``. The
row itself stays because :class:`~storage.tables.voting.Participation` rows keep pointing at it (turnout must
not change after the fact) and the foreign key from participation is ``RESTRICT``. Ballots never point at a
person at all. Deleting a person row outright is still possible for someone who never took part: identities,
roles, eligibility, dialogue state and queued messages go with it (``CASCADE``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import Channel, RoleName
from storage.types import JSONType, StrEnumType, UTCDateTime, utcnow

__all__ = ["DialogueState", "Identity", "Person", "Role", "normalize_address"]


def normalize_address(channel: Channel | str, address: str) -> str:
    """The canonical form of an address on ``channel``, as stored in ``identity`` and ``roster_entry``.

    E-mail addresses are stripped and lower-cased (the local part is case-sensitive by the RFC, but no real
    mail system treats it so, and a roster typed by hand must match a reply); Telegram user ids are decimal
    text; anything else is stripped.
    """
    address = address.strip()
    if Channel(channel) is Channel.EMAIL:
        return address.lower()
    if Channel(channel) is Channel.TELEGRAM:
        return str(int(address))
    return address


class Person(SQLModel, table=True):
    """A participant (or moderator); one vote per process however many identities they have.

    ``reminders_opt_out`` is the global "never remind me" switch. ``language`` is a catalogue code
    (``pl``, ``en``, ``uk``). See the module docstring for erasure.
    """

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    display_name: str | None = Field(default=None, max_length=200)
    language: str = Field(default="pl", max_length=8)
    reminders_opt_out: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Identity(SQLModel, table=True):
    """One address of a person on one channel; an address belongs to at most one person.

    ``address`` is canonical (see :func:`normalize_address`): a Telegram user id as text, a lower-cased
    e-mail address, a console user name. ``verified_at`` is set once the person proved they control it
    (an e-mail reply, a Telegram message). ``username`` is the Telegram ``@username`` last seen (without the
    ``@``), so that a roster naming ``@username`` finds the account.
    """

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    address: str = Field(max_length=320)
    username: str | None = Field(default=None, max_length=64, index=True)  # Telegram @username, lower case
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Role(SQLModel, table=True):
    """A role held by a person: for one organisation's processes (``organisation_id``), in one process, or
    (both NULL) everywhere.

    Uniqueness of (person, role, process) is a unique constraint for process roles, of (person, role,
    organisation) a unique index; because SQL treats NULLs as distinct, global roles get their own partial
    unique index on (person, role) where both are NULL.
    """

    __tablename__ = "role"
    __table_args__ = (
        UniqueConstraint("person_id", "role", "process_id"),
        Index(
            "uq_role_global",
            "person_id",
            "role",
            unique=True,
            sqlite_where=text("process_id IS NULL AND organisation_id IS NULL"),
            postgresql_where=text("process_id IS NULL AND organisation_id IS NULL"),
        ),
        Index("uq_role_organisation", "person_id", "role", "organisation_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    role: RoleName = Field(sa_type=StrEnumType(RoleName))
    process_id: int | None = Field(default=None, foreign_key="process.id", ondelete="CASCADE", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", ondelete="CASCADE", index=True)
    granted_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DialogueState(SQLModel, table=True):
    """Where a person is in a conversation on one channel (a half-filled basket, a pending step).

    ``state`` is the channel's own JSON document; it lives here so that it survives a restart and is shared by
    several bot processes.
    """

    __tablename__ = "dialogue_state"
    __table_args__ = (UniqueConstraint("person_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    channel: Channel = Field(sa_type=StrEnumType(Channel))
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, sa_column_kwargs={"onupdate": utcnow})
