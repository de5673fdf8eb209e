"""Tombstones: what erasure leaves so that a returning account replaces its ballot instead of adding one.

One human, one counted ballot — also across erasure. When a person is erased (:mod:`bot.services.privacy`) their
anonymous stub keeps its counted ballots, and for every process they took part in and every identity they had a
:class:`~storage.tables.voting.Tombstone` row records HMAC(secret key, process, channel, address) → the stub. The
address itself is never stored, and without the secret key the hash cannot be recomputed from a guessed address.

When an identity is attached to a person (first contact, or a link), :func:`claim` recomputes its hashes and
marks the person as the *heir* of every matching tombstone. The heir's next ballot in that process retires the
stub's ballot (:meth:`bot.services.voting.VotingService.cast`), so the count stays one. :func:`hand_over` is the
same mechanism without erasure: "the next ballot of ``heir`` replaces the counted ballot of ``predecessor``"
(identity linking uses it when two people turn out to be one).

What a copy of the store learns from a tombstone: that an erased stub had some identity (not which) and, once the
identity came back, which living person inherited it. Never a ballot: the stub's ballot key is an HMAC under the
secret key like every other. See docs/SECURITY.md.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from bot.domain import Channel
from bot.services.sql import upsert
from storage.models import Identity, Participation, Tombstone

__all__ = ["bury", "claim", "hand_over", "handed_over", "identity_hash", "settle"]

_TOMBSTONE = Tombstone.__table__  # type: ignore[attr-defined]
_IDENTITY = Identity.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]
_BURIED_IN = select(_TOMBSTONE.c.process_id).distinct()
_CLAIM = (
    update(_TOMBSTONE)
    .where(_TOMBSTONE.c.identity_hash.in_(bindparam("hashes", expanding=True)))
    .values(heir_id=bindparam("heir"))
)


def identity_hash(secret: bytes, process_id: int, channel: Channel | str, address: str) -> str:
    """The stored form of one identity in one process's tombstone (keyed: a copy of the store cannot test guesses)."""
    message = f"tombstone:{process_id}:{Channel(channel).value}:{address}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def bury(connection: Connection, secret: bytes, person_id: int) -> int:
    """Before ``person_id``'s identities are deleted: one tombstone per (process they took part in, identity).

    Tombstones the person had inherited and not yet settled go back to waiting for the identity (their heir is
    cleared). Returns how many tombstones were written.
    """
    connection.execute(update(_TOMBSTONE).where(_TOMBSTONE.c.heir_id == person_id).values(heir_id=None))
    processes = sorted(
        set(
            connection.execute(
                select(_PARTICIPATION.c.process_id).where(_PARTICIPATION.c.person_id == person_id)
            ).scalars()
        )
    )
    identities = connection.execute(
        select(_IDENTITY.c.channel, _IDENTITY.c.address).where(_IDENTITY.c.person_id == person_id)
    ).all()
    written = 0
    for process_id in processes:
        for channel, address in identities:
            upsert(
                connection,
                _TOMBSTONE,
                {
                    "process_id": process_id,
                    "identity_hash": identity_hash(secret, process_id, channel, address),
                    "person_id": person_id,
                    "heir_id": None,
                },
                ("process_id", "identity_hash"),
                ("person_id", "heir_id"),
            )
            written += 1
    return written


def claim(connection: Connection, secret: bytes, person_id: int, channel: Channel, address: str) -> None:
    """``person_id`` now holds (channel, address): make them the heir of that identity's tombstones.

    Called when an identity is attached to a person. One small read when no tombstone exists at all.
    """
    processes = connection.execute(_BURIED_IN).scalars().all()
    if not processes:
        return
    hashes = [identity_hash(secret, process_id, channel, address) for process_id in processes]
    connection.execute(_CLAIM, {"hashes": hashes, "heir": person_id})


def _hand_over_hash(secret: bytes, process_id: int, predecessor_id: int) -> str:
    message = f"hand-over:{process_id}:{predecessor_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def hand_over(connection: Connection, secret: bytes, process_id: int, predecessor_id: int, heir_id: int) -> None:
    """The next ballot of ``heir_id`` in the process replaces ``predecessor_id``'s counted ballot (if any).

    For two people who turn out to be one (identity linking): nothing is retired now; the heir's next cast or
    withdrawal settles it (see :meth:`bot.services.voting.VotingService.retire` to retire at once instead).
    """
    upsert(
        connection,
        _TOMBSTONE,
        {
            "process_id": process_id,
            "identity_hash": _hand_over_hash(secret, process_id, predecessor_id),
            "person_id": predecessor_id,
            "heir_id": heir_id,
        },
        ("process_id", "identity_hash"),
        ("person_id", "heir_id"),
    )


def handed_over(connection: Connection, secret: bytes, process_id: int, heir_id: int) -> list[int]:
    """The people whose counted ballot in the process was handed over to ``heir_id`` by a link, not yet settled.

    Their ballot is the heir's own (``/moj_glos`` shows it). An erased stub's ballot is not: erasure tombstones
    are left out, so an account that asked to be forgotten and came back is not shown what it voted before.
    """
    rows = connection.execute(
        select(_TOMBSTONE.c.person_id, _TOMBSTONE.c.identity_hash).where(
            _TOMBSTONE.c.process_id == process_id, _TOMBSTONE.c.heir_id == heir_id
        )
    ).all()
    return sorted(
        {int(person) for person, digest in rows if digest == _hand_over_hash(secret, process_id, int(person))}
    )


def settle(connection: Connection, process_id: int, predecessor_id: int, round_no: int) -> None:
    """After the predecessor's ballot of ``round_no`` was retired: drop its participation in that round (turnout
    counts the human once) and, when no round is left, its tombstones in the process."""
    connection.execute(
        delete(_PARTICIPATION).where(
            _PARTICIPATION.c.process_id == process_id,
            _PARTICIPATION.c.person_id == predecessor_id,
            _PARTICIPATION.c.round == round_no,
        )
    )
    left = connection.execute(
        select(_PARTICIPATION.c.id)
        .where(_PARTICIPATION.c.process_id == process_id, _PARTICIPATION.c.person_id == predecessor_id)
        .limit(1)
    ).first()
    if left is None:
        connection.execute(
            delete(_TOMBSTONE).where(_TOMBSTONE.c.process_id == process_id, _TOMBSTONE.c.person_id == predecessor_id)
        )
