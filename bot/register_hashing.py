"""A register's lines normalised and HMAC'd on every core: the CPU work of importing a city's register.

Reading a line's name and address into their comparable form (:mod:`bot.addresses`) and keying it is pure Python,
about 13 µs a line: a million residents are 13 s of one core. :func:`hashed_entries` hands chunks of CSV rows to
a pool of worker processes (one per core on a machine with more than two, :func:`default_workers`) and yields
their results in file order, keeping at most two chunks per worker in flight, so memory stays bounded whatever
the file's size. A register that fits in the first chunk (every test, most villages) is hashed here, without
starting a pool. Workers get the secret key once, in memory, when the pool starts (never through a file or the
environment).
"""

from __future__ import annotations

import hashlib
import hmac
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.pool import AsyncResult

from bot.registers import RegisterLayout, RegisterReader

__all__ = ["CHUNK", "Entry", "HashedRegister", "default_workers", "hashed_entries"]

CHUNK = 20_000  # rows per task: large enough to amortise the pickling, small enough to keep memory flat
Entry = tuple[str, str | None]  # (entry hash, the hash of the line's first key when this is its second)

_STATE: hmac.HMAC | None = None  # a worker's keyed HMAC state


def _keyed(secret: bytes) -> hmac.HMAC:
    return hmac.new(secret, b"register:", hashlib.sha256)


def _start(secret: bytes) -> None:
    """A worker's initializer: the keyed state, once."""
    global _STATE
    _STATE = _keyed(secret)


def _hash_rows(state: hmac.HMAC, layout: RegisterLayout, rows: list[list[str]]) -> tuple[list[Entry], int]:
    """The entries of ``rows`` and how many rows named nobody."""
    entries: list[Entry] = []
    skipped = 0
    for row in rows:
        keys = layout.keys(row)
        if not keys:
            skipped += 1
            continue
        resident: str | None = None
        for key in keys:
            # copying a keyed HMAC state is cheaper than keying a new one for each of a million lines
            line = state.copy()
            line.update(key.encode())
            digest = line.hexdigest()[:32]
            entries.append((digest, resident))
            resident = resident or digest
    return entries, skipped


def _work(layout: RegisterLayout, rows: list[list[str]]) -> tuple[list[Entry], int]:
    assert _STATE is not None, "the pool's initializer sets the key"
    return _hash_rows(_STATE, layout, rows)


def default_workers() -> int:
    """One worker per core where there are more than two; else none (hash in this process).

    Measured on two cores (BENCHMARKS.md): the pool spends about half as much CPU again on pickling rows and
    results as the hashing itself, so with the bot, the database and the pool sharing two cores it is no faster —
    slower when the machine is busy. From four cores on the hashing spreads out and the pickling is paid for.
    """
    cores = os.cpu_count() or 1
    return cores if cores > 2 else 1


@dataclass
class HashedRegister:
    """What :func:`hashed_entries` read: rows read and rows skipped (final once its entries are consumed)."""

    reader: RegisterReader
    skipped: int = 0

    @property
    def read(self) -> int:
        """Non-empty rows after the header."""
        return self.reader.read


def hashed_entries(
    reader: RegisterReader, secret: bytes, *, workers: int | None = None, chunk: int = CHUNK
) -> tuple[HashedRegister, Iterator[Entry]]:
    """The register's entries in file order, and the counts they leave (see the module docstring).

    ``workers``: processes to use (default: :func:`default_workers`); 1 hashes here. The pool starts processes
    with ``spawn``, which imports the program's ``__main__`` module again: an entry point must be guarded by
    ``if __name__ == "__main__"`` (``glos``, pytest and ``python -m`` are). The header is read at once (a
    register without a resident column raises :class:`bot.errors.InputError` here, not while consuming).
    """
    counts = HashedRegister(reader)
    rows = reader.rows()
    first = list(islice(rows, chunk))  # reads the header: the layout is known from here
    assert reader.layout is not None
    layout = reader.layout
    wanted = workers or default_workers()

    def entries() -> Iterator[Entry]:
        state = _keyed(secret)
        done, skipped = _hash_rows(state, layout, first)
        counts.skipped += skipped
        if len(first) < chunk or wanted <= 1:
            yield from done
            for more in iter(lambda: list(islice(rows, chunk)), []):
                done, skipped = _hash_rows(state, layout, more)
                counts.skipped += skipped
                yield from done
            return
        yield from done
        context = multiprocessing.get_context("spawn")  # no fork of a process holding database connections
        with context.Pool(wanted, initializer=_start, initargs=(secret,)) as pool:
            pending: deque[AsyncResult[tuple[list[Entry], int]]] = deque()
            for more in iter(lambda: list(islice(rows, chunk)), []):
                pending.append(pool.apply_async(_work, (layout, more)))
                if len(pending) >= 2 * wanted:
                    done, skipped = pending.popleft().get()
                    counts.skipped += skipped
                    yield from done
            while pending:
                done, skipped = pending.popleft().get()
                counts.skipped += skipped
                yield from done

    return counts, entries()
