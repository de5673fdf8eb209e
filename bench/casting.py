"""Casting ballots through the service layer: ballots per second on SQLite and on PostgreSQL.

Every ballot goes the whole way a channel's ballot goes: process lookup, phase and window check, eligibility
(created on first vote in an open process), ballot rule validation, the previous ballot retired, the new one
and the participation record written, one transaction per ballot. People are registered beforehand (that is
the channels' job, on first contact). Run: ``python -m bench.casting`` (PostgreSQL from
``GLOS_BENCH_DATABASE_URL``, default the local server when it answers).
"""

from __future__ import annotations

import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bench.support import postgres_url
from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.definition import load_definition
from bot.domain import Channel

__all__ = ["main", "measure"]

DEFINITION = """
slug = "bench"
kind = "budget"
title = "Benchmark"
[eligibility]
mode = "open"
[[pools]]
key = "city"
budget = 10_000_000
ballot = { rule = "up_to", max = 5 }
counting = { rule = "greedy" }
""" + "".join(
    f'[[items]]\nkey = "{n}"\nkind = "project"\npool = "city"\ncost = {100_000 + n * 1000}\ntitle = "P{n}"\n'
    for n in range(1, 41)
)


def measure(
    url: str, ballots: int, *, changes: float = 0.1, threads: int = 1, secret: bool = False
) -> dict[str, object]:
    """Cast ``ballots`` ballots (a share of them changed votes) from ``threads`` threads and report the rate.

    Threads stand for the concurrent updates a channel handles at once; each thread votes for its own voters.
    ``secret``: a secret process (random ids, ballots sealed while open, changed ballots deleted).
    """
    settings = Settings(storage=StorageSettings(url=url))
    clock = FakeClock(datetime(2027, 6, 20, 12, 0, tzinfo=UTC))
    app = build_app(settings, clock=clock, secret=b"bench-secret-key-0123456789")
    services = app.services
    definition = DEFINITION.replace("[eligibility]", "secret = true\n[eligibility]") if secret else DEFINITION
    services.processes.import_definition(load_definition(definition))
    services.processes.open("bench")
    rng = random.Random(7)
    voters = max(1, int(ballots * (1 - changes)))
    people = [services.people.identify(Channel.CONSOLE, f"voter{n}").person_id for n in range(voters)]
    plan = [
        (people[n % voters], [str(item) for item in rng.sample(range(1, 41), rng.randint(1, 5))])
        for n in range(ballots)
    ]
    shares = [plan[index::threads] for index in range(threads)]

    def cast_all(share: list[tuple[int, list[str]]]) -> None:
        for person, choice in share:
            services.voting.cast("bench", person, {"city": choice}, Channel.CONSOLE)

    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(cast_all, shares))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    app.close()
    return {
        "store": url.split(":", 1)[0].split("+")[0],
        "threads": threads,
        "ballots": ballots,
        "seconds": round(elapsed, 2),
        "ballots_per_s": round(ballots / elapsed),
        "cpu_us_per_ballot": round(cpu / ballots * 1e6),
        "secret": secret,
    }


def main() -> list[dict[str, object]]:
    """Measure on SQLite (a file, WAL) and on PostgreSQL when reachable; print a markdown table."""
    rows = []
    for threads in (1, 4):
        with tempfile.TemporaryDirectory() as folder:
            rows.append(measure(f"sqlite:///{Path(folder) / 'bench.db'}", 5000, threads=threads))
    for threads in (1, 8):
        pg = postgres_url("glos_bench")
        if pg is not None:
            rows.append(measure(pg, 3000, threads=threads))
    print("| store | threads | ballots | seconds | ballots/s |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['store']} | {row['threads']} | {row['ballots']} | {row['seconds']} | {row['ballots_per_s']} |")
    return rows


if __name__ == "__main__":
    main()
