"""The audit log as the CLI exports it: every entry, oldest first, optionally only those about one process.

Entries are written by :meth:`bot.services.context.ServiceContext.audit` in the unit of work of what they record;
this service only reads them, on the unit's reading connection (an export never holds the write lock).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from bot.services.context import ServiceContext
from storage.models import AuditEntry, Process

__all__ = ["AuditRow", "AuditTrail"]


@dataclass(frozen=True)
class AuditRow:
    """One entry of the audit log."""

    id: int
    at: datetime
    actor: str
    actor_person_id: int | None
    action: str
    process_id: int | None
    details: Any


class AuditTrail:
    """Reads the audit log (see the module docstring)."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def entries(self, slug: str | None = None) -> Iterator[AuditRow]:
        """Every entry, oldest first; with ``slug``, only those about that process (none for an unknown one)."""
        with self.ctx.read_session() as session:
            query = select(AuditEntry).order_by(col(AuditEntry.id))
            if slug is not None:
                found = session.exec(select(Process.id).where(Process.slug == slug)).first()
                query = query.where(AuditEntry.process_id == (found if found is not None else -1))
            for entry in session.exec(query):
                assert entry.id is not None
                yield AuditRow(
                    entry.id,
                    entry.at,
                    entry.actor,
                    entry.actor_person_id,
                    entry.action,
                    entry.process_id,
                    entry.details,
                )
