"""Fixtures for the e-mail channel: services on a fake clock, two processes with a roster, invitations queued,
and a ``Mailroom`` that knows each member's reply token (read back from the queued invitations)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.definition import load_definition_file
from bot.domain import Channel
from bot.services import Services, build_services
from bot.services.eligibility import RosterRow
from bot.services.sealing import open_payload
from mail.intake import ImapConfig
from mail.invite import invite_roster
from mail.processor import MailAddressing, MailProcessor
from mail.testing import DOVECOT_MISSING, PASSWORD, DovecotServer, SmtpSink, start_dovecot
from mail.testing import smtp_sink as start_smtp_sink
from mail.tokens import expand_tokens
from storage.models import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
SECRET = b"test-secret-key-not-for-production"
OPENS = datetime(2027, 4, 12, 7, 0, tzinfo=UTC)
CLOSES = datetime(2027, 4, 19, 16, 0, tzinfo=UTC)
MEMBERS = {
    "jan.kowalski@example.pl": "Jan Kowalski",
    "anna.nowak@fundacja.org.pl": "Anna Nowak",
    "john.smith@example.com": "John Smith",
}


@dataclass
class Mailroom:
    """The test world: services, the processor, and every member's reply token per process."""

    services: Services
    processor: MailProcessor
    addressing: MailAddressing
    clock: FakeClock
    tokens: dict[tuple[str, str], str]

    def token(self, slug: str, member: str) -> str:
        """The reply token ``member`` got in the invitation to ``slug``."""
        return self.tokens[(slug, member)]

    def reply(
        self,
        body: str,
        *,
        sender: str = "jan.kowalski@example.pl",
        slug: str = "walne-2027",
        to: str | None = None,
        message_id: str | None = None,
    ) -> bytes:
        """A plain reply from ``sender`` to their reply address for ``slug`` (or to ``to``)."""
        message = EmailMessage()
        message["From"] = f"Member <{sender}>"
        message["To"] = to or self.addressing.reply_to(self.token(slug, sender))
        message["Subject"] = "Re: Zaproszenie do udziału"
        message["Message-ID"] = message_id or make_msgid(domain="example.pl")
        message.set_content(body)
        return message.as_bytes()

    def person(self, address: str) -> int:
        """The person id behind an e-mail address."""
        found = self.services.people.find(Channel.EMAIL, address)
        assert found is not None
        return found.person_id

    def outbox(self, purpose: str | None = None) -> list[OutboxMessage]:
        """Queued e-mail rows (optionally of one purpose), oldest first, with sealed payloads opened (as the
        sender sees them: see bot/services/sealing.py)."""
        with self.services.context.transaction() as session:
            query = select(OutboxMessage).where(OutboxMessage.channel == Channel.EMAIL)
            if purpose:
                query = query.where(OutboxMessage.purpose == purpose)
            rows = list(session.scalars(query.order_by(OutboxMessage.id)).all())
        for row in rows:
            row.payload = self.unsealed(row)
        return rows

    def unsealed(self, row: OutboxMessage) -> dict[str, Any]:
        """The row's payload, opened with the secret key when it is sealed."""
        return open_payload(self.services.context.secret, row.payload)

    def token_of(self, reply_to: str) -> str:
        """The reply token in a (placeholder) Reply-To header of ours."""
        expanded = expand_tokens(reply_to, self.services.context.secret)
        return expanded.split("+", 1)[1].split("@", 1)[0]


@pytest.fixture
def clock() -> FakeClock:
    """A moment inside both test processes' voting windows."""
    return FakeClock(datetime(2027, 4, 14, 10, 0, tzinfo=UTC))


@pytest.fixture
def mailroom(session_factory: sessionmaker[Session], clock: FakeClock) -> Iterator[Mailroom]:
    """Two open processes (walne-2027: three yes/no questions, roster; program-wspolpracy-2027: sections),
    three members on the roster of both, invitations queued, tokens known."""
    services = build_services(session_factory, clock, SECRET)  # type: ignore[arg-type]
    addressing = MailAddressing("glos@glos.example.org", "glos.example.org", max_message_bytes=200_000)
    clock.set(OPENS)
    for stem in ("uchwala-tak-nie", "konsultacje-program-wspolpracy-2027"):
        definition = load_definition_file(ROOT / "examples" / f"{stem}.toml")
        definition = definition.model_copy(update={"opens_at": OPENS, "closes_at": CLOSES})
        services.processes.import_definition(definition)
        services.processes.open(definition.slug)
        rows = [RosterRow(Channel.EMAIL, address, name=name) for address, name in MEMBERS.items()]
        services.eligibility.import_roster(definition.slug, rows)
    clock.set(datetime(2027, 4, 14, 10, 0, tzinfo=UTC))
    room = Mailroom(services, MailProcessor(services, addressing), addressing, clock, {})
    for slug in ("walne-2027", "program-wspolpracy-2027"):
        invite_roster(services, addressing, slug)
    for row in room.outbox("mail.invitation"):
        slug = row.key.split(":")[1]
        reply_to = expand_tokens(row.payload["headers"]["Reply-To"], services.context.secret)
        room.tokens[(slug, row.address)] = reply_to.split("+", 1)[1].split("@", 1)[0]
    yield room


# -- real servers ------------------------------------------------------------------------------------------

IMAP_PASSWORD = PASSWORD


@dataclass
class Dovecot:
    """The running Dovecot, with helpers for tests."""

    server: DovecotServer

    @property
    def imap_port(self) -> int:
        """IMAP port on 127.0.0.1."""
        return self.server.imap_port

    @property
    def lmtp_port(self) -> int:
        """LMTP port on 127.0.0.1."""
        return self.server.lmtp_port

    def kick(self, user: str) -> None:
        """Disconnect every IMAP session of ``user`` (``doveadm kick``)."""
        self.server.kick(user)

    def intake_config(self, user: str, **changes: Any) -> ImapConfig:
        """The intake's configuration for ``user``'s mailbox (plain IMAP on loopback)."""
        return ImapConfig("127.0.0.1", self.imap_port, user, IMAP_PASSWORD, tls="none", timeout=10, **changes)

    def client(self, user: str) -> IMAPClient:
        """A logged-in client of ``user``."""
        client = IMAPClient("127.0.0.1", port=self.imap_port, ssl=False, timeout=10)
        client.login(user, IMAP_PASSWORD)
        return client


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A real Dovecot (see :mod:`mail.testing`) for the whole session; skipped without the binary."""
    with start_dovecot() as server:
        if server is None:
            pytest.skip(DOVECOT_MISSING)
        yield Dovecot(server)


@pytest.fixture
def imap_user(dovecot: Dovecot) -> str:
    """A fresh mailbox of its own for this test."""
    return f"glos{secrets.token_hex(4)}"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """aiosmtpd on a free loopback port."""
    with start_smtp_sink() as sink:
        yield sink
