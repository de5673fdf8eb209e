"""Rewrite a secret process's ballots in random order, so that no physical order of the store is casting order.

Random ids already make the logical order (by id, and SQLite's rowid order) meaningless. PostgreSQL, however,
keeps a table's rows in its heap in the order they were written, and a plain ``pg_dump`` or ``SELECT`` without
``ORDER BY`` returns them in that order (``ctid``): the order in which ballots were cast, the very order the
participation rows were written in. :func:`shuffle_ballots` deletes the process's ballots and inserts them again,
shuffled, with fresh random ids, in the caller's transaction. The process service runs it when a secret process
closes (before anyone counts or publishes), so a copy of the store taken after closing shows the ballots in an
order unrelated to casting. The deleted row versions stay in the table's files until VACUUM reclaims them and in
the write-ahead log: see docs/SECURITY.md for that residual risk and for copies taken while the vote is open.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from storage.models import Ballot

__all__ = ["shuffle_ballots"]

_BALLOT = Ballot.__table__  # type: ignore[attr-defined]
_MAX_ID = 2**31 - 1


def shuffle_ballots(connection: Connection, process_id: int) -> int:
    """Rewrite the ballots of ``process_id`` in a random order with new random ids; returns how many."""
    rows = [
        dict(row) for row in connection.execute(select(_BALLOT).where(_BALLOT.c.process_id == process_id)).mappings()
    ]
    if not rows:
        return 0
    taken = set(connection.execute(select(_BALLOT.c.id).where(_BALLOT.c.process_id != process_id)).scalars())
    connection.execute(delete(_BALLOT).where(_BALLOT.c.process_id == process_id))
    secrets.SystemRandom().shuffle(rows)
    for row in rows:
        while (new := secrets.randbelow(_MAX_ID) + 1) in taken:
            pass
        taken.add(new)
        row["id"] = new
    connection.execute(insert(_BALLOT), rows)
    return len(rows)
