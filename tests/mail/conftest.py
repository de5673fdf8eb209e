"""Fixtures for the e-mail channel: services on a fake clock, two processes with a roster, invitations queued,
and a ``Mailroom`` that knows each member's reply token (read back from the queued invitations)."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from imapclient import IMAPClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.definition import load_definition_file
from bot.domain import Channel
from bot.services import Services, build_services
from bot.services.eligibility import RosterRow
from mail.intake import ImapConfig
from mail.invite import invite_roster
from mail.processor import MailAddressing, MailProcessor
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
        """Queued e-mail rows (optionally of one purpose), oldest first."""
        with self.services.context.transaction() as session:
            query = select(OutboxMessage).where(OutboxMessage.channel == Channel.EMAIL)
            if purpose:
                query = query.where(OutboxMessage.purpose == purpose)
            return list(session.scalars(query.order_by(OutboxMessage.id)).all())


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
        reply_to = row.payload["headers"]["Reply-To"]
        room.tokens[(slug, row.address)] = reply_to.split("+", 1)[1].split("@", 1)[0]
    yield room


# -- real servers ------------------------------------------------------------------------------------------

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
DOVEADM = shutil.which("doveadm") or ("/usr/bin/doveadm" if os.path.exists("/usr/bin/doveadm") else None)
IMAP_PASSWORD = "test-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Dovecot:
    """A running Dovecot: IMAP and LMTP on loopback, any user name with :data:`IMAP_PASSWORD`."""

    imap_port: int
    lmtp_port: int
    config: Path

    def kick(self, user: str) -> None:
        """Disconnect every IMAP session of ``user`` (``doveadm kick``)."""
        assert DOVEADM is not None
        subprocess.run([DOVEADM, "-c", str(self.config), "kick", user], check=True, capture_output=True)

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
    """A real Dovecot started from a minimal configuration in a temporary folder; skipped without the binary."""
    if DOVECOT is None or DOVEADM is None:
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd dovecot-lmtpd)")
    # Not under pytest's tmp_path: that is private to us (0700), and mail is stored as an unprivileged user.
    root = Path(tempfile.mkdtemp(prefix="glos-dovecot-"))
    root.chmod(0o755)
    (root / "mail").mkdir()
    (root / "mail").chmod(0o777)  # mail is stored as the unprivileged user below
    imap_port, lmtp_port = _free_port(), _free_port()
    nobody = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    config = root / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{root}/mail/%n/Maildir
recipient_delimiter = +
passdb {{
  driver = static
  args = password={IMAP_PASSWORD}
}}
userdb {{
  driver = static
  args = uid={nobody.pw_uid} gid={nobody.pw_gid} home={root}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
  unix_listener lmtp {{
    mode = 0666
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
""",
        encoding="utf-8",
    )
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", imap_port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"dovecot did not start: {output}")
            time.sleep(0.02)
    try:
        yield Dovecot(imap_port, lmtp_port, config)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_user(dovecot: Dovecot) -> str:
    """A fresh mailbox of its own for this test."""
    return f"glos{secrets.token_hex(4)}"


class _Collector:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    """A real aiosmtpd server on loopback that keeps every message it receives."""

    port: int
    collector: _Collector

    @property
    def messages(self) -> list[tuple[str, list[str], bytes]]:
        """(envelope sender, recipients, raw message), in arrival order."""
        return self.collector.messages


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """aiosmtpd on a free loopback port."""
    collector = _Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSink(port, collector)
    finally:
        controller.stop()
