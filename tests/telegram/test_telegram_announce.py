"""``/ogloszenie`` on Telegram: queued once per recipient through the outbox (Telegram, e-mail, the configured group
chat), sent by the real sender, never twice when the command is repeated; too long, incomplete or from a
resident: refused, and nothing queued."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Callable
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.domain import Channel
from bot.services import Services, build_services
from bot.services.eligibility import RosterRow
from handlers.emulator import Emulator
from handlers.emulator.harness import Harness
from handlers.sender import TelegramSender
from mail.sender import SmtpConfig, SmtpSender
from mail.testing import free_port
from storage.models import AuditEntry, OutboxMessage

MODERATOR = 900
GROUP = -100500
SECRET = b"test-secret-key-not-for-production"


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """The conftest's services with one configured group chat."""
    built = build_services(session_factory, clock, SECRET, group_chats=(GROUP,))  # type: ignore[arg-type]
    built.people.ensure_admins([str(MODERATOR)])
    return built


class _Collector:
    """An aiosmtpd handler keeping (recipients, raw message) of every message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


def _outbox(services: Services) -> list[OutboxMessage]:
    with services.context.transaction() as session:
        query = (
            select(OutboxMessage).where(col(OutboxMessage.purpose) == "announcement").order_by(col(OutboxMessage.id))
        )
        return list(session.exec(query).all())


async def test_an_announcement_reaches_everyone_concerned_once(
    telegram: Harness, emulator: Emulator, services: Services, load_example: Callable[..., str]
) -> None:
    slug = load_example("bo-warszawa-2027")
    emulator.group(GROUP, "Rada Osiedla Wesoła", [101, 102, MODERATOR])
    emulator.user(103, "Olek", "pl")
    await telegram.play(
        101, [(f"/dzielnica {slug} wesola", ["Zapisano"]), (f"/glosuj {slug} wesola: 10", ["Przyjęto"])]
    )
    await telegram.play(102, [(f"/dzielnica {slug} wesola", [])])
    await telegram.play(103, [("/procesy", [])])  # knows the bot, not concerned by the process: gets nothing
    mail = services.people.identify(Channel.EMAIL, "ola@example.org")
    services.eligibility.declare_district(slug, mail.person_id, "wesola")
    services.eligibility.import_roster(slug, [RosterRow(Channel.EMAIL, "nowy@example.org")])

    text = "Spotkanie z projektodawcami we wtorek o 18:00 w Domu Kultury."
    await telegram.play(
        MODERATOR,
        [
            (f"/ogloszenie {slug} {text}", ["5 wiadomości czeka", "Telegram: 2, e-mail: 2, czaty grupowe: 1"]),
            (f"/ogloszenie {slug} {text}", ["0 wiadomości czeka", "5 adresatów dostało już"]),  # a retried command
            (f"/ogloszenie {slug} " + "x" * 3501, ["3 501 znaków", "najwyżej 3 500", "nic nie zostało wysłane"]),
            (f"/ogloszenie {slug}", ["Napisz: /ogloszenie NAZWA"]),
            ("/ogloszenie nie-ma-takiego Tekst", ["nie-ma-takiego"]),
        ],
    )
    await telegram.play(101, [(f"/ogloszenie {slug} Fałszywe ogłoszenie", ["tylko dla moderatorów"])])
    queued = _outbox(services)
    assert sorted((m.channel.value, m.address) for m in queued) == sorted(
        [("telegram", "101"), ("telegram", "102"), ("telegram", str(GROUP)), ("email", "ola@example.org"),
         ("email", "nowy@example.org")]
    )  # fmt: skip
    mailed = next(m for m in queued if m.address == "ola@example.org")
    assert mailed.payload["subject"].startswith("Ogłoszenie: ") and text in mailed.payload["text"]

    assert telegram.bot is not None
    sender = TelegramSender(telegram.bot.application.bot, services, rate=None)
    first = await sender.drain()
    assert (first.sent, first.given_up) == (3, 0)
    await telegram.play(MODERATOR, [(f"/ogloszenie {slug} {text}", ["0 wiadomości"])])  # retried after sending
    again = await sender.drain()
    assert again.sent == 0

    def announcements(chat: int) -> list[str]:
        return [m.text for m in emulator.received(chat) if m.text.startswith("📢")]

    [polish] = announcements(101)
    assert polish.startswith("📢 Ogłoszenie — ") and text in polish
    [english] = announcements(102)
    assert english.startswith("📢 Announcement — ")
    assert announcements(103) == []
    [group] = [m for m in emulator.received(GROUP) if m.text.startswith("📢")]
    [[(label, url)]] = group.buttons
    assert (label, url) == ("Weź udział", f"https://t.me/{emulator.username}?start={slug}")
    # The resident's own copy has a button to the process; in the group the deep link leads to the private chat.
    assert "Budżet" in await telegram.tap(101, "Zobacz proces")
    opened = await telegram.tap(101, "Weź udział", chat_id=GROUP)
    assert "Budżet" in opened and slug in opened

    # The e-mail copies go out through the real SMTP sender to a real (loopback) SMTP server, once each.
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp = SmtpSender(services, SmtpConfig("127.0.0.1", controller.port, tls="none"))
        assert await asyncio.to_thread(smtp.send_due) == 2
        assert await asyncio.to_thread(smtp.send_due) == 0
    finally:
        controller.stop()
    mails = {rcpt[0]: email.message_from_bytes(raw, policy=email.policy.default) for rcpt, raw in collector.messages}
    assert sorted(mails) == ["nowy@example.org", "ola@example.org"]
    assert str(mails["ola@example.org"]["Subject"]).startswith("Ogłoszenie: Budżet")
    body = mails["ola@example.org"].get_body(("plain",))
    assert body is not None and text in body.get_content()

    with services.context.transaction() as session:
        audited = session.exec(select(AuditEntry).where(col(AuditEntry.action) == "process.announce")).all()
    assert [entry.details["telegram"] for entry in audited] == [2, 0, 0]
