"""A send rate shared by every bot process through PostgreSQL (Telegram's ~30 messages/s is the bot's, not a
process's).

:class:`SharedPace` hands out send slots at most ``rate`` per second *across all processes* using one store.
Each slot is one statement::

    SELECT pg_advisory_xact_lock(<key>), pg_sleep(<1/rate>)

The transaction-level advisory lock is held for the whole statement, i.e. for ``1/rate`` seconds, and released
when it commits; the next slot (in this process or any other) starts only after that. So the slot ends of any two
callers are at least ``1/rate`` apart, whichever process they run in, and a caller sends right after its slot
ends. The server queues the waiters fairly, so no process starves. No table is needed and nothing stays
behind: a crashed process's slot ends with its transaction.

The key is derived from the name (``telegram``) and the connection's schema, like the leader lock
(:mod:`bot.scheduling.leader`). Each call holds one pooled connection for ``1/rate`` seconds; callers in one
process should queue in the process first (the Telegram sender does) so that a process waits on one connection.
On SQLite (one process) there is nothing to share: use an in-process pace.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["SharedPace", "shared_pace"]


class SharedPace:
    """Slots at most ``rate`` per second across every process on this PostgreSQL store."""

    def __init__(self, engine: Engine, name: str, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.engine = engine
        self.interval = 1.0 / rate
        self._statement = text(
            "SELECT pg_advisory_xact_lock(hashtext('glos:pace:' || :name || ':' || current_schema())), "
            "pg_sleep(:interval)"
        ).bindparams(name=name)

    def slot(self) -> None:
        """Block until this caller's slot ends; send right after. (Blocking: call it from a worker thread.)"""
        with self.engine.begin() as connection:
            connection.execute(self._statement, {"interval": self.interval})


def shared_pace(engine: Engine, name: str, rate: float) -> SharedPace | None:
    """A :class:`SharedPace` on PostgreSQL, None on SQLite (where one process paces itself)."""
    if engine.dialect.name != "postgresql":
        return None
    return SharedPace(engine, name, rate)
