"""Which bot process leads: the one that runs the scheduler, reads the mailbox and sends the outbox.

Several bot processes may serve one store (``glos serve`` with ``[web] workers = 3``). Webhook updates and web
pages are handled by every one of them, but the work that must happen once per deployment — the scheduler's
ticks, the IMAP intake, the outbox senders — runs only on the *leader*.

Contract:

* On PostgreSQL the leader is the process holding a session-level advisory lock
  (``pg_try_advisory_lock``) on a dedicated connection of its own, kept open while it leads. The lock dies
  with that connection — the process killed, the machine gone, the network cut — so nobody has to release it
  and takeover is automatic: every follower tries the lock again every ``retry`` seconds, and one of them gets
  it within ``retry`` seconds of the server noticing the dead session.
* The leader checks its lock connection every ``retry`` seconds; when the check fails (the server restarted,
  the connection was ended) it stops leading at once (``on_follow``) and competes for the lock again, so two
  processes act as leader at most for ``retry`` seconds after the database dropped the old leader's session.
  Everything the leader does is safe even then: scheduler jobs are claimed once in the store
  (:mod:`bot.scheduling.core`) and outbox rows are leased (``FOR UPDATE SKIP LOCKED``).
* The lock key is derived from the connection's schema, so two deployments in one database (or two test runs
  in their own schemas) elect their leaders independently.
* The lock connection's ``application_name`` is ``glos-leader:<pid>``: an operator (or a test) finds which
  process leads with :data:`WHO_LEADS`.
* On SQLite there is one bot process; :class:`SoleLeader` leads from :meth:`start` to :meth:`stop`.

``on_lead`` and ``on_follow`` run on the leadership thread (or in :meth:`start`/:meth:`stop`); they start and stop
the leader's duties and must not block for long.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Protocol, Self

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from storage.engine import normalize_url

__all__ = ["DEFAULT_RETRY", "WHO_LEADS", "Leadership", "PostgresLeadership", "SoleLeader", "leadership"]

log = logging.getLogger(__name__)

DEFAULT_RETRY = 5.0
"""Seconds between a follower's attempts (and the leader's health checks): takeover well within 30 s."""

_LOCK_KEY = "hashtext('glos:leader:' || current_schema())"

WHO_LEADS = (
    "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l "
    "JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'glos-leader:%'"
)
"""SQL that names the leading process (``glos-leader:<pid>``) of every deployment in the database."""

Hook = Callable[[], None]


class Leadership(Protocol):
    """What the composition root needs from either kind of leadership."""

    @property
    def leading(self) -> bool:
        """True while this process leads."""

    def start(self) -> Self:
        """Start competing (SQLite: lead at once)."""

    def stop(self) -> None:
        """Stop leading (``on_follow`` if leading) and stop competing."""


class SoleLeader:
    """The only bot process of a SQLite store: always the leader."""

    def __init__(self, on_lead: Hook, on_follow: Hook) -> None:
        self._on_lead = on_lead
        self._on_follow = on_follow
        self.leading = False

    def start(self) -> Self:
        """Lead now."""
        self._on_lead()
        self.leading = True
        return self

    def stop(self) -> None:
        """Stop leading."""
        if self.leading:
            self.leading = False
            self._on_follow()


class PostgresLeadership:
    """Leadership by a PostgreSQL session-level advisory lock (see the module docstring)."""

    def __init__(
        self,
        url: str,
        on_lead: Hook,
        on_follow: Hook,
        *,
        retry: float = DEFAULT_RETRY,
        on_change: Callable[[bool], None] | None = None,
    ) -> None:
        self.retry = retry
        self._on_lead = on_lead
        self._on_follow = on_follow
        self._on_change = on_change
        # A connection of its own, outside the pool: the lock lives exactly as long as this session. TCP
        # keepalives make a vanished server (or network) fail the health check in about 20 s instead of hours.
        self._engine: Engine = create_engine(
            normalize_url(url),
            poolclass=NullPool,
            connect_args={
                "application_name": f"glos-leader:{os.getpid()}",
                "connect_timeout": 5,
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 3,
                "keepalives_count": 3,
            },
        )
        self._connection: Connection | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="leadership", daemon=True)
        self.leading = False

    def start(self) -> Self:
        """Try for the lock now (so a lone process leads from the start), then keep trying in the background."""
        self.poll()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the duties, release the lock (by closing its session) and stop competing."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.retry + 30)
        self._demote("stopping")
        self._engine.dispose()

    def poll(self) -> bool:
        """One step: a leader checks its lock connection, a follower tries the lock. Returns :attr:`leading`."""
        if self.leading:
            if not self._alive():
                self._demote("lost the lock connection")
            return self.leading
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            got = self._connection.execute(text(f"SELECT pg_try_advisory_lock({_LOCK_KEY})")).scalar_one()
            self._connection.commit()  # the lock is the session's, not the transaction's: end the transaction
        except Exception as error:  # the server is down: follow, try again later
            log.warning("could not try the leader lock: %s", error)
            self._close()
            return False
        if got:
            log.info("this process (pid %s) is now the leader", os.getpid())
            self.leading = True
            self._notify(True)
            try:
                self._on_lead()
            except Exception:  # a duty that cannot start: give the lead to someone else
                log.exception("the leader's duties did not start")
                self._demote("duties failed")
        return self.leading

    def _loop(self) -> None:
        while not self._stop.wait(self.retry):
            try:
                self.poll()
            except Exception:  # the thread must survive anything to keep the deployment led
                log.exception("leadership round failed")

    def _alive(self) -> bool:
        try:
            assert self._connection is not None
            self._connection.execute(text("SELECT 1")).scalar_one()
            self._connection.commit()
            return True
        except Exception as error:
            log.warning("the leader lock connection failed: %s", error)
            return False

    def _demote(self, why: str) -> None:
        if self.leading:
            log.warning("this process (pid %s) stops leading: %s", os.getpid(), why)
            self.leading = False
            self._notify(False)
            try:
                self._on_follow()
            except Exception:
                log.exception("the leader's duties did not stop cleanly")
        self._close()

    def _close(self) -> None:
        if self._connection is not None:
            try:
                # Closing the session releases the lock too, but only once the server has noticed the
                # disconnect: unlocking first makes a successor's very next try succeed.
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
                self._connection.commit()
            except Exception:  # already broken: the server drops the lock with the session
                log.debug("unlocking on a broken lock connection", exc_info=True)
            try:
                self._connection.close()
            except Exception:  # already broken
                log.debug("closing a broken lock connection", exc_info=True)
            self._connection = None

    def _notify(self, leading: bool) -> None:
        if self._on_change is not None:
            self._on_change(leading)


def leadership(
    url: str,
    on_lead: Hook,
    on_follow: Hook,
    *,
    retry: float = DEFAULT_RETRY,
    on_change: Callable[[bool], None] | None = None,
) -> SoleLeader | PostgresLeadership:
    """The right leadership for the store at ``url`` (not started)."""
    if normalize_url(url).get_backend_name() == "postgresql":
        return PostgresLeadership(url, on_lead, on_follow, retry=retry, on_change=on_change)
    return SoleLeader(on_lead, on_follow)
