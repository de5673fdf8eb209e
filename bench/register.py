"""Importing a city's register of residents: 1,000,000 lines of name, address and number.

The CSV is generated to a temporary file first (streamed, like a city's export), then imported through
:meth:`bot.services.verification.VerificationService.import_register` — the code ``glos verification import`` and
``/rejestr`` run: the file is read as a stream of lines, each line normalised (:mod:`bot.addresses`), HMAC'd
under the secret key on every core (bot/register_hashing.py) and inserted (chunks of 5,000 on SQLite, one streamed
COPY on PostgreSQL). Timed (wall clock, the bot process's CPU time and its hashing workers'), with the process's
peak resident size and the largest worker's (the import runs in a fresh child process, so the peaks are the
import's own). Targets: ≤ 60 s and ≤ 500 MB.
Run: ``python -m bench.register [LINES]`` (PostgreSQL from ``GLOS_BENCH_DATABASE_URL``, default the local server).
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.support import postgres_url
from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.definition import load_definition

__all__ = ["main", "measure", "write_register"]

DEFINITION = """
slug = "bench-register"
kind = "vote"
title = "Benchmark"
[eligibility]
verify = "register"
[[pools]]
key = "main"
ballot = { rule = "min_max", min = 1, max = 1 }
counting = { rule = "plurality" }
[[items]]
key = "1"
kind = "option"
title = "A"
"""
FIRST = ["Jan", "Anna", "Piotr", "Maria", "Krzysztof", "Zofia", "Łukasz", "Małgorzata", "Paweł", "Żaneta"]
LAST = ["Kowalski", "Nowak", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zieliński", "Szymańska"]
STREETS = ["ul. Długa", "al. Racławickie", "os. Tysiąclecia", "pl. Litewski", "ul. Świętokrzyska", "ul. 3 Maja"]


def write_register(path: Path, lines: int, seed: int = 2027) -> None:
    """``lines`` residents as a city would export them (``imię i nazwisko;adres;numer``), streamed to ``path``."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("imię i nazwisko;adres;numer\n")
        for index in range(lines):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{index}"
            address = f"{rng.choice(STREETS)} {rng.randint(1, 200)} m. {rng.randint(1, 90)}"
            out.write(f"{name};{address};LU-{index:07d}\n")


def measure(url: str, register: Path) -> dict[str, object]:
    """Import ``register`` into a fresh process on ``url``; seconds, keys added and the peak RSS."""
    clock = FakeClock(datetime(2027, 6, 1, 10, 0, tzinfo=UTC))
    app = build_app(Settings(storage=StorageSettings(url=url)), clock=clock, secret=b"bench-secret-key-0123456789")
    services = app.services
    services.processes.import_definition(load_definition(DEFINITION))
    started, cpu = time.perf_counter(), time.process_time()
    with register.open(encoding="utf-8", newline="") as lines:
        result = services.verification.import_register("bench-register", lines)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the hashing pool's processes, joined by now
    app.close()
    return {
        "store": url.split(":", 1)[0].split("+")[0],
        "lines": result.read,
        "added": result.added,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "lines_per_s": round(result.read / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "workers_cpu_seconds": round(workers.ru_utime + workers.ru_stime, 1),
        "worker_peak_rss_mb": round(workers.ru_maxrss / 1024),
    }


def main(lines: int = 1_000_000) -> list[dict[str, object]]:
    """Generate the register, import it on SQLite (a file, WAL) and PostgreSQL; print a markdown table."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / "rejestr.csv"
        write_register(register, lines)
        urls = [f"sqlite:///{Path(folder) / 'bench.db'}"]
        pg = postgres_url("glos_bench_register")
        if pg is not None:
            urls.append(pg)
        for url in urls:
            child = subprocess.run(
                [sys.executable, "-m", "bench.register", "--one", url, str(register)],
                check=True,
                capture_output=True,
                text=True,
            )
            rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(
        "| store | lines | keys added | seconds | bot's CPU seconds (+ hashing workers) | lines/s "
        "| peak RSS MB (largest worker) |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['store']} | {row['lines']:,} | {row['added']:,} | {row['seconds']} | {row['cpu_seconds']} "
            f"(+ {row['workers_cpu_seconds']}) | {row['lines_per_s']:,} "
            f"| {row['peak_rss_mb']} ({row['worker_peak_rss_mb']}) |"
        )
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
