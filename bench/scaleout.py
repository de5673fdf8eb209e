"""Scale-out on PostgreSQL: ballots per second through webhook mode with 1 and with 3 ``glos serve`` workers, and
each worker's RSS with 100,000 residents and 100,000 ballots in the store.

The store (a fresh schema on the local PostgreSQL, ``GLOS_BENCH_DATABASE_URL``) holds the Warsaw example, opened,
100,000 residents with a Telegram identity and 100,000 ballots (bulk inserts), plus the voters of the runs, who
declared their district. The Bot API emulator runs in this process (it only receives the replies; flood
control off). This process plays Telegram's webhook delivery: it POSTs one vote per voter, each from a different
person, with up to 40 requests in flight (Telegram's default ``max_connections``), a new connection each (so
``SO_REUSEPORT`` spreads them over the workers), and polls the ballot table; the rate is ballots stored per
second from the first POST to the last ballot. Every voter must have been answered once. After a run the
workers serve the public pages a few times (the results page of the 100,000-ballot process) and their RSS is
read from ``/proc``. Run: ``python -m bench.scaleout``.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text

from bench.cluster import SECRET, WEBHOOK_SECRET, Cluster
from bench.support import postgres_url
from bot.app import App, build_app, load_example_organisations
from bot.config import BotSettings, Settings, StorageSettings
from bot.definition import load_definition_file
from bot.domain import Channel
from handlers.emulator import Emulator, EmulatorServer
from handlers.emulator.flood import FloodLimits
from storage.models import Ballot, Identity, Person

__all__ = ["main", "measure"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bo-warszawa-2027.toml"
RESIDENTS = 100_000
BALLOTS = 100_000
CHUNK = 5_000
VOTE = "/glosuj bo2027 city: 1, 2; wesola: 10"
IN_FLIGHT = 40


def _seed(app: App) -> None:
    """100,000 residents (person + Telegram identity) and 100,000 ballots, in bulk."""
    definition = load_definition_file(EXAMPLE)
    load_example_organisations(app.services, EXAMPLE.parent)  # the organisations the examples name
    app.services.processes.import_definition(definition)
    app.services.processes.open(definition.slug)
    process_id = app.services.processes.get(definition.slug).id
    now = datetime.now(UTC)
    with app.engine.begin() as connection:
        first = 1_000_000
        for start in range(0, RESIDENTS, CHUNK):
            ids = range(first + start, first + min(RESIDENTS, start + CHUNK))
            connection.execute(insert(Person), [{"id": n, "language": "pl", "created_at": now} for n in ids])
            connection.execute(
                insert(Identity),
                [{"person_id": n, "channel": Channel.TELEGRAM, "address": str(n), "created_at": now} for n in ids],
            )
        connection.execute(text("SELECT setval(pg_get_serial_sequence('person', 'id'), (SELECT max(id) FROM person))"))
        for start in range(0, BALLOTS, CHUNK):
            connection.execute(
                insert(Ballot),
                [
                    {
                        "process_id": process_id,
                        "ballot_key": f"{n:064x}",
                        "content": {"city": ["1", "2"], "wesola": ["10"], "@district": "wesola"},
                        "receipt_hash": f"{n:064x}",
                        "cast_at": now,
                        "channel": Channel.TELEGRAM,
                    }
                    for n in range(start, min(BALLOTS, start + CHUNK))
                ],
            )
    with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # What autovacuum would do soon after a bulk load: without statistics the planner retires a voter's
        # previous ballot through ix_ballot_current, i.e. past all 100,000 current ballots, on every vote.
        connection.execute(text("ANALYZE"))


def _voters(app: App, emulator: Emulator, first: int, count: int) -> list[int]:
    """``count`` new residents who declared their district, known to the emulator."""
    voters = list(range(first, first + count))
    for uid in voters:
        person = app.services.people.identify(Channel.TELEGRAM, str(uid))
        app.services.eligibility.declare_district("bo2027", person.person_id, "wesola")
        emulator.user(uid)
    return voters


def _update(update_id: int, uid: int) -> dict[str, Any]:
    user = {"id": uid, "is_bot": False, "first_name": "Ania", "language_code": "pl"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": uid, "type": "private", "first_name": "Ania"},
            "from": user,
            "text": VOTE,
            "entities": [{"type": "bot_command", "offset": 0, "length": len("/glosuj")}],
        },
    }


def _ballots(app: App) -> int:
    with app.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM ballot")).scalar_one())


async def _deliver(url: str, voters: list[int], first_update: int) -> None:
    slots = asyncio.Semaphore(IN_FLIGHT)
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one(n: int, uid: int) -> None:
            async with slots:
                response = await client.post(
                    f"{url}/telegram/webhook",
                    json=_update(first_update + n, uid),
                    headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                )
                response.raise_for_status()

        await asyncio.gather(*(one(n, uid) for n, uid in enumerate(voters)))


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` (all its threads) so far; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _postgres_pids() -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm", encoding="ascii") as comm:
                    if comm.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (every process, others' too)."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


class _CpuMeter:
    """CPU seconds spent during a run by the workers, PostgreSQL, this driver process and the whole machine."""

    def __init__(self, workers: list[int]) -> None:
        self.workers = workers
        self.postgres = {pid: _cpu_seconds(pid) for pid in _postgres_pids()}
        self.start = self._sample()

    def _sample(self) -> tuple[float, float, float, float]:
        times = os.times()
        busy, total = _machine_busy()
        return sum(_cpu_seconds(pid) for pid in self.workers), times.user + times.system, busy, total

    def per_ballot_ms(self, ballots: int) -> dict[str, float]:
        end = self._sample()
        workers, driver, busy, total = (b - a for a, b in zip(self.start, end, strict=True))
        # Backends forked during the run (pools growing) count from zero.
        postgres = sum(_cpu_seconds(pid) - self.postgres.get(pid, 0.0) for pid in _postgres_pids())
        return {
            "cpu_ms_per_ballot_workers": round(workers / ballots * 1000, 1),
            "cpu_ms_per_ballot_postgres": round(postgres / ballots * 1000, 1),
            "cpu_ms_per_ballot_driver": round(driver / ballots * 1000, 1),
            "machine_busy_pct": round(100 * busy / total, 0),
        }


def _run(
    app: App, emulator: Emulator, api: EmulatorServer, url: str, folder: Path, workers: int, voters: list[int]
) -> dict[str, Any]:
    cluster = Cluster(folder, url, api.url, emulator.token, workers=workers, retry=2.0)
    try:
        cluster.start()
        with httpx.Client(timeout=60) as client:  # every worker has connected to the store once
            for _ in range(4 * workers):
                client.get(f"{cluster.url}/").raise_for_status()
        before = _ballots(app)
        meter = _CpuMeter(list(cluster.worker_pids().values()))
        started = time.monotonic()
        asyncio.run(_deliver(cluster.url, voters, int(time.time() * 1000) * 10))
        deadline = started + 600
        while _ballots(app) < before + len(voters):
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {_ballots(app) - before} of {len(voters)} ballots stored in 600 s")
            time.sleep(0.05)
        seconds = time.monotonic() - started
        cpu = meter.per_ballot_ms(len(voters))
        answered = [len(emulator.received(uid)) for uid in voters]
        if any(count != 1 for count in answered):
            raise RuntimeError(f"voters answered other than once: {sorted(set(answered))}")
        with httpx.Client(timeout=60) as client:  # the pages too, so the RSS includes the results cache
            for _ in range(3 * workers):
                client.get(f"{cluster.url}/").raise_for_status()
                client.get(f"{cluster.url}/p/bo2027").raise_for_status()
        rss = [round(_rss_mb(pid), 1) for pid in cluster.worker_pids().values()]
    finally:
        cluster.stop()
    return {
        "workers": workers,
        "ballots": len(voters),
        "seconds": round(seconds, 1),
        "ballots_per_s": round(len(voters) / seconds, 1),
        "rss_mb": rss,
        **cpu,
    }


def measure(voters: int = 1500) -> list[dict[str, Any]]:
    """Seed the store, then one run with 1 worker and one with 3 (``voters`` ballots each)."""
    url = postgres_url("bench_scaleout")
    if url is None:
        raise SystemExit("PostgreSQL is unreachable: set GLOS_BENCH_DATABASE_URL")
    settings = Settings(storage=StorageSettings(url=url), bot=BotSettings(admins=[]))
    app = build_app(settings, secret=SECRET.encode())
    emulator = Emulator("123456:BENCHSCALE", limits=FloodLimits.off())
    api = EmulatorServer(emulator).start()
    results = []
    try:
        _seed(app)
        with tempfile.TemporaryDirectory() as folder:
            for n, workers in enumerate((1, 3)):
                people = _voters(app, emulator, 500_000 + n * voters, voters)
                run_folder = Path(folder) / str(workers)
                run_folder.mkdir()
                results.append(_run(app, emulator, api, url, run_folder, workers, people))
    finally:
        api.stop()
        app.close()
    return results


def main() -> list[dict[str, Any]]:
    """Print the figures (one line per run) and the speed-up."""
    results = measure(int(os.environ.get("GLOS_BENCH_VOTERS", "1500")))
    for result in results:
        print(result)
    print(f"speed-up 3 workers / 1 worker: {results[1]['ballots_per_s'] / results[0]['ballots_per_s']:.2f}x")
    return results


if __name__ == "__main__":
    main()
