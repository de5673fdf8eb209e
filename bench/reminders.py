"""Selecting the people to remind and queuing their reminders: 100 000 eligible, 60 000 of them voted.

The store is filled directly with multi-row inserts (people with a Telegram identity, eligibility, participation
for 60 %); then one reminder slot is run through :func:`bot.scheduling.reminders.enqueue_reminders`, the code the
scheduler runs, and timed. Memory is the peak of Python allocations during that call (``tracemalloc``, a second
run on a fresh slot) and the process's peak resident size. Target: ≤ 5 s and ≤ 300 MB on SQLite and PostgreSQL.
Run: ``python -m bench.reminders`` (PostgreSQL from ``GLOS_BENCH_DATABASE_URL``, default the local server).
"""

from __future__ import annotations

import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.support import postgres_url
from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.definition import load_definition
from bot.domain import ProcessKind
from bot.scheduling.reminders import enqueue_reminders
from storage.models import Eligibility, Identity, OutboxMessage, Participation, Person

__all__ = ["main", "measure"]

DEFINITION = """
slug = "bench"
kind = "budget"
title = "Benchmark"
opens_at = 2027-06-01T08:00:00+02:00
closes_at = 2027-06-30T20:00:00+02:00
reminders = ["3d", "1d"]
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


def _fill(connection: Any, process_id: int, eligible: int, voted: int, now: datetime) -> None:
    """``eligible`` people with a Telegram identity and eligibility; the first ``voted`` took part."""
    first = connection.execute(select(func.coalesce(func.max(Person.id), 0))).scalar_one() + 1  # type: ignore[arg-type]
    tables = (
        Person.__table__,  # type: ignore[attr-defined]
        Identity.__table__,  # type: ignore[attr-defined]
        Eligibility.__table__,  # type: ignore[attr-defined]
        Participation.__table__,  # type: ignore[attr-defined]
    )
    for start in range(0, eligible, CHUNK):
        ids = range(first + start, first + min(start + CHUNK, eligible))
        connection.execute(
            insert(tables[0]),
            [
                {"id": i, "display_name": None, "language": "pl", "reminders_opt_out": False, "created_at": now}
                for i in ids
            ],
        )
        connection.execute(
            insert(tables[1]),
            [{"person_id": i, "channel": "telegram", "address": str(10_000_000 + i), "created_at": now} for i in ids],
        )
        connection.execute(
            insert(tables[2]),
            [{"process_id": process_id, "person_id": i, "source": "open", "granted_at": now} for i in ids],
        )
        voters = [i for i in ids if i - first < voted]
        if voters:
            connection.execute(
                insert(tables[3]),
                [
                    {
                        "process_id": process_id,
                        "person_id": i,
                        "round": 1,
                        "channel": "telegram",
                        "first_at": now,
                        "last_at": now,
                        "withdrawn": False,
                    }
                    for i in voters
                ],
            )
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person))"))
        connection.execute(text("ANALYZE"))


def measure(url: str, eligible: int = 100_000, voted: int = 60_000) -> dict[str, object]:
    """Fill the store, then time one reminder slot and measure its memory."""
    clock = FakeClock(datetime(2027, 6, 27, 18, 0, tzinfo=UTC))
    app = build_app(Settings(storage=StorageSettings(url=url)), clock=clock, secret=b"bench-secret-key-0123456789")
    services = app.services
    info = services.processes.import_definition(load_definition(DEFINITION))
    services.processes.open("bench")
    with services.context.connection() as connection:
        _fill(connection, info.id, eligible, voted, clock.now())

    def run(slot: str) -> tuple[float, int, int]:
        started = time.perf_counter()
        report = enqueue_reminders(
            services, process_id=info.id, slug="bench", kind=ProcessKind.BUDGET, slot=slot, closes_at=clock.now()
        )
        return time.perf_counter() - started, report.selected, report.queued

    seconds, selected, queued = run("3d")
    tracemalloc.start()
    run("1d")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    again, _, requeued = run("3d")  # everything is queued already: nothing is queued twice
    with services.context.connection() as connection:
        rows = connection.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()  # type: ignore[arg-type]
    app.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "store": url.split(":", 1)[0].split("+")[0],
        "eligible": eligible,
        "voted": voted,
        "selected": selected,
        "queued": queued,
        "seconds": round(seconds, 2),
        "python_peak_mb": round(peak / 2**20, 1),
        "process_peak_rss_mb": round(rss),
        "rerun_seconds": round(again, 2),
        "rerun_queued": requeued,
        "outbox_rows": rows,
    }


def main() -> list[dict[str, object]]:
    """Measure on SQLite (a file, WAL) and on PostgreSQL when reachable; print a markdown table."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(measure(f"sqlite:///{Path(folder) / 'bench.db'}"))
    pg = postgres_url("glos_bench_reminders")
    if pg is not None:
        rows.append(measure(pg))
    print(
        "| store | eligible | voted | selected | queued | seconds | Python peak MB | process peak RSS MB | re-run s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['store']} | {row['eligible']} | {row['voted']} | {row['selected']} | {row['queued']} "
            f"| {row['seconds']} | {row['python_peak_mb']} | {row['process_peak_rss_mb']} | {row['rerun_seconds']} |"
        )
    return rows


if __name__ == "__main__":
    main()
