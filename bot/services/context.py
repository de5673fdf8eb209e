"""What every service needs, injected once: the store, the clock, the secret key and a definition cache."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from threading import Lock
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from bot.clock import Clock
from bot.definition import ProcessDefinition
from bot.domain import Phase
from bot.errors import NotFound
from bot.metrics import Metrics
from storage.engine import READ_ONLY, transaction
from storage.models import AuditEntry, Process

__all__ = [
    "DISTRICT_KEY",
    "META_PREFIX",
    "STATE_COLUMNS",
    "ProcessState",
    "ServiceContext",
    "SessionFactory",
    "strip_meta",
]

# Stored ballot content may carry metadata beside the pools under keys that start with "@": the voter's
# declared district ("@district"), so that surveys can be aggregated per municipality without any link to the
# person. Pool keys never start with "@" (the definition's key pattern forbids it).
META_PREFIX = "@"
DISTRICT_KEY = "@district"


def strip_meta(content: dict[str, Any]) -> dict[str, Any]:
    """The ballot without its metadata keys."""
    return {key: value for key, value in content.items() if not key.startswith(META_PREFIX)}


SessionFactory = Callable[[], Session]


@dataclass(frozen=True)
class ProcessState:
    """The few columns of a process that every vote checks, read without loading the whole row."""

    id: int
    slug: str
    phase: Phase
    opens_at: datetime | None
    closes_at: datetime | None
    secret: bool
    version: int


STATE_COLUMNS = (
    Process.id,
    Process.slug,
    Process.phase,
    Process.opens_at,
    Process.closes_at,
    Process.secret,
    Process.version,
)
_DEFINITION_QUERY = select(Process.definition).where(Process.id == bindparam("id"))
_STATE_QUERY = select(*STATE_COLUMNS).where(Process.slug == bindparam("slug"))  # type: ignore[call-overload]


# The connection the transactions of one command share (see ServiceContext.sharing), with its engine.
_SHARED: ContextVar[tuple[Engine, Connection] | None] = ContextVar("glos_shared_connection", default=None)


def _set_mode(connection: Connection, *, read_only: bool) -> None:
    """Prepare ``connection`` for its next transaction: reading only, or writing.

    SQLite: a reading transaction begins deferred (no write lock, see storage/engine.py). PostgreSQL: a reading
    one runs in autocommit, which saves the BEGIN and COMMIT round trips around a single SELECT.
    """
    options: dict[str, Any] = {READ_ONLY: read_only}
    if connection.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT" if read_only else connection.default_isolation_level
    connection.execution_options(**options)


@dataclass
class ServiceContext:
    """Shared dependencies of the services. ``secret`` keys ballot keys; it never enters the store."""

    sessions: SessionFactory
    clock: Clock
    secret: bytes
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Warsaw"))
    bot_name: str = "Głos"
    group_chats: tuple[int, ...] = ()  # [telegram] chats: announcements and shared processes are posted there
    metrics: Metrics = field(default_factory=Metrics)
    _definitions: dict[tuple[int, int], ProcessDefinition] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)

    def transaction(self) -> AbstractContextManager[Session]:
        """A session committed on success and rolled back on any error (:func:`storage.engine.transaction`)."""
        shared = self._free_shared()
        if shared is None:
            return transaction(self.sessions)
        _set_mode(shared, read_only=False)
        # configured as storage.engine.session_factory configures the others
        return transaction(lambda: Session(bind=shared, expire_on_commit=False))

    @contextmanager
    def sharing(self) -> Iterator[None]:
        """Let the transactions begun inside the block share one pooled connection.

        A command runs several short transactions (find the process, remember it, check eligibility, cast);
        each used to check a connection out of the pool, and on PostgreSQL every checkout pings the server.
        Inside this block they reuse one connection, one after another, each still committed on its own. A
        transaction begun while another is open on the shared connection gets a connection of its own, as
        outside the block. Nesting is harmless; the block is per thread (and per asyncio task).
        """
        current = _SHARED.get()
        if current is not None and current[0] is self.engine:
            yield
            return
        with self.engine.connect() as connection:
            token = _SHARED.set((self.engine, connection))
            try:
                yield
            finally:
                _SHARED.reset(token)

    def _free_shared(self) -> Connection | None:
        """The shared connection of the current block, when there is one and no transaction is open on it."""
        current = _SHARED.get()
        if current is None or current[0] is not self.engine or current[1].in_transaction():
            return None
        return current[1]

    def process(self, session: Session, slug: str, *, for_update: bool = False) -> Process:
        """The process with ``slug`` or :class:`NotFound` (``process.not_found``)."""
        query = select(Process).where(Process.slug == slug.strip().lower())
        if for_update:
            query = query.with_for_update()
        process = session.exec(query).first()
        if process is None:
            raise NotFound("process.not_found", slug=slug)
        return process

    @property
    def engine(self) -> Engine:
        """The engine behind the session factory (for Core-level hot paths)."""
        bind = getattr(self.sessions, "kw", {}).get("bind")
        if not isinstance(bind, Engine):  # pragma: no cover - a factory without an engine
            raise TypeError("the session factory has no engine bound")
        return bind

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A Core connection in a transaction: committed on success, rolled back on any error."""
        with self._begin(read_only=False) as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A Core connection for reads only: on SQLite it does not take the write lock (see storage/engine.py),
        on PostgreSQL it runs in autocommit (no BEGIN/COMMIT round trips).

        Writing through it is a programming error (SQLite would then fail with "database is locked" under
        contention instead of waiting).
        """
        with self._begin(read_only=True) as connection:
            yield connection

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A session for reads only over one consistent snapshot of the store, on a pooled connection of its own.

        For reads of several statements that must agree (counting: the process, its ballots, the turnout) and
        may take a while. SQLite: a deferred transaction reading its WAL snapshot — it never takes the write lock,
        so voting goes on meanwhile. PostgreSQL: ``REPEATABLE READ READ ONLY`` (one snapshot for all
        statements, no locks that writers wait for). Writing through it is a programming error.
        """
        with self.engine.connect() as connection:
            options: dict[str, Any] = {READ_ONLY: True}
            if connection.dialect.name == "postgresql":
                options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            connection.execution_options(**options)
            with connection.begin():
                session = Session(bind=connection, expire_on_commit=False)
                try:
                    yield session
                finally:
                    session.close()

    @contextmanager
    def _begin(self, *, read_only: bool) -> Iterator[Connection]:
        """A transaction on the free shared connection (kept open afterwards), else on a pooled one of its own."""
        shared = self._free_shared()
        with nullcontext(shared) if shared is not None else self.engine.connect() as connection:
            _set_mode(connection, read_only=read_only)
            with connection.begin():
                yield connection

    def state(self, connection: Connection, slug: str) -> ProcessState:
        """The phase and window of the process with ``slug`` (``process.not_found`` otherwise)."""
        row = connection.execute(_STATE_QUERY, {"slug": slug.strip().lower()}).first()
        if row is None:
            raise NotFound("process.not_found", slug=slug)
        return ProcessState(row[0], row[1], Phase(row[2]), row[3], row[4], bool(row[5]), row[6])

    def definition_of(self, connection: Connection, state: ProcessState) -> ProcessDefinition:
        """The definition of the process in ``state``, read from the store only when not cached."""
        cache_key = (state.id, state.version)
        cached = self._definitions.get(cache_key)
        if cached is None:
            stored = connection.execute(_DEFINITION_QUERY, {"id": state.id}).scalar_one()
            cached = ProcessDefinition.model_validate(stored)
            with self._lock:
                self._definitions[cache_key] = cached
        return cached

    def definition(self, process: Process) -> ProcessDefinition:
        """The validated definition of ``process``, parsed once per (id, version)."""
        assert process.id is not None
        cache_key = (process.id, process.version)
        cached = self._definitions.get(cache_key)
        if cached is None:
            cached = ProcessDefinition.model_validate(process.definition)
            with self._lock:
                self._definitions[cache_key] = cached
        return cached

    def ballot_key(self, process_id: int, person_id: int) -> str:
        """The opaque key that ties a person's ballot revisions together without naming the person.

        It is an HMAC of (process, person) under the secret key, which is kept outside the store: the store
        alone offers no join from a ballot to a person.
        """
        message = f"{process_id}:{person_id}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def audit(
        self,
        session: Session,
        action: str,
        *,
        actor_person_id: int | None = None,
        actor: str = "",
        process_id: int | None = None,
        **details: Any,
    ) -> None:
        """Append one entry to the audit log, in the caller's transaction."""
        session.add(
            AuditEntry(
                at=self.clock.now(),
                actor_person_id=actor_person_id,
                actor=actor or (f"person:{actor_person_id}" if actor_person_id is not None else "system"),
                action=action,
                process_id=process_id,
                details=details,
            )
        )
