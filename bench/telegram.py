"""The Telegram channel end to end: update → emulator → python-telegram-bot → core → store → reply.

Measures, on a SQLite file with the Warsaw example: sustained updates per second (500 votes and vote checks
from 200 residents pushed at once), reply latency (p50/p99) at a steady 20 and 50 updates/s, outbox broadcast
messages per second against the emulator's default flood control (30/s overall), and the process's RSS with the
bot idle. Run: ``python -m bench.telegram``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import build_app
from bot.commands.base import Reply
from bot.config import Settings, StorageSettings
from bot.definition import load_definition_file
from bot.domain import Channel
from bot.services import Services
from bot.services.outbox import reply_payload
from handlers.emulator import Emulator, EmulatorServer, FloodLimits
from handlers.emulator.harness import Harness
from handlers.sender import TelegramSender

__all__ = ["main", "measure"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bo-warszawa-2027.toml"
RESIDENTS = 200


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _throughput(harness: Harness, emulator: Emulator, count: int) -> float:
    started = time.monotonic()
    last = 0
    for n in range(count):
        user = 1000 + n % RESIDENTS
        text = "/glosuj bo2027 city: 1, 2; wesola: 10" if n % 2 == 0 else "/moj_glos bo2027"
        last = emulator.send_text(user, text)
    await harness.handled(last, timeout=600)
    return count / (time.monotonic() - started)


async def _latency(harness: Harness, emulator: Emulator, rate: float, seconds: float) -> tuple[float, float]:
    sent: dict[int, float] = {}
    interval = 1 / rate
    start = time.monotonic()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n * interval - time.monotonic()))
        sent[emulator.send_text(1000 + n % RESIDENTS, "/moj_glos bo2027")] = time.monotonic()
    await harness.handled(max(sent), timeout=120)
    await asyncio.sleep(0.2)
    latencies = sorted((harness.finished[u] - t) * 1000 for u, t in sent.items())
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return statistics.median(latencies), p99


async def _broadcast(services: Services, server: EmulatorServer, count: int) -> float:
    emulator = server.emulator
    for n in range(count):
        emulator.ensure_user(50_000 + n)
        services.outbox.enqueue(
            key=f"bench:{n}",
            channel=Channel.TELEGRAM,
            address=str(50_000 + n),
            purpose="announcement",
            payload=reply_payload(Reply(f"Ogłoszenie {n}")),
        )
    from telegram import Bot

    async with Bot(emulator.token, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        started = time.monotonic()
        report = await TelegramSender(bot, services, rate=28.0).drain()
        seconds = time.monotonic() - started
    delivered = sum(len(emulator.received(50_000 + n)) for n in range(count))
    assert report.sent == count == delivered, (report, delivered)
    return count / seconds


async def _run(folder: Path, updates: int, broadcast: int) -> dict[str, object]:
    settings = Settings(storage=StorageSettings(url=f"sqlite:///{folder / 'bench.db'}"))
    app = build_app(settings, secret=b"bench-secret-0123456789abcdef")
    definition = load_definition_file(EXAMPLE)
    app.services.processes.import_definition(definition)
    app.services.processes.open(definition.slug)
    emulator = Emulator(limits=FloodLimits.off())
    server = EmulatorServer(emulator).start()
    for n in range(RESIDENTS):
        user = emulator.user(1000 + n, f"U{n}")
        person = app.services.people.identify(Channel.TELEGRAM, str(user))
        app.services.eligibility.declare_district("bo2027", person.person_id, "wesola")
    harness = Harness(emulator, server, app.services)
    await harness.start()
    try:
        await asyncio.sleep(1.0)
        idle_rss = _rss_mb()
        await _throughput(harness, emulator, 100)  # warm-up
        per_second = await _throughput(harness, emulator, updates)
        latency = {rate: await _latency(harness, emulator, rate, 5.0) for rate in (20.0, 50.0)}
    finally:
        await harness.stop()
        server.stop()
    flood_server = EmulatorServer(Emulator(limits=FloodLimits())).start()
    try:
        broadcast_rate = await _broadcast(app.services, flood_server, broadcast)
    finally:
        flood_server.stop()
        app.close()
    return {
        "updates": updates,
        "updates_per_s": round(per_second, 1),
        "p50_ms_at_20": round(latency[20.0][0], 1),
        "p99_ms_at_20": round(latency[20.0][1], 1),
        "p50_ms_at_50": round(latency[50.0][0], 1),
        "p99_ms_at_50": round(latency[50.0][1], 1),
        "broadcast": broadcast,
        "broadcast_per_s": round(broadcast_rate, 1),
        "idle_rss_mb": round(idle_rss, 1),
    }


def measure(updates: int = 500, broadcast: int = 300) -> dict[str, object]:
    """Run the three measurements on a fresh SQLite file; returns the figures."""
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(_run(Path(folder), updates, broadcast))


def main() -> dict[str, object]:
    """Measure and print a markdown table."""
    row = measure()
    print(
        "| updates | updates/s | p50/p99 ms @20/s | p50/p99 ms @50/s | broadcast | messages/s (limit 30/s) "
        "| RSS MB (bot + emulator, idle) |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {row['updates']} | {row['updates_per_s']} | {row['p50_ms_at_20']} / {row['p99_ms_at_20']} "
        f"| {row['p50_ms_at_50']} / {row['p99_ms_at_50']} | {row['broadcast']} | {row['broadcast_per_s']} "
        f"| {row['idle_rss_mb']} |"
    )
    return row


if __name__ == "__main__":
    main()
