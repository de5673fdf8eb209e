"""A group the bot posts to changes under it: the bot is kicked out, or the group becomes a supergroup.

Kicked: the moderators hear of it once, from the ``my_chat_member`` update — not once per announcement the
sender then cannot deliver. Upgraded: Telegram answers the old id with 400 and ``migrate_to_chat_id``; the bot
moves what is queued for the group to the new id and sends the message again there, so nothing is lost.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.domain import Channel
from bot.replies import Reply
from bot.scheduling.undeliverable import report_removed
from bot.services import Services, build_services
from bot.services.outbox import reply_payload
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness
from handlers.sender import TelegramSender

MODERATOR = 900
GROUP = -100500
SUPERGROUP = -1001500
SECRET = b"test-secret-key-not-for-production"
REMOVED = (
    "Usunięto mnie z grupy „Rada Osiedla Wesoła” (-100500). Nie wyślę tam już ogłoszeń ani podsumowań wyników. "
    "Dodaj mnie do niej ponownie albo usuń jej identyfikator z [telegram] chats."
)


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """The conftest's services with the group configured as one of ``[telegram] chats``."""
    built = build_services(session_factory, clock, SECRET, group_chats=(GROUP,))  # type: ignore[arg-type]
    built.people.ensure_admins([str(MODERATOR)])
    return built


def _announce(services: Services, number: int, chat: int = GROUP) -> None:
    services.outbox.enqueue(
        key=f"announcement:test:{number}:chat:{chat}",
        channel=Channel.TELEGRAM,
        address=str(chat),
        purpose="announcement",
        payload=reply_payload(Reply(f"Ogłoszenie nr {number}")),
    )


def _sender(telegram: Harness, services: Services) -> TelegramSender:
    assert telegram.bot is not None
    return TelegramSender(telegram.bot.application.bot, services, rate=None)


async def test_a_kick_is_reported_to_the_moderators_once(
    telegram: Harness, emulator: Emulator, services: Services
) -> None:
    emulator.group(GROUP, "Rada Osiedla Wesoła", [101, MODERATOR])
    await telegram.say(MODERATOR, "/pomoc")  # the moderator is known to the bot
    before = len(emulator.received(MODERATOR))
    await telegram.answer(MODERATOR, emulator.kick(GROUP, by_user=101))
    _announce(services, 1)
    _announce(services, 2)
    report = await _sender(telegram, services).drain()
    assert report.given_up == 2  # both announcements: the bot is not in the group any more
    alerts = [message.text for message in emulator.received(MODERATOR)[before:]]
    assert alerts == [REMOVED]
    assert emulator.received(GROUP) == []
    assert report_removed(services, GROUP, "Rada Osiedla Wesoła", "0") == 1  # another removal, another alert
    assert report_removed(services, GROUP, "Rada Osiedla Wesoła", "0") == 0  # the same one is not queued twice


async def test_a_group_upgraded_while_messages_wait_gets_them_at_its_new_id(
    telegram: Harness, emulator: Emulator, services: Services
) -> None:
    emulator.group(GROUP, "Rada Osiedla Wesoła", [101, MODERATOR])
    _announce(services, 1)
    _announce(services, 2)
    emulator.migrate(GROUP, SUPERGROUP, by_user=MODERATOR)  # Telegram's service messages are not read yet
    report = await _sender(telegram, services).drain()
    assert report.sent == 2 and report.given_up == 0
    assert [message.text for message in emulator.received(SUPERGROUP)] == ["Ogłoszenie nr 1", "Ogłoszenie nr 2"]
    assert emulator.received(GROUP) == []
    assert emulator.refused.get(400) == 1  # only the first message met the old id; the second followed it


async def test_a_migration_update_moves_what_is_queued_for_the_group(
    telegram: Harness, emulator: Emulator, services: Services
) -> None:
    emulator.group(GROUP, "Rada Osiedla Wesoła", [101, MODERATOR])
    _announce(services, 1)
    moved, arrived = emulator.migrate(GROUP, SUPERGROUP, by_user=MODERATOR)
    await telegram.handled(moved)
    await telegram.handled(arrived)
    report = await _sender(telegram, services).drain()
    assert report.sent == 1
    assert [message.text for message in emulator.received(SUPERGROUP)] == ["Ogłoszenie nr 1"]
    assert emulator.refused.get(400, 0) == 0  # sent to the new id at once
