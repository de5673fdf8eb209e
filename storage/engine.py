"""Engines, sessions and transactions for SQLite (the embedded default) and PostgreSQL.

* :func:`make_engine` builds an :class:`~sqlalchemy.engine.Engine` from a URL. SQLite connections get
  ``journal_mode=WAL`` (readers do not block the writer), ``foreign_keys=ON`` (off by default in SQLite!),
  ``synchronous=NORMAL`` (safe with WAL, much faster than FULL) and ``busy_timeout`` (wait for the write lock
  instead of failing at once), all set by a ``connect`` event, i.e. on every new DBAPI connection.
  SQLite transactions are real ones (SQLAlchemy emits ``BEGIN IMMEDIATE`` itself, see
  :func:`_sqlite_begin`), so DDL in migrations is transactional too. PostgreSQL goes through psycopg 3;
  ``postgresql://`` and ``postgres://`` URLs are rewritten to ``postgresql+psycopg://``.
* :func:`session_factory` gives sessions with ``expire_on_commit=False`` (objects stay readable after commit,
  e.g. to build the reply).
* :func:`transaction` is the unit of work: commit on success, rollback on any exception.

Nothing happens on import; engines are built by the composition root (``bot/app.py``) and injected.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

__all__ = [
    "READ_ONLY",
    "SNAPSHOT",
    "SQLITE_BUSY_TIMEOUT_MS",
    "SessionFactory",
    "make_engine",
    "normalize_url",
    "redacted_url",
    "session_factory",
    "transaction",
]

SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a SQLite connection waits for a lock held by another connection before failing. Every Telegram update
is first recorded in the update ledger, a write: a longer wait would hold up every reader behind one stuck
writer (``tests/telegram/test_telegram_concurrency.py``), and a cast that fails here is told "try again" with
nothing half-done. 20 s was tried for the load benchmark's caster and reverted for that reason."""

READ_ONLY = "glos_read_only"
"""Execution option of a connection that only reads: on SQLite its statements run in autocommit (no ``BEGIN``;
each reads the newest committed state from the WAL), so readers neither wait for nor block the single writer —
as reads run on PostgreSQL (``AUTOCOMMIT``). What a reader decides on is read again under the write lock by the
writer that acts on it."""

SNAPSHOT = "glos_snapshot"
"""Execution option of a reading connection whose statements must agree (counting: the process, its ballots,
the turnout): on SQLite its transaction begins deferred (plain ``BEGIN``) and reads one WAL snapshot, still
without the write lock."""

SessionFactory = Callable[[], Session]
"""What services receive: a zero-argument callable returning a new :class:`sqlmodel.Session`."""


def normalize_url(url: str | URL) -> URL:
    """``url`` parsed, with PostgreSQL URLs pointed at psycopg 3 (``postgresql+psycopg``).

    ``postgres://`` (Heroku-style) and ``postgresql://`` (which SQLAlchemy would map to psycopg2, not
    installed) both become ``postgresql+psycopg://``; an explicit driver is kept. Other URLs are
    returned unchanged.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def redacted_url(url: str | URL) -> str:
    """``url`` as it may be printed or logged: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: print nothing of it
        return "<invalid database URL>"


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL), configured as the module docstring says.

    ``sqlite:///relative.db`` is relative to the current directory, as usual; ``sqlite://`` is an in-memory
    database (one per connection, so only useful with care). PostgreSQL engines ping connections before use,
    so a restarted server does not surface as a failed vote.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, echo=echo, json_serializer=_json_dumps)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, echo=echo, pool_pre_ping=True, json_serializer=_json_dumps)


def _json_dumps(value: Any) -> str:
    # Keep Polish letters readable in the database (ż, not \u017c); JSON is UTF-8 either way.
    return json.dumps(value, ensure_ascii=False)


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module: its legacy mode does not BEGIN before SELECT or
    # DDL, which breaks repeatable reads and transactional migrations. SQLAlchemy emits BEGIN (_sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # WAL is a property of the database file (it persists); asking on every connect is cheap and makes a
        # fresh file WAL from the first connection. An in-memory database answers "memory", which is fine.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Per connection and off by default: without it ON DELETE CASCADE / RESTRICT silently do nothing.
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock at the start, so a transaction that reads and then writes (cast a vote:
    # read participation, insert ballot) waits for busy_timeout instead of failing with SQLITE_BUSY when
    # another writer got in between; a deferred transaction cannot be upgraded safely once it has read.
    # The price: transactions, even read-only ones, are serialised — keep them short (use `transaction`,
    # never hold a session across network I/O). A connection marked READ_ONLY never writes: it begins nothing
    # (the sqlite3 module is in autocommit, see above), so each SELECT reads the newest committed WAL state
    # without taking the lock, and without the round of a BEGIN.
    options = connection.get_execution_options()
    if options.get(SNAPSHOT):  # several reads that must agree (counting): one deferred transaction, its snapshot
        connection.exec_driver_sql("BEGIN")
    elif not options.get(READ_ONLY):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A factory of :class:`sqlmodel.Session` bound to ``engine``, with ``expire_on_commit=False``.

    The result is a :data:`SessionFactory` (callable with no arguments); pass it to :func:`transaction`.
    """
    return sessionmaker(bind=engine, class_=Session, expire_on_commit=False)


@contextmanager
def transaction(factory: SessionFactory) -> Iterator[Session]:
    """A new session inside one transaction: committed if the block ends normally, rolled back if it raises.

    The exception propagates unchanged; the session is closed either way. Objects loaded in the block stay
    usable afterwards (``expire_on_commit=False``) but are detached.
    """
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
