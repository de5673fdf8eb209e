"""The public pages under load: many concurrent readers of every published process while ballots are cast.

``python -m bench.load [--store sqlite|postgresql|both] [--clients 200] [--seconds 60] [--rate 20]``

1. Fills a fresh store (SQLite file, or a PostgreSQL schema of its own) with every example — budgets (Kraków,
   Warsaw, green budget), a consultation with opinions, a deliberative poll, a survey, a yes/no vote — each with
   a few hundred ballots cast through the services, then closed and published; and one more green budget left
   open for the casting below.
2. Starts ``glos web`` on that store as a separate process on a free loopback port (the real entry point and
   uvicorn, default ``[web]`` admission settings).
3. For ``--seconds``, ``--clients`` asyncio clients (one keep-alive connection each) GET, one after another,
   routes drawn in turn from: every process's results page, chart, JSON results and exports (CSV, JSON and, for
   budgets, ``.pb``), the consultation's report (page, CSV, DOCX), the process list and the index — while another
   process casts ``--rate`` ballots per second into the open budget through the services. The run stops by
   itself (time and a cap of 2 million requests) and only talks to 127.0.0.1.

Prints, per route: requests, errors (anything but 200; 503s counted apart), p50/p99 latency and throughput;
then the totals and the ballots cast (all must succeed). Not part of ``make test``: ``tests/web/test_web_burst.py``
is the short version that asserts no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.support import postgres_url
from bot.app import build_app, load_example_organisations
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.definition import ProcessDefinition, load_definition_file
from bot.domain import Answer, BallotRuleKind, Channel, ProcessKind
from bot.errors import GlosError
from bot.services import Services
from bot.services.eligibility import RosterRow
from bot.services.unit import is_transient
from bot.web.serve import free_port

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BALLOTS_PER_PROCESS = 300
MAX_REQUESTS = 2_000_000


def _ballot(definition: ProcessDefinition, district: str | None, rng: random.Random) -> dict[str, Any]:
    """A random valid-looking ballot: every pool the voter may vote in, by its ballot rule."""
    ballot: dict[str, Any] = {}
    for pool in definition.pools:
        if pool.district is not None and pool.district != district:
            continue
        keys = [item.key for item in definition.items_of(pool.key)]
        rule = pool.ballot
        if rule.rule is BallotRuleKind.YES_NO_ABSTAIN:
            ballot[pool.key] = {key: rng.choice(list(Answer)) for key in keys}
        elif rule.rule is BallotRuleKind.SCORE:
            ballot[pool.key] = {key: rng.randint(rule.min_score, rule.max_score) for key in keys}
        elif rule.rule is BallotRuleKind.CUMULATIVE:
            ballot[pool.key] = {rng.choice(keys): 1}
        else:
            low = max(rule.min, 1)
            high = min(rule.max or len(keys), len(keys))
            if rule.rule is BallotRuleKind.ONE_OF:
                low = high = 1
            elif rule.rule is BallotRuleKind.EXACTLY:
                low = high
            ballot[pool.key] = rng.sample(keys, rng.randint(low, max(low, high)))
    return ballot


def _fill(services: Services, clock: FakeClock, definition: ProcessDefinition, rng: random.Random) -> int:
    """Import, open, cast ballots (and opinions), close and publish one example; returns the ballots cast."""
    if definition.opens_at is not None:
        clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    names = [f"{definition.slug}-{n}" for n in range(BALLOTS_PER_PROCESS)]
    if definition.eligibility.mode.value == "roster":
        services.eligibility.import_roster(definition.slug, [RosterRow(Channel.CONSOLE, name) for name in names])
    cast = 0
    districts = list(definition.eligibility.districts)
    for name in names:
        person = services.people.identify(Channel.CONSOLE, name).person_id
        district = rng.choice(districts) if districts else None
        try:
            if district is not None:
                services.eligibility.declare_district(definition.slug, person, district)
            if definition.kind is ProcessKind.CONSULTATION:
                services.opinions.submit(definition.slug, person, f"Uwaga {name}: więcej zieleni.", Channel.CONSOLE)
            else:
                services.voting.cast(definition.slug, person, _ballot(definition, district, rng), Channel.CONSOLE)
            cast += 1
        except GlosError:
            continue  # a rule this generator does not know (an invitation code, a budget cap): skip the voter
    services.processes.close(definition.slug)
    services.processes.publish(definition.slug)
    return cast


def _routes(services: Services) -> list[tuple[str, str]]:
    """(route name, path) for every published process."""
    routes = [("index", "/"), ("api list", "/api/processes")]
    for info in services.processes.list():
        if info.phase.value != "published":
            continue
        slug = info.slug
        routes += [
            ("results page", f"/p/{slug}"),
            ("JSON results", f"/api/processes/{slug}/results"),
            ("export.csv", f"/api/processes/{slug}/export.csv"),
            ("export.json", f"/api/processes/{slug}/export.json"),
        ]
        if info.kind is ProcessKind.CONSULTATION:
            routes += [
                ("report", f"/p/{slug}/raport"),
                ("report.csv", f"/p/{slug}/raport.csv"),
                ("report.docx", f"/p/{slug}/raport.docx"),
            ]
        else:
            routes.append(("chart.png", f"/p/{slug}/chart.png"))
        if info.kind is ProcessKind.BUDGET:
            routes.append(("export.pb", f"/api/processes/{slug}/export.pb"))
    return routes


async def _clients(base: str, routes: list[tuple[str, str]], clients: int, seconds: float) -> dict[str, list[Any]]:
    """Run the readers; per route name: [latencies of 200s, errors, 503s]."""
    stats: dict[str, list[Any]] = defaultdict(lambda: [[], 0, 0])
    kinds = ERRORS
    deadline = time.monotonic() + seconds
    sent = 0

    async def reader(offset: int) -> None:
        nonlocal sent
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            k = offset
            while time.monotonic() < deadline and sent < MAX_REQUESTS:
                name, path = routes[k % len(routes)]
                k += 1
                sent += 1
                start = time.perf_counter()
                try:
                    answer = await client.get(path)
                    status = answer.status_code
                except httpx.HTTPError as error:
                    status, kinds[f"{name}: {type(error).__name__}"] = 0, kinds[f"{name}: {type(error).__name__}"] + 1
                entry = stats[name]
                if status == 200:
                    entry[0].append(time.perf_counter() - start)
                elif status == 503:
                    entry[2] += 1
                else:
                    entry[1] += 1
                    if status:
                        kinds[f"{name}: HTTP {status}"] += 1

    await asyncio.gather(*(reader(n) for n in range(clients)))
    return stats


ERRORS: Counter[str] = Counter()
"""What each error was, per route (an HTTP status or the client's exception): printed under the table."""


def _caster(url: str, secret: str, now: datetime, slug: str, rate: float, seconds: float, out: Any) -> None:
    """In a process of its own (the readers would take its GIL): cast ``rate`` ballots per second into the open
    budget for ``seconds``; puts (cast, failed) on ``out``."""
    app = build_app(Settings(storage=StorageSettings(url=url)), clock=FakeClock(now), secret=secret.encode())
    services = app.services
    definition = services.processes.get(slug).definition
    rng = random.Random(11)
    cast = failed = retried = n = 0
    start = time.monotonic()
    while time.monotonic() < start + seconds:
        ballot = _ballot(definition, None, rng)
        for attempt in range(3):  # a voter told "try again" (the store was busy) sends the same ballot again
            try:  # a voter's whole turn, as a channel runs it: identify, then cast
                person = services.people.identify(Channel.TELEGRAM, f"load-{n}").person_id
                services.voting.cast(slug, person, ballot, Channel.TELEGRAM)
                cast += 1
                break
            except Exception as error:  # counted and named, so one failure never ends the run
                print(f"caster: ballot {n} try {attempt + 1}: {type(error).__name__}: {error!s:.200}", file=sys.stderr)
                if not is_transient(error) or attempt == 2:
                    failed += 1
                    break
                retried += 1
        n += 1
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
    app.close()
    out.put((cast, failed, retried))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run(store: str, url: str, clients: int, seconds: float, rate: float) -> None:
    """Fill ``url``, serve it with ``glos web``, load it, print the table."""
    clock = FakeClock(load_definition_file(EXAMPLES / "bo-warszawa-2027.toml").opens_at)  # type: ignore[arg-type]
    secret = "load-bench-secret-0123456789abcdef"
    app = build_app(Settings(storage=StorageSettings(url=url)), clock=clock, secret=secret.encode())
    services = app.services
    load_example_organisations(services, EXAMPLES)  # the organisations the examples name
    rng = random.Random(5)
    filled = {
        path.stem: _fill(services, clock, load_definition_file(path), rng) for path in sorted(EXAMPLES.glob("*.toml"))
    }
    green = load_definition_file(EXAMPLES / "zielony-budzet-wieliczka.toml")
    live = green.model_copy(update={"slug": "zielony-na-zywo", "closes_at": green.closes_at + timedelta(days=365)})  # type: ignore[operator]
    assert green.opens_at is not None
    clock.set(green.opens_at + timedelta(hours=1))
    services.processes.import_definition(live)
    services.processes.open(live.slug)
    routes = _routes(services)
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="glos-load-")) / "server.log"  # kept: the server's errors, if any
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "glos.toml"
        config.write_text(
            f'[bot]\nload_examples = false\n[storage]\nurl = "{url}"\n[web]\nhost = "127.0.0.1"\nport = {port}\n',
            encoding="utf-8",
        )
        server = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli_entry import main; main()", "--config", str(config), "web"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "GLOS_BOT__SECRET_KEY": secret},
            stdout=subprocess.DEVNULL,
            stderr=log.open("w", encoding="utf-8"),
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            context = multiprocessing.get_context("spawn")
            results: Any = context.Queue()
            caster = context.Process(
                target=_caster, args=(url, secret, clock.now(), live.slug, rate, seconds, results), daemon=True
            )
            caster.start()
            started = time.monotonic()
            stats = asyncio.run(_clients(base, routes, clients, seconds))
            elapsed = time.monotonic() - started
            cast, failed, retried = results.get(timeout=120)
            caster.join(timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=30)
    app.close()
    print(
        f"\n### {store}: {clients} clients, {elapsed:.0f} s, {len(routes)} routes, ballots cast per example {filled}\n"
    )
    print("| route | requests | errors | 503 | p50 ms | p99 ms | requests/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    total, errors, refused = 0, 0, 0
    for name in sorted(stats):
        ok, failed, busy = stats[name]
        count = len(ok) + failed + busy
        total, errors, refused = total + count, errors + failed, refused + busy
        print(
            f"| {name} | {count:,} | {failed} | {busy} | {_percentile(ok, 0.5) * 1000:.0f} "
            f"| {_percentile(ok, 0.99) * 1000:.0f} | {count / elapsed:.1f} |"
        )
    print(f"| **all** | {total:,} | {errors} | {refused} |  |  | {total / elapsed:.1f} |")
    if ERRORS:
        print("\nErrors: " + ", ".join(f"{kind} × {count}" for kind, count in sorted(ERRORS.items())))
        ERRORS.clear()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if "ERROR" in line or "Traceback" in line:
            print(f"server: {line[:300]}")
    print(f"\nBallots cast meanwhile: {cast} ({cast / elapsed:.1f}/s), failed: {failed}, sent again: {retried}")


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run the benchmark on the chosen stores."""
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if args.store in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run("SQLite", f"sqlite:///{Path(folder) / 'load.db'}", args.clients, args.seconds, args.rate)
    if args.store in ("postgresql", "both"):
        url = postgres_url("glos_load")
        if url is None:
            print("PostgreSQL not reachable: skipped")
        else:
            run("PostgreSQL", url, args.clients, args.seconds, args.rate)


if __name__ == "__main__":
    main()
