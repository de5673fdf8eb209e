"""The unit of work: one connection and at most two transactions for everything one event does.

An edge — a dispatch of a command, an e-mail reply, a scheduler job, a web request, an outbox batch — opens a
:class:`Unit` with :meth:`ServiceContext.unit <bot.services.context.ServiceContext.unit>`; every service it calls
runs on it (``context.reading()``, ``.connection()``, ``.transaction()`` join the open unit). Services never
open a transaction of their own: outside any unit, each of those blocks is a unit of one block (the CLI and the
tests call services that way).

A unit begins lazily, in the mode its first block needs. Reads run in autocommit (SQLite and PostgreSQL: no
BEGIN/COMMIT round trips, no write lock; each statement sees the newest committed state). The first write begins
a writing transaction (SQLite: ``BEGIN IMMEDIATE``; a deferred transaction that has read cannot be upgraded
safely), which then serves the rest of the unit, reads included, so they see its writes. So an event costs at
most two transactions, the writes of all services commit together when the edge's block ends,
and an exception out of the block rolls them back.

A refusal (:class:`~bot.errors.GlosError`) is raised before a service writes — that is the services' contract —
so it leaves the unit as it was and the edge decides (a dispatch still commits what the command did before, such
as remembering the process named). Any other exception out of a service's block rolls back the unit's
transaction, unless the edge opened a :meth:`Unit.savepoint` around the call: then only what the savepoint
covers is undone (an e-mail reply's refused line loses nothing of the lines before it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy.engine import Connection, Engine, NestedTransaction, RootTransaction
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.errors import GlosError
from storage.engine import READ_ONLY

__all__ = ["Unit", "current_unit", "is_transient", "open_unit"]

_CURRENT: ContextVar[Unit | None] = ContextVar("glos_unit_of_work", default=None)


def _set_mode(connection: Connection, *, read_only: bool) -> None:
    """Prepare ``connection`` for its next transaction: reading only, or writing.

    A reading one runs in autocommit on both stores (see storage/engine.py ``READ_ONLY``): no write lock, and no
    BEGIN and COMMIT round trips around each SELECT.
    """
    options: dict[str, Any] = {READ_ONLY: read_only}
    if connection.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT" if read_only else connection.default_isolation_level
    connection.execution_options(**options)


class Unit:
    """One event's connection and its (at most two) transactions. Made by :func:`open_unit` only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._savepoints: list[NestedTransaction] = []
        self.writing = False
        self.seen: dict[Any, Any] = {}  # what the unit's reads found; forgotten at its first write

    def read(self) -> Connection:
        """The connection, in a transaction that may read (the writing one, once the unit has written)."""
        if self._transaction is None or not self._transaction.is_active:
            self._begin(read_only=True)
        assert self._connection is not None
        return self._connection

    def write(self) -> Connection:
        """The connection, in the writing transaction (begun now when the unit has only read so far)."""
        self.seen.clear()  # what was read may be about to change
        if self._transaction is not None and self._transaction.is_active and self.writing:
            assert self._connection is not None
            return self._connection
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.commit()  # the reads are over; the writes begin under the write lock
        self._begin(read_only=False)
        assert self._connection is not None
        return self._connection

    def _begin(self, *, read_only: bool) -> None:
        if self._connection is None:
            self._connection = self.engine.connect()
        _set_mode(self._connection, read_only=read_only)
        self._transaction = self._connection.begin()
        self.writing = not read_only

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the unit that fails alone: an exception rolls back what the block wrote, and propagates."""
        connection = self.write()
        savepoint = connection.begin_nested()
        self._savepoints.append(savepoint)
        try:
            yield
        except BaseException:
            if savepoint.is_active:
                savepoint.rollback()
            raise
        else:
            if savepoint.is_active:
                savepoint.commit()
        finally:
            self._savepoints.pop()

    def failed(self, error: BaseException) -> None:
        """A service's block raised ``error``: undo the unit's transaction, unless it is a refusal (raised before
        anything was written) or a savepoint of the edge covers it."""
        if not self._savepoints and not isinstance(error, GlosError):
            self.rollback()

    def commit(self) -> None:
        """Commit what the unit wrote; the next block begins a new transaction."""
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.commit()
        self._transaction = None
        self.writing = False

    def rollback(self) -> None:
        """Undo what the unit wrote; the next block begins a new transaction."""
        if self._transaction is not None and self._transaction.is_active:
            self._transaction.rollback()
        self._transaction = None
        self.writing = False

    def close(self) -> None:
        """Return the connection to the pool (rolling back anything uncommitted)."""
        self.rollback()
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def current_unit(engine: Engine) -> Unit | None:
    """The unit open on ``engine`` in this thread (or asyncio task), if any."""
    unit = _CURRENT.get()
    return unit if unit is not None and unit.engine is engine else None


@contextmanager
def open_unit(engine: Engine) -> Iterator[Unit]:
    """Open a unit on ``engine`` (or join the one already open): committed when the block ends, rolled back if
    it raises. Joining leaves the commit to whoever opened it."""
    joined = current_unit(engine)
    if joined is not None:
        yield joined
        return
    unit = Unit(engine)
    token = _CURRENT.set(unit)
    try:
        yield unit
        unit.commit()
    finally:
        _CURRENT.reset(token)
        unit.close()


def is_transient(error: BaseException) -> bool:
    """True for errors of the store or the network, which say nothing about the event: nothing of its unit was
    kept, and the edge may handle the same event again when the store is back (an e-mail stays in the inbox)."""
    return isinstance(error, OperationalError | InterfaceError | DisconnectionError | PoolTimeout | OSError)
