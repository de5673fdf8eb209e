"""The Telegram Bot API answering 429 storms and 5xx errors (the emulator's fault plan) while ``glos run`` takes
a burst of ballots and sends a reminder broadcast: the bot's replies wait out the storms and retry the server
errors, the outbox sender pauses and retries; every voter gets one receipt for one message (none had to write
again), every receipt is stored once, every reminder arrives once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.domain import Channel
from handlers.emulator import Emulator, EmulatorServer

from .conftest import VOTE, BotProcess, figures, prepare_store, receipts, wait_until

pytestmark = pytest.mark.faults

BALLOTS = 300
REMINDERS = 600
STORMS = 3
STORM_SIZE = 30
SERVER_ERRORS = 0.05
VOTERS = 600_000
REMINDED = 700_000


def test_429_storms_and_server_errors(tmp_path: Path, emulator: Emulator, emulator_server: EmulatorServer) -> None:
    voters = range(VOTERS, VOTERS + BALLOTS)
    reminded = range(REMINDED, REMINDED + REMINDERS)
    for user in (*voters, *reminded):
        emulator.user(user, f"U{user}")
    url = f"sqlite:///{tmp_path}/glos.db"
    store = prepare_store(url, reminded=reminded, folder=tmp_path)
    bot = BotProcess(tmp_path, storage_url=url, api_url=emulator_server.url)
    emulator.faults.rate(502, SERVER_ERRORS / 2)
    emulator.faults.rate(500, SERVER_ERRORS / 2)
    bot.start()
    started = time.monotonic()
    sends: Counter[int] = Counter()

    def push() -> None:
        for user in voters:
            emulator.send_text(user, f"/glosuj {VOTE} q1: TAK")
            sends[user] += 1
            time.sleep(1 / 30)

    producer = threading.Thread(target=push, daemon=True)
    producer.start()
    for _storm in range(STORMS):
        time.sleep(3)
        emulator.faults.force(429, STORM_SIZE, retry_after=1)
    producer.join(timeout=120)
    emulator.faults.rate(502, 0)  # the storm is over; what failed comes back after its backoff
    emulator.faults.rate(500, 0)

    wait_until(lambda: all(receipts(emulator, user) for user in voters), 180, "a receipt for every voter", 0.5)

    def delivered() -> bool:
        return all(emulator.received(user) for user in reminded) and store.services.outbox.stats().unsent == 0

    drained = wait_until(delivered, 240, "every reminder", pause=1.0)
    seconds = time.monotonic() - started
    assert bot.alive(), bot.tail()
    bot.stop()

    for user in voters:
        seen = receipts(emulator, user)
        assert len(seen) == 1 == sends[user], f"voter {user}: {seen}"
        assert store.ballots_with_receipt(seen[0]) == 1
        person = store.person_of(Channel.TELEGRAM, str(user))
        assert person is not None and store.revisions(VOTE, person) == 1
    doubled = sum(max(0, len(emulator.received(user)) - 1) for user in reminded)
    injected = emulator.faults.counts()
    sorry = sum(1 for user in voters for m in emulator.received(user) if "Coś poszło nie tak" in m.text)
    figures(
        "telegram_errors",
        ballots=BALLOTS,
        receipts=sum(len(receipts(emulator, user)) for user in voters),
        reminders=REMINDERS,
        reminder_duplicates=doubled,
        injected_429=injected.get(429, 0),
        injected_5xx=injected.get(500, 0) + injected.get(502, 0),
        errors_shown=sorry,
        outbox_given_up=store.services.outbox.stats().given_up,
        drain_s=f"{drained:.0f}",
        total_s=f"{seconds:.0f}",
    )
    assert doubled == 0 and sorry == 0
    assert injected.get(429, 0) >= STORMS * STORM_SIZE
    store.close()
