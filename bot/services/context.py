"""What every service needs, injected once: the store, the clock, the secret key and a definition cache."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from threading import Lock
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from bot.clock import Clock
from bot.definition import ProcessDefinition
from bot.domain import Phase
from bot.errors import GlosError, NotFound
from bot.metrics import Metrics
from bot.services.unit import Unit, current_unit, open_unit
from storage.engine import READ_ONLY, SNAPSHOT
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


@dataclass
class ServiceContext:
    """Shared dependencies of the services. ``secret`` keys ballot keys; it never enters the store."""

    sessions: SessionFactory
    clock: Clock
    secret: bytes
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Warsaw"))
    bot_name: str = "Głos"
    group_chats: tuple[int, ...] = ()  # [telegram] chats: announcements and shared processes are posted there
    telegram_username: str = ""  # [telegram] username: e-mail invitations link to https://t.me/<it>?start=…
    metrics: Metrics = field(default_factory=Metrics)
    _definitions: dict[tuple[int, int], ProcessDefinition] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)

    def unit(self) -> AbstractContextManager[Unit]:
        """Open the unit of work of one event (an edge's call: a dispatch, an e-mail reply, a scheduler job …),
        or join the one already open; see :mod:`bot.services.unit`."""
        return open_unit(self.engine)

    def seen(self) -> dict[Any, Any]:
        """What the open unit's reads found (empty outside a unit); forgotten at the unit's first write."""
        unit = current_unit(self.engine)
        return unit.seen if unit is not None else {}

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """An ORM session on the unit's writing transaction. Committing it only flushes: the unit commits. A
        refusal leaves the unit as it was; any other exception out of the block rolls it back (see
        :mod:`bot.services.unit`) and propagates."""
        with open_unit(self.engine) as unit:
            # configured as storage.engine.session_factory configures the others; joined to the unit's
            # transaction, or to a savepoint of its own inside the edge's savepoint
            session = Session(bind=unit.write(), expire_on_commit=False)
            try:
                yield session
                session.commit()
            except BaseException as error:
                if not isinstance(error, GlosError):
                    session.rollback()
                unit.failed(error)
                raise
            finally:
                session.close()

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
        """A Core connection on the unit's writing transaction (see :meth:`transaction` for errors)."""
        with open_unit(self.engine) as unit:
            try:
                yield unit.write()
            except BaseException as error:
                unit.failed(error)
                raise

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A Core connection for reads only: the unit's reading transaction (on SQLite it does not take the
        write lock, see storage/engine.py; on PostgreSQL it runs in autocommit), or its writing one once the
        unit has written, so the reads see its writes.

        Writing through it is a programming error (SQLite would then fail with "database is locked" under
        contention instead of waiting).
        """
        with open_unit(self.engine) as unit:
            try:
                yield unit.read()
            except SQLAlchemyError as error:
                unit.failed(error)  # a failed statement aborts the transaction (PostgreSQL); nothing else to undo
                raise

    def ping(self) -> None:
        """Ask the store to answer (one trivial statement on the unit's reading connection); raises when it
        cannot — what ``/healthz`` reports."""
        with self.reading() as connection:
            connection.exec_driver_sql("SELECT 1")

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """An ORM session for reads only, on :meth:`reading`'s connection: the unit's reading transaction (no
        write lock), or its writing one once the unit has written. For a read that needs ORM rows (a report, a
        list, a person's data) and so has no business in :meth:`transaction`, which begins the unit's writing
        transaction. Writing through it is a programming error, as for :meth:`reading`."""
        with self.reading() as connection:
            session = Session(bind=connection, expire_on_commit=False, autoflush=False)
            try:
                yield session
            finally:
                session.close()

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A session for reads only over one consistent snapshot of the store, on a pooled connection of its own.

        For reads of several statements that must agree (counting: the process, its ballots, the turnout) and
        may take a while. SQLite: a deferred transaction reading its WAL snapshot — it never takes the write lock,
        so voting goes on meanwhile. PostgreSQL: ``REPEATABLE READ READ ONLY`` (one snapshot for all
        statements, no locks that writers wait for). Writing through it is a programming error.

        Inside a unit of work that has written, it reads on the unit's transaction instead, so it sees what the
        unit wrote (a scheduler job that closes a process, then counts it).
        """
        unit = current_unit(self.engine)
        if unit is not None and unit.writing:
            session = Session(bind=unit.write(), expire_on_commit=False, autoflush=False)
            try:
                yield session
            finally:
                session.close()
            return
        with self.engine.connect() as connection:
            options: dict[str, Any] = {READ_ONLY: True, SNAPSHOT: True}
            if connection.dialect.name == "postgresql":
                options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            connection.execution_options(**options)
            with connection.begin():
                session = Session(bind=connection, expire_on_commit=False)
                try:
                    yield session
                finally:
                    session.close()

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
