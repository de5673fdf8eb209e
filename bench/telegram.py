"""The Telegram channel end to end: update → emulator → python-telegram-bot → core → store → reply.

The emulator runs in its own process (as Telegram would be), the bot in this one, on a SQLite file with the
Warsaw example and 200 residents who declared a district. Measured: sustained updates per second (votes and
vote checks queued at the emulator, then handled as fast as the bot can), reply latency p50/p99 (from the
update arriving at the emulator to the bot having sent its reply) at a steady 20 and 50 updates/s, outbox
broadcast messages per second against the emulator's default flood control (30/s overall), and the resident
memory of an idle ``glos run`` process (bot, emulator, web page and scheduler, example processes loaded) read
from ``/proc`` 3 s after its web page answers. For comparison, ``core_only`` is the same updates through
identify + dispatch with no Telegram at all. Run: ``python -m bench.telegram``.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from telegram import Bot, Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app import build_app, load_example_organisations
from bot.config import Settings, StorageSettings
from bot.definition import load_definition_file
from bot.domain import Channel
from bot.replies import Reply
from bot.services import Services
from bot.services.outbox import reply_payload
from bot.web.serve import free_port
from handlers.application import TelegramBot, build_bot, start_polling, stop_polling
from handlers.sender import TelegramSender

__all__ = ["main", "measure"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bo-warszawa-2027.toml"
TOKEN = "123456:BENCH"
RESIDENTS = 200


class _Emulator:
    """The emulator in a child process, driven through its playground routes."""

    def __init__(self, *flags: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "handlers.emulator", "--port", str(self.port), "--token", TOKEN, *flags]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        for _ in range(200):
            try:
                httpx.get(f"{self.url}/bot{TOKEN}/getMe")
                return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the emulator did not start")

    def stop(self) -> None:
        self.process.terminate()  # uvicorn would wait for an abandoned long poll to time out
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def _glos_run_rss(folder: Path) -> float:
    """VmRSS in MB of an idle ``glos run`` on the embedded defaults (the emulator in-process, no token)."""
    web, emulator = free_port(), free_port()
    config = folder / "glos.toml"
    config.write_text(
        f'[bot]\nexamples_dir = "{EXAMPLE.parent}"\nsecret_key_file = "{folder / "secret"}"\n'
        f'[storage]\nurl = "sqlite:///{folder / "run.db"}"\n'
        f"[web]\nport = {web}\n[telegram]\nemulator_port = {emulator}\n",
        encoding="utf-8",
    )
    glos = Path(sys.executable).with_name("glos")
    # stdin stays open (the console channel would end the run at end of input)
    process = subprocess.Popen(
        [str(glos), "--config", str(config), "run"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    try:
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{web}/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("glos run did not start")
        time.sleep(3.0)
        with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _text(n: int) -> str:
    return "/glosuj bo2027 city: 1, 2; wesola: 10" if n % 2 == 0 else "/moj_glos bo2027"


async def _push(client: httpx.AsyncClient, url: str, n: int, text: str) -> int:
    response = await client.post(f"{url}/_emulator/users/{1000 + n % RESIDENTS}/send", json={"text": text})
    return int(response.json()["update_id"])


async def _until(finished: dict[int, float], update_ids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not all(update_id in finished for update_id in update_ids):
        if time.monotonic() > deadline:
            raise TimeoutError("updates not handled in time")
        await asyncio.sleep(0.005)


async def _queue_updates(client: httpx.AsyncClient, url: str, count: int) -> list[int]:
    """Queue ``count`` updates at the emulator before the bot polls (so pushing does not limit the rate)."""
    return [await _push(client, url, n, _text(n)) for n in range(count)]


def _rate(finished: dict[int, float], update_ids: list[int]) -> float:
    """Updates per second between the first and the last of ``update_ids`` being handled."""
    times = sorted(finished[u] for u in update_ids)
    return (len(times) - 1) / (times[-1] - times[0])


async def _latency(
    client: httpx.AsyncClient, url: str, finished: dict[int, float], rate: float, seconds: float
) -> tuple[float, float]:
    sent: dict[int, float] = {}
    start = time.monotonic()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
        pushed = time.monotonic()
        sent[await _push(client, url, n, "/moj_glos bo2027")] = pushed
    await _until(finished, list(sent), 120)
    latencies = sorted((finished[u] - t) * 1000 for u, t in sent.items())
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return statistics.median(latencies), p99


async def _broadcast(services: Services, count: int) -> float:
    emulator = _Emulator()
    try:
        async with httpx.AsyncClient() as client:
            for n in range(count):  # the recipients have written to the bot once
                await client.post(f"{emulator.url}/_emulator/users/{50_000 + n}/send", json={"text": "hej"})
        for n in range(count):
            services.outbox.enqueue(
                key=f"bench:{n}",
                channel=Channel.TELEGRAM,
                address=str(50_000 + n),
                purpose="announcement",
                payload=reply_payload(Reply(f"Ogłoszenie {n}")),
            )
        async with Bot(TOKEN, base_url=f"{emulator.url}/bot", base_file_url=f"{emulator.url}/file/bot") as bot:
            started = time.monotonic()
            report = await TelegramSender(bot, services, rate=28.0).drain()
            seconds = time.monotonic() - started
        async with httpx.AsyncClient() as client:
            delivered = 0
            for n in range(count):
                delivered += len((await client.get(f"{emulator.url}/_emulator/chats/{50_000 + n}")).json())
        assert report.sent == count == delivered, (report, delivered)
        return count / seconds
    finally:
        emulator.stop()


async def _run(folder: Path, updates: int, broadcast: int) -> dict[str, object]:
    settings = Settings(storage=StorageSettings(url=f"sqlite:///{folder / 'bench.db'}"))
    app = build_app(settings, secret=b"bench-secret-0123456789abcdef")
    definition = load_definition_file(EXAMPLE)
    load_example_organisations(app.services, EXAMPLE.parent)  # the organisations the examples name
    app.services.processes.import_definition(definition)
    app.services.processes.open(definition.slug)
    for n in range(RESIDENTS):
        person = app.services.people.identify(Channel.TELEGRAM, str(1000 + n))
        app.services.eligibility.declare_district("bo2027", person.person_id, "wesola")
    emulator = _Emulator("--no-flood")
    finished: dict[int, float] = {}

    async def mark(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        finished[update.update_id] = time.monotonic()

    bot: TelegramBot = build_bot(app.services, app.commands, token=TOKEN, api_url=emulator.url)
    bot.application.add_handler(TypeHandler(Update, mark), group=1000)
    try:
        async with httpx.AsyncClient() as client:
            queued = await _queue_updates(client, emulator.url, updates + 100)
            await start_polling(bot)
            await _until(finished, queued, 600)
            per_second = _rate(finished, queued[100:])  # the first 100 warm up
            latency = {rate: await _latency(client, emulator.url, finished, rate, 5.0) for rate in (20.0, 50.0)}
    finally:
        await stop_polling(bot)
        emulator.stop()
    core_only = _core_only(app.services, updates)
    idle_rss = _glos_run_rss(folder)
    try:
        broadcast_rate = await _broadcast(app.services, broadcast)
    finally:
        app.close()
    return {
        "updates": updates,
        "updates_per_s": round(per_second, 1),
        "core_only_per_s": round(core_only, 1),
        "p50_ms_at_20": round(latency[20.0][0], 1),
        "p99_ms_at_20": round(latency[20.0][1], 1),
        "p50_ms_at_50": round(latency[50.0][0], 1),
        "p99_ms_at_50": round(latency[50.0][1], 1),
        "broadcast": broadcast,
        "broadcast_per_s": round(broadcast_rate, 1),
        "idle_rss_mb": round(idle_rss, 1),
    }


def _core_only(services: Services, count: int) -> float:
    """The same updates straight into the core (identify + dispatch): the ceiling for the channel."""
    from bot.commands.base import Caller
    from bot.commands.dispatch import dispatch
    from bot.commands.registry import COMMANDS

    started = time.monotonic()
    for n in range(count):
        person = services.people.identify(Channel.TELEGRAM, str(1000 + n % RESIDENTS))
        caller = Caller(person.person_id, Channel.TELEGRAM, str(1000 + n % RESIDENTS), person.language, person.roles)
        dispatch(COMMANDS, services, caller, _text(n))
    return count / (time.monotonic() - started)


def measure(updates: int = 500, broadcast: int = 300) -> dict[str, object]:
    """Run the measurements on a fresh SQLite file; returns the figures."""
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(_run(Path(folder), updates, broadcast))


def main() -> dict[str, object]:
    """Measure and print a markdown table."""
    row = measure()
    print(
        "| updates | updates/s | core only/s | p50/p99 ms @20/s | p50/p99 ms @50/s | broadcast "
        "| messages/s (limit 30/s) | glos run RSS MB, idle |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {row['updates']} | {row['updates_per_s']} | {row['core_only_per_s']} "
        f"| {row['p50_ms_at_20']} / {row['p99_ms_at_20']} "
        f"| {row['p50_ms_at_50']} / {row['p99_ms_at_50']} | {row['broadcast']} | {row['broadcast_per_s']} "
        f"| {row['idle_rss_mb']} |"
    )
    return row


if __name__ == "__main__":
    main()
