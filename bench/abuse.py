"""Anti-abuse signals on a big store: 100,000 people with a Telegram identity, eligibility in one of three
districts and a first ballot, spread over eight days; 10,000 of them redeemed an invite code from one of 20 batches.

Times :meth:`bot.services.abuse.AbuseWatch.signals` (the current window), ``recent(24)`` (``/sygnaly`` and the
daily digest) and ``recent(168)`` (``/sygnaly 168``), best of three, on SQLite and PostgreSQL.
Run: ``python -m bench.abuse`` (PostgreSQL from ``GLOS_BENCH_DATABASE_URL``, default the local server).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text

from bench.support import postgres_url
from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.definition import load_definition
from bot.services.abuse import AbuseWatch
from storage.models import Eligibility, Identity, InviteCode, Participation, Person

__all__ = ["main", "measure"]

DEFINITION = """
slug = "bench"
kind = "budget"
title = "Benchmark"
opens_at = 2027-06-01T08:00:00+02:00
closes_at = 2027-06-30T20:00:00+02:00
[eligibility]
mode = "open"
[[pools]]
key = "city"
budget = 1_000_000
ballot = { rule = "up_to", max = 3 }
counting = { rule = "greedy" }
[[items]]
key = "1"
kind = "project"
pool = "city"
cost = 1000
title = "P1"
"""
CHUNK = 5000
TABLES: tuple[Any, ...] = (
    Person.__table__,  # type: ignore[attr-defined]
    Identity.__table__,  # type: ignore[attr-defined]
    Eligibility.__table__,  # type: ignore[attr-defined]
    Participation.__table__,  # type: ignore[attr-defined]
    InviteCode.__table__,  # type: ignore[attr-defined]
)


def _fill(connection: Any, process_id: int, people: int, end: datetime) -> None:
    chance = random.Random(2027)
    for start in range(0, people, CHUNK):
        ids = range(start + 1000, min(start + CHUNK, people) + 1000)
        stamps = {i: end - timedelta(seconds=chance.randrange(8 * 86_400)) for i in ids}
        rows: tuple[list[dict[str, Any]], ...] = (
            [{"id": i, "language": "pl", "reminders_opt_out": False, "created_at": stamps[i]} for i in ids],
            [{"person_id": i, "channel": "telegram", "address": str(i), "created_at": stamps[i]} for i in ids],
            [
                {
                    "process_id": process_id,
                    "person_id": i,
                    "district": chance.choice(["wesola", "bemowo", "ursynow"]),
                    "source": "open",
                    "granted_at": stamps[i],
                }
                for i in ids
            ],
            [
                {
                    "process_id": process_id,
                    "person_id": i,
                    "round": 1,
                    "channel": "telegram",
                    "first_at": stamps[i],
                    "last_at": stamps[i],
                    "withdrawn": False,
                }
                for i in ids
            ],
            [
                {
                    "process_id": process_id,
                    "code_hash": f"{i:064x}",
                    "batch": f"partia {i % 20}",
                    "created_at": stamps[i],
                    "used_by": i,
                    "used_at": stamps[i],
                }
                for i in ids
                if i % 10 == 0
            ],
        )
        for table, values in zip(TABLES, rows, strict=True):
            connection.execute(insert(table), values)
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person))"))
        connection.execute(text("ANALYZE"))


def _best(call: Callable[[], object]) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(url: str, people: int = 100_000) -> dict[str, object]:
    """Fill the store, then time the three look-backs."""
    clock = FakeClock(datetime(2027, 6, 20, 10, 0, tzinfo=UTC))
    app = build_app(Settings(storage=StorageSettings(url=url)), clock=clock, secret=b"bench-secret-key-0123456789")
    info = app.services.processes.import_definition(load_definition(DEFINITION))
    app.services.processes.open("bench")
    end = clock.now() + timedelta(days=8)
    with app.services.context.connection() as connection:
        _fill(connection, info.id, people, end)
    watch = AbuseWatch(app.services.context)
    figures: dict[str, object] = {"store": url.split(":", 1)[0].split("+")[0], "people": people}
    figures["window_ms"] = round(_best(lambda: watch.signals(end)) * 1000)
    figures["day_ms"] = round(_best(lambda: watch.recent(24, end)) * 1000)
    figures["week_ms"] = round(_best(lambda: watch.recent(168, end)) * 1000)
    app.close()
    return figures


def main() -> None:
    """Print one markdown row per store."""
    print("| store | people, ballots | current window ms | last 24 h ms | last 7 days ms |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        urls = [f"sqlite:///{Path(folder) / 'abuse.db'}"]
        postgres = postgres_url("glos_bench_abuse")
        if postgres is not None:
            urls.append(postgres)
        for url in urls:
            f = measure(url)
            print(f"| {f['store']} | {f['people']:,} | {f['window_ms']} | {f['day_ms']} | {f['week_ms']} |", flush=True)
    if postgres is not None:  # the 100,000 rows are not left in the shared server
        engine = create_engine(postgres)
        with engine.begin() as connection:
            connection.execute(text('DROP SCHEMA IF EXISTS "glos_bench_abuse" CASCADE'))
        engine.dispose()


if __name__ == "__main__":
    main()
