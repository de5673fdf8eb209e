"""What several processes share on PostgreSQL: outbox rows claimed by exactly one sender (``FOR UPDATE SKIP
LOCKED``) and Telegram's overall send rate (:mod:`storage.pacing`). Each "process" here is an App of its own
(its own engine and connections), which is all PostgreSQL sees of a process."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Bot

from bot.app import App, build_app
from bot.config import Settings, StorageSettings
from bot.domain import Channel
from bot.replies import Reply
from bot.services.outbox import reply_payload
from handlers.emulator import Emulator, EmulatorServer
from handlers.emulator.flood import FloodLimits
from handlers.sender import SendReport, TelegramSender
from storage.pacing import SharedPace, shared_pace

SECRET = b"scaleout-secret-0123456789abcdef"


@pytest.fixture
def apps(pg_url: str) -> Iterator[list[App]]:
    settings = Settings(storage=StorageSettings(url=pg_url))
    made = [build_app(settings, secret=SECRET)]  # the first one migrates the schema
    made += [build_app(settings, secret=SECRET, migrate=False) for _ in range(3)]
    yield made
    for app in made:
        app.close()


def _enqueue(app: App, count: int, first_chat: int) -> None:
    for n in range(count):
        app.services.outbox.enqueue(
            key=f"test:{n}",
            channel=Channel.TELEGRAM,
            address=str(first_chat + n),
            purpose="announcement",
            payload=reply_payload(Reply(f"Ogłoszenie {n}")),
        )


def test_concurrent_claimers_never_get_the_same_outbox_row(apps: list[App]) -> None:
    _enqueue(apps[0], 400, 10_000)
    claimed: list[list[int]] = [[] for _ in apps]
    overlapping = threading.Barrier(len(apps))

    def claim(index: int) -> None:
        overlapping.wait()  # all start together, so their claims do overlap
        while batch := apps[index].services.outbox.claim(Channel.TELEGRAM, worker=f"w{index}", limit=7):
            claimed[index].extend(message.id for message in batch)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(apps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everything = [message_id for ids in claimed for message_id in ids]
    assert len(everything) == len(set(everything)) == 400
    assert sum(1 for ids in claimed if ids) >= 2  # more than one claimer got work: they really competed


def test_shared_pace_spaces_slots_across_connections(apps: list[App]) -> None:
    paces = [shared_pace(app.engine, "telegram", 40.0) for app in apps]
    assert all(isinstance(pace, SharedPace) for pace in paces)
    ends: list[float] = []
    lock = threading.Lock()

    def take(pace: SharedPace) -> None:
        for _ in range(8):
            pace.slot()
            with lock:
                ends.append(time.monotonic())

    threads = [threading.Thread(target=take, args=(pace,)) for pace in paces if pace is not None]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ends.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(ends)]
    assert len(ends) == 32
    # Every slot ends at least 1/40 s after the previous one, whichever connection took it (a little slack for
    # the time between the server's commit and this thread reading the clock).
    assert min(gaps) >= 0.025 - 0.008, gaps


def _send_from(apps: list[App], emulator: EmulatorServer, *, share: bool) -> list[SendReport]:
    async def one(app: App) -> SendReport:
        base = f"{emulator.url}/bot"
        async with Bot(emulator.emulator.token, base_url=base, base_file_url=f"{emulator.url}/file/bot") as bot:
            sender = TelegramSender(
                bot,
                app.services,
                worker=f"sender-{id(app)}",
                rate=15.0,
                batch=5,
                shared=shared_pace(app.engine, "telegram", 15.0) if share else None,
            )
            return await sender.drain()

    async def both() -> list[SendReport]:
        return list(await asyncio.gather(*(one(app) for app in apps[:2])))

    return asyncio.run(both())


@pytest.mark.parametrize("share", [True, False], ids=["shared", "per-process"])
def test_two_senders_stay_under_the_bots_limit_only_when_they_share_it(
    apps: list[App], tmp_path: Path, share: bool
) -> None:
    # Telegram allows the bot 20 messages/s in all (no burst here); each sender alone would send 15/s.
    emulator = Emulator("123456:SCALE", limits=FloodLimits(20.0, 2, None, 1, None, 1))
    for n in range(40):
        emulator.user(30_000 + n)
    _enqueue(apps[0], 40, 30_000)
    server = EmulatorServer(emulator).start()
    try:
        reports = _send_from(apps, server, share=share)
    finally:
        server.stop()
    assert sum(report.sent for report in reports) == 40
    assert all(report.sent for report in reports)  # both senders took part
    assert all(len(emulator.received(30_000 + n)) == 1 for n in range(40))  # nobody got a message twice
    flood_waits = sum(report.flood_waits for report in reports)
    if share:
        assert flood_waits == 0  # together they stayed under 20/s: Telegram never had to refuse
    else:
        assert flood_waits > 0  # the control: 2 × 15/s without sharing is over the limit
