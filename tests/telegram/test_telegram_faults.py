"""Injected faults and what the bot does about them: the emulator's fault plan (429 storms, 5xx), interactive
replies that wait out a storm and retry a server error (never a timeout), the outbox sender under the same, and
an update delivered again after a crash handled once (the update ledger)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from telegram import Bot, Update
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.clock import FakeClock
from bot.domain import Channel
from bot.replies import Reply
from bot.services import Services
from bot.services.outbox import reply_payload
from handlers.emulator import Emulator, EmulatorServer, FaultPlan
from handlers.emulator.harness import Harness
from handlers.ledger import KEEP, UpdateLedger
from handlers.replies import with_flood_retry
from handlers.sender import TelegramSender


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[tuple[Bot, EmulatorServer]]:
    """A python-telegram-bot Bot on a served emulator."""
    server = EmulatorServer(emulator).start()
    try:
        async with Bot(
            emulator.token, base_url=server.base_url, base_file_url=server.base_file_url, request=HTTPXRequest()
        ) as client:
            yield client, server
    finally:
        server.stop()


def test_a_fault_plan_forces_storms_and_rates_for_the_sending_methods_only() -> None:
    plan = FaultPlan(seed=1)
    plan.force(429, 3, retry_after=2)
    assert plan.next_fault("getupdates") is None  # long polling is left alone
    storm = [plan.next_fault("sendmessage") for _ in range(4)]
    assert [fault.code if fault else None for fault in storm] == [429, 429, 429, None]
    assert storm[0] is not None and storm[0].retry_after == 2
    plan.rate(502, 0.5)
    hits = sum(plan.next_fault("sendmessage") is not None for _ in range(400))
    assert 150 < hits < 250
    plan.clear()
    assert plan.next_fault("sendmessage") is None
    assert plan.counts() == {429: 3, 502: hits}
    with pytest.raises(ValueError):
        plan.rate(500, 1.5)


async def test_the_emulator_answers_injected_faults_over_http(
    emulator: Emulator, bot: tuple[Bot, EmulatorServer]
) -> None:
    client, server = bot
    answer = httpx.post(f"{server.url}/_emulator/faults", json={"code": 429, "count": 1, "retry_after": 3}).json()
    assert answer["pending"] == 1
    with pytest.raises(RetryAfter):
        await client.send_message(101, "a")
    httpx.post(f"{server.url}/_emulator/faults", json={"code": 502, "count": 1})
    with pytest.raises(NetworkError):
        await client.send_message(101, "b")
    httpx.post(f"{server.url}/_emulator/faults", json={"code": 503, "probability": 1.0})
    with pytest.raises(NetworkError):
        await client.send_message(101, "c")
    httpx.post(f"{server.url}/_emulator/faults", json={"clear": True})
    await client.send_message(101, "d")
    assert [message.text for message in emulator.received(101)] == ["d"]  # a refused call delivers nothing
    assert emulator.refused == {429: 1, 502: 1, 503: 1}
    assert httpx.post(f"{server.url}/_emulator/faults", json={"count": 1}).status_code == 400


async def test_a_reply_waits_out_a_429_storm_and_retries_server_errors(
    emulator: Emulator, bot: tuple[Bot, EmulatorServer]
) -> None:
    client, _ = bot
    emulator.faults.force(429, 5, retry_after=1)  # more than the four tries there used to be: waited out
    emulator.faults.force(500, 2)
    started = time.monotonic()
    sent = await with_flood_retry(lambda: client.send_message(101, "Pokwitowanie"))
    assert sent.text == "Pokwitowanie" and time.monotonic() - started >= 5 + 0.25 + 0.5
    emulator.faults.force(429, 3, retry_after=1)
    with pytest.raises(RetryAfter):  # past the budget of waiting: given up
        await with_flood_retry(lambda: client.send_message(101, "x"), flood_budget=1.5)
    emulator.faults.clear()
    emulator.faults.force(502, 2)
    with pytest.raises(NetworkError):
        await with_flood_retry(lambda: client.send_message(101, "y"), attempts=2)
    assert [m.text for m in emulator.received(101)] == ["Pokwitowanie"]

    calls = 0

    async def timed_out() -> None:
        nonlocal calls
        calls += 1
        raise TimedOut()

    with pytest.raises(TimedOut):
        await with_flood_retry(timed_out)
    assert calls == 1  # it may have arrived: not sent again


async def test_the_sender_gets_a_broadcast_through_a_storm_and_server_errors(
    emulator: Emulator, bot: tuple[Bot, EmulatorServer], services: Services, clock: FakeClock
) -> None:
    client, _ = bot
    users = range(30_000, 30_040)
    for user in users:
        emulator.user(user, f"U{user}")
        services.outbox.enqueue(
            key=f"reminder:test:{user}",
            channel=Channel.TELEGRAM,
            address=str(user),
            purpose="reminder",
            payload=reply_payload(Reply(f"Przypomnienie {user}")),
        )
    emulator.faults.force(429, 3)
    emulator.faults.rate(502, 0.2)
    sender = TelegramSender(client, services, rate=None)
    report = await sender.drain()
    for _ in range(8):  # a failed message comes back after its backoff
        emulator.faults.rate(502, 0.2 if _ < 4 else 0.0)
        clock.advance(timedelta(minutes=10))
        report.add(await sender.drain())
    assert report.sent == len(users) and report.flood_waits >= 1 and report.retried >= 1
    assert all([m.text for m in emulator.received(user)] == [f"Przypomnienie {user}"] for user in users)
    assert services.outbox.stats(Channel.TELEGRAM).unsent == 0


async def test_an_update_delivered_again_after_a_crash_is_handled_once(
    telegram: Harness, emulator: Emulator, services: Services
) -> None:
    update_id = emulator.send_text(101, "/procesy")
    await telegram.handled(update_id)
    before = len(emulator.received(101))
    assert before >= 1
    raw = {
        "update_id": update_id,
        "message": {
            "message_id": 99,
            "date": 0,
            "chat": {"id": 101, "type": "private", "first_name": "Ania"},
            "from": {"id": 101, "is_bot": False, "first_name": "Ania", "language_code": "pl"},
            "text": "/procesy",
            "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
        },
    }
    assert telegram.bot is not None
    application = telegram.bot.application
    await application.process_update(Update.de_json(raw, application.bot))  # the same update, redelivered
    assert len(emulator.received(101)) == before


def test_the_ledger_remembers_ids_for_two_days(services: Services, clock: FakeClock) -> None:
    ledger = UpdateLedger(services)
    assert ledger.first_time(7) and not ledger.first_time(7)
    clock.advance(KEEP + timedelta(minutes=1))
    assert ledger.first_time(8)
    assert ledger.prune() == 1
    assert ledger.first_time(7) and not ledger.first_time(8)
