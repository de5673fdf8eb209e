"""The outbox sender against the emulator's flood control (400 messages by default, 2,000 with -m slow): every
message once, none lost, blocked users given up, a crashed sender's batch resumed by another."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.clock import FakeClock
from bot.domain import Channel
from bot.replies import Button, Document, Reply
from bot.services import Services
from bot.services.outbox import reply_payload
from handlers.emulator import Emulator, EmulatorServer, FloodLimits
from handlers.sender import TelegramSender


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    """A python-telegram-bot Bot talking to a served emulator."""
    server = EmulatorServer(emulator).start()
    try:
        request = HTTPXRequest(connection_pool_size=8)
        async with Bot(
            emulator.token, base_url=server.base_url, base_file_url=server.base_file_url, request=request
        ) as client:
            yield client
    finally:
        server.stop()


def _announce(services: Services, users: range, text: str = "Ogłoszenie") -> int:
    queued = 0
    for user_id in users:
        queued += services.outbox.enqueue(
            key=f"announcement:bo2027:telegram:{user_id}",
            channel=Channel.TELEGRAM,
            address=str(user_id),
            purpose="announcement",
            payload=reply_payload(Reply(f"{text} dla {user_id}")),
        )
    return queued


@pytest.mark.parametrize(
    "limits", [FloodLimits(overall_per_second=1000, overall_burst=100, chat_per_second=1, chat_burst=1)]
)
@pytest.mark.parametrize("count", [400, pytest.param(2000, marks=pytest.mark.slow)])
async def test_a_broadcast_arrives_once_each_and_blocked_users_are_given_up(
    bot: Bot, emulator: Emulator, services: Services, clock: FakeClock, count: int
) -> None:
    users = range(10_000, 10_000 + count)
    for user_id in users:
        emulator.user(user_id, f"U{user_id}")
    blocked = set(range(10_000, 10_000 + count, 200))
    for user_id in blocked:
        emulator.block(user_id)
    assert _announce(services, users) == count
    assert _announce(services, users) == 0  # planned twice (a restarted bot): queued once
    crashed = services.outbox.claim(Channel.TELEGRAM, worker="crashed", limit=150, lease=timedelta(seconds=60))
    sender = TelegramSender(bot, services, rate=None, batch=200)
    first = await sender.drain()
    assert first.sent + first.given_up == count - len(crashed)
    clock.advance(timedelta(seconds=61))  # the crashed sender's lease runs out; its batch is taken over
    second = await sender.drain()
    assert first.sent + second.sent == count - len(blocked)
    assert first.given_up + second.given_up == len(blocked)
    for user_id in users:
        received = [m.text for m in emulator.received(user_id)]
        assert received == ([] if user_id in blocked else [f"Ogłoszenie dla {user_id}"]), user_id
    stats = services.outbox.stats(Channel.TELEGRAM)
    assert (stats.unsent, stats.given_up) == (0, len(blocked))


@pytest.mark.parametrize("limits", [FloodLimits(overall_per_second=5, overall_burst=5)])
async def test_the_sender_waits_out_flood_control(bot: Bot, emulator: Emulator, services: Services) -> None:
    users = range(20_000, 20_012)
    for user_id in users:
        emulator.user(user_id, f"U{user_id}")
    _announce(services, users, "Przypomnienie")
    started = time.monotonic()
    report = await TelegramSender(bot, services, rate=None).drain()
    assert report.sent == 12 and report.flood_waits >= 1 and emulator.refused.get(429, 0) >= 1
    assert time.monotonic() - started >= 1.0  # retry_after was honoured, not hammered through
    assert all(len(emulator.received(user_id)) == 1 for user_id in users)


async def test_queued_buttons_are_sent_as_valid_short_tokens(bot: Bot, emulator: Emulator, services: Services) -> None:
    person = services.people.identify(Channel.TELEGRAM, "101")
    long_command = "/glosuj bo2027 city: 1, 2, 3, 4, 5; wesola: 10, 11, 12, 13, 14 " + "x" * 40
    services.outbox.enqueue(
        key="reminder:bo2027:101",
        channel=Channel.TELEGRAM,
        address="101",
        purpose="reminder",
        person_id=person.person_id,
        payload=reply_payload(Reply("Zostały 3 dni", ((Button("Głosuj", long_command),),))),
    )
    assert (await TelegramSender(bot, services, rate=None).drain()).sent == 1
    [message] = emulator.received(101)
    [[(label, data)]] = message.buttons
    assert label == "Głosuj" and len(data.encode()) <= 64


@pytest.mark.parametrize("limits", [FloodLimits(group_per_minute=60, group_burst=2)])
async def test_a_summary_with_a_chart_goes_to_a_configured_group_within_its_limit(
    bot: Bot, emulator: Emulator, services: Services
) -> None:
    group = emulator.group(-100123, "Rada Dzielnicy Wesoła", [101, 102])
    for part in range(2):
        services.outbox.enqueue(
            key=f"summary:bo2027:chat:{group}:part:{part}",
            channel=Channel.TELEGRAM,
            address=str(group),
            purpose="summary",
            payload=reply_payload(Reply(f"Wyniki, część {part + 1}")),
        )
    chart = Document("bo2027.png", b"\x89PNG\r\n\x1a\n", "image/png")
    services.outbox.enqueue(
        key=f"summary:bo2027:chat:{group}:chart",
        channel=Channel.TELEGRAM,
        address=str(group),
        purpose="summary",
        payload=reply_payload(Reply("Wykres wyników", document=chart)),
    )
    sender = TelegramSender(bot, services, rate=None)
    report = await sender.send_due()  # two fit the group's burst; the chart waits out the group's limit
    assert report.sent == 3 and report.flood_waits >= 1 and emulator.refused.get(429, 0) >= 1
    received = emulator.received(group)
    assert [m.text for m in received] == ["Wyniki, część 1", "Wyniki, część 2", "Wykres wyników"]
    assert received[-1].document is not None and received[-1].document.filename == "bo2027.png"


@pytest.mark.parametrize("limits", [FloodLimits(chat_per_second=1, chat_burst=1)])
async def test_a_long_message_resumes_at_the_refused_part(bot: Bot, emulator: Emulator, services: Services) -> None:
    text = "\n".join(f"Linia {n:04d} " + "x" * 40 for n in range(120))  # about 6,000 characters: two parts
    services.outbox.enqueue(
        key="report:bo2027:101",
        channel=Channel.TELEGRAM,
        address="101",
        purpose="report",
        payload=reply_payload(Reply(text)),
    )
    report = await TelegramSender(bot, services, rate=None).drain()
    assert report.sent == 1 and report.flood_waits == 1  # the second part waited for the chat's limit
    parts = [m.text for m in emulator.received(101)]
    assert len(parts) == 2 and parts[0].startswith("Linia 0000") and "Linia 0119" in parts[1]


async def test_a_chat_the_bot_cannot_post_to_is_reported_to_the_moderators(
    bot: Bot, emulator: Emulator, services: Services
) -> None:
    emulator.ensure_user(900, "Moderatorka")
    services.outbox.enqueue(
        key="summary:bo2027:chat:-100999:part:1",
        channel=Channel.TELEGRAM,
        address="-100999",  # a group the bot was never added to
        purpose="summary",
        payload=reply_payload(Reply("Wyniki budżetu obywatelskiego")),
    )
    sender = TelegramSender(bot, services, rate=0)
    first = await sender.send_due()
    assert first.given_up == 1
    await sender.send_due()  # the alert queued by the first round
    alerts = [message.text for message in emulator.received(900)]
    assert len(alerts) == 1
    assert "-100999" in alerts[0] and "[telegram] chats" in alerts[0]
    assert services.outbox.stats().unsent == 0
