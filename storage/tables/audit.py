"""The audit log: who did what, when. Append-only.

The database refuses ``UPDATE`` and ``DELETE`` on ``audit_entry`` (triggers created by the initial migration:
``RAISE(ABORT, …)`` on SQLite, a PL/pgSQL function raising on PostgreSQL), so even a bug or a hand-typed SQL
statement cannot rewrite history; only dropping the table can.
``actor_person_id`` and ``process_id`` are plain integers, deliberately without foreign keys: the log must
outlive and never block the rows it talks about (and a ``SET NULL`` cascade would be an UPDATE the trigger
refuses).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from storage.types import JSONType, UTCDateTime, utcnow

__all__ = ["AUDIT_TRIGGER_NAMES", "AuditEntry"]

AUDIT_TRIGGER_NAMES = ("audit_entry_no_update", "audit_entry_no_delete")
"""The names of the triggers that keep ``audit_entry`` append-only (both dialects)."""


class AuditEntry(SQLModel, table=True):
    """One audited action: ``action`` is a dotted verb (``process.open``), ``actor`` a label for humans
    (``"admin:config"``, ``"scheduler"``, a display name), ``details`` a JSON document."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_process_at", "process_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_person_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64)
    process_id: int | None = Field(default=None)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
