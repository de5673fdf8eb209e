"""Organisations: who runs processes — a gmina, a city (*miasto*), a powiat, an NGO or a federation of NGOs.

A process belongs to at most one organisation (a :class:`ProcessOrganisation` row), and a moderator may be granted the
role for one organisation (``role.organisation_id``). ``teryt`` is the official code of a local government in
the TERYT register (7 digits for a gmina or a city, 4 for a powiat); ``lat``/``lon`` place it on a map (WGS 84
degrees). ``parent_id`` is the organisation it is part of (a gmina's powiat, an NGO's federation), if any.
Deleting an organisation is refused while processes name it (``RESTRICT``); its moderator grants go with it.

Why a table of its own for a process's organisation rather than a column of ``process``: on SQLite a new column
with a named foreign key can only come from rebuilding the table (copy and move), and dropping ``process`` — the
table nearly every other points at — runs their ON DELETE actions inside the migration's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from bot.domain import OrganisationKind
from storage.types import StrEnumType, UTCDateTime, utcnow

__all__ = ["Organisation", "ProcessOrganisation"]


class Organisation(SQLModel, table=True):
    """A municipality, powiat, NGO or federation; ``slug`` is how commands, definitions and URLs name it."""

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=300)
    kind: OrganisationKind = Field(sa_type=StrEnumType(OrganisationKind), index=True)
    teryt: str | None = Field(default=None, max_length=7)
    lat: float | None = Field(default=None)
    lon: float | None = Field(default=None)
    parent_id: int | None = Field(default=None, foreign_key="organisation.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProcessOrganisation(SQLModel, table=True):
    """The organisation that runs a process (at most one); a process without a row belongs to nobody in
    particular and only global moderators and admins act on it."""

    __tablename__ = "process_organisation"

    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="RESTRICT", index=True)
