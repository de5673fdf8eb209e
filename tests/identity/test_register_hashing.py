"""A register is hashed on every core (bot/register_hashing.py): the pool's entries, in file order, and its counts
are exactly what hashing in one process gives — and an import through the pool verifies its residents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.register import write_register
from bot.domain import Channel
from bot.register_hashing import hashed_entries
from bot.registers import RegisterReader
from bot.services import Services

SECRET = b"test-secret-key-not-for-production"


def _lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # a line that names nobody, and an empty one: counted as skipped, and not at all
    return [*lines[:100], "Jan Bez Adresu;;\n", "\n", *lines[100:]]


def test_the_pool_gives_what_one_process_gives(tmp_path: Path) -> None:
    register = tmp_path / "rejestr.csv"
    write_register(register, 3_000)
    results = []
    for workers in (1, 2):
        counts, entries = hashed_entries(RegisterReader(_lines(register)), SECRET, workers=workers, chunk=500)
        results.append((list(entries), counts.read, counts.skipped))
    assert results[0] == results[1]
    entries, read, skipped = results[0]
    assert (len(entries), read, skipped) == (6_000, 3_001, 1)
    # each line's second key (its number) points at its first (name and address): one resident
    assert all(resident is None for _, resident in entries[0::2])
    assert [resident for _, resident in entries[1::2]] == [digest for digest, _ in entries[0::2]]


def test_an_import_through_the_pool_verifies_by_name_and_by_number_as_one_resident(
    tmp_path: Path, services: Services, verified_process: Callable[[str], str]
) -> None:
    slug = verified_process("bo-lublin-2027-rejestr")
    register = tmp_path / "rejestr.csv"
    write_register(register, 25_000)  # more than one chunk: the pool runs
    services.verification.import_workers = 2
    with register.open(encoding="utf-8") as lines:
        imported = services.verification.import_register(slug, lines)
    assert (imported.read, imported.added, imported.skipped) == (25_000, 50_000, 0)
    name, address, number = register.read_text(encoding="utf-8").splitlines()[24_000].split(";")
    ania = services.people.identify(Channel.CONSOLE, "ania").person_id
    kasia = services.people.identify(Channel.CONSOLE, "kasia").person_id
    services.verification.verify(slug, ania, Channel.CONSOLE, f"{name}, {address}")
    services.verification.verify(slug, kasia, Channel.CONSOLE, number)
    assert services.verification.report(slug).shared == 1  # one resident, two accounts
