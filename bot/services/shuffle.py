"""Rewrite a secret process's ballots in random order, so that no physical order of the store is casting order.

Random ids already make the logical order (by id, and SQLite's rowid order) meaningless. PostgreSQL, however,
keeps a table's rows in its heap in the order they were written, and a plain ``pg_dump`` or ``SELECT`` without
``ORDER BY`` returns them in that order (``ctid``): the order in which ballots were cast, the very order the
participation rows were written in. :func:`shuffle_ballots` deletes the process's ballots and inserts them again,
shuffled, with fresh random ids, in the caller's transaction. The process service runs it when a secret process
closes (before anyone counts or publishes), so a copy of the store taken after closing shows the ballots in an
order unrelated to casting. While the process was open its ballots were sealed
(:func:`bot.services.sealing.seal_ballot`), so the casting order showed no content; they are opened here, as they
are written in their new order. The deleted row versions (sealed) stay in the table's files until VACUUM reclaims
them and in the write-ahead log: see docs/SECURITY.md.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from bot.services.sealing import open_ballot
from storage.models import Ballot

__all__ = ["shuffle_ballots"]

_BALLOT = Ballot.__table__  # type: ignore[attr-defined]
_MAX_ID = 2**31 - 1


def shuffle_ballots(connection: Connection, process_id: int, secret: bytes) -> int:
    """Rewrite the ballots of ``process_id`` in a random order with new random ids, opened; returns how many."""
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
        row["content"] = open_ballot(secret, row["content"])
    connection.execute(insert(_BALLOT), rows)
    return len(rows)
