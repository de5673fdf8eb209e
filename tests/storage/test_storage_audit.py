"""The audit log is append-only in the database itself, on both dialects."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from storage.engine import transaction
from storage.models import AuditEntry


def _one_entry(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        entry = AuditEntry(actor="admin:config", action="process.open", details={"slug": "bo2027"})
        session.add(entry)
        session.flush()
        assert entry.id is not None
        return entry.id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET action = 'process.close'",
        "UPDATE audit_entry SET details = '{}'",
        "DELETE FROM audit_entry",
    ],
)
def test_sql_update_and_delete_are_refused(
    engine: Engine, session_factory: sessionmaker[Session], statement: str
) -> None:
    _one_entry(session_factory)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with transaction(session_factory) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert (entry.action, entry.details) == ("process.open", {"slug": "bo2027"})


def test_orm_update_and_delete_are_refused(session_factory: sessionmaker[Session]) -> None:
    entry_id = _one_entry(session_factory)
    with pytest.raises(DatabaseError, match="append-only"), transaction(session_factory) as session:
        session.get_one(AuditEntry, entry_id).actor = "someone else"
    with pytest.raises(DatabaseError, match="append-only"), transaction(session_factory) as session:
        session.delete(session.get_one(AuditEntry, entry_id))
    _one_entry(session_factory)  # appending still works
    with transaction(session_factory) as session:
        assert [e.actor for e in session.exec(select(AuditEntry))] == ["admin:config", "admin:config"]


def test_truncate_is_refused_on_postgresql(engine: Engine, session_factory: sessionmaker[Session]) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    _one_entry(session_factory)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_entry"))
