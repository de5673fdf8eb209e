"""The e-mail channel end to end from a real Dovecot on loopback: replies per second and peak memory.

Each reply goes the whole way: IMAP fetch (``BODY.PEEK[]`` in batches), parsing and trimming, automatic-mail
checks, token authentication, the vote through the core, one confirmation rendered (text + HTML) and queued
in the outbox — one transaction per reply — then the move to ``Processed``. The intake runs in a fresh
process per backlog so that its peak RSS is the intake's alone. Run: ``python -m bench.mail`` (needs
``dovecot``; SQLite store in a temporary folder).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from imapclient import IMAPClient
from sqlalchemy import select

from bot.clock import FakeClock
from bot.definition import load_definition
from bot.domain import Channel
from bot.services import build_services
from bot.services.eligibility import RosterRow
from mail.invite import invite_roster
from mail.processor import MailAddressing
from mail.testing import DOVECOT_MISSING, start_dovecot
from mail.tokens import expand_tokens
from storage.engine import make_engine, session_factory
from storage.migrate import upgrade_engine
from storage.models import OutboxMessage

__all__ = ["main"]

SECRET = "bench-secret-key-0123456789abcdef"
WHEN = datetime(2027, 4, 14, 10, tzinfo=UTC)
ADDRESSING = MailAddressing("glos@glos.example.org", "glos.example.org")
MEMBERS = 200
DEFINITION = """
slug = "walne"
kind = "vote"
title = "Walne zebranie"
opens_at = 2027-04-01T00:00:00+02:00
closes_at = 2027-05-01T00:00:00+02:00
[eligibility]
mode = "roster"
[[pools]]
key = "main"
ballot = { rule = "yes_no_abstain", min = 1 }
counting = { rule = "majority", majority = "simple" }
[[items]]
key = "uchwala1"
kind = "question"
title = "Uchwała 1"
[[items]]
key = "uchwala2"
kind = "question"
title = "Uchwała 2"
"""
WORKER = """
import resource, sys, time
from datetime import UTC, datetime
from bot.clock import FakeClock
from bot.services import build_services
from mail.intake import ImapConfig, ImapIntake
from mail.processor import MailAddressing, MailProcessor
from storage.engine import make_engine, session_factory

url, port, user, password, secret = sys.argv[1:6]
services = build_services(session_factory(make_engine(url)), FakeClock(datetime(2027, 4, 14, 10, tzinfo=UTC)),
                          secret.encode())
processor = MailProcessor(services, MailAddressing("glos@glos.example.org", "glos.example.org"))
intake = ImapIntake(ImapConfig("127.0.0.1", int(port), user, password, tls="none"), processor)
start = time.perf_counter()
done = intake.catch_up()
print(done, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _prepare(folder: Path) -> tuple[str, dict[str, str]]:
    """A store with one open roster vote and invitations queued; returns (url, address → reply address)."""
    url = f"sqlite:///{folder}/bench.db"
    engine = make_engine(url)
    upgrade_engine(engine)
    services = build_services(session_factory(engine), FakeClock(WHEN), SECRET.encode())
    definition = load_definition(DEFINITION)
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    rows = [RosterRow(Channel.EMAIL, f"member{n}@example.pl") for n in range(MEMBERS)]
    services.eligibility.import_roster(definition.slug, rows)
    invite_roster(services, ADDRESSING, definition.slug)
    with services.context.transaction() as session:
        queued = session.scalars(select(OutboxMessage)).all()
        reply_to = {
            row.address: expand_tokens(str(row.payload["headers"]["Reply-To"]), SECRET.encode()) for row in queued
        }
    engine.dispose()
    return url, reply_to


def _replies(count: int, reply_to: dict[str, str], prefix: str) -> list[bytes]:
    addresses = sorted(reply_to)
    messages = []
    for number in range(count):
        address = addresses[number % len(addresses)]
        message = EmailMessage()
        message["From"] = address
        message["To"] = reply_to[address]
        message["Subject"] = "Re: Zaproszenie"
        message["Message-ID"] = f"<{prefix}{number}@example.pl>"
        answer = ("TAK", "NIE", "WSTRZYMUJĘ SIĘ")[number % 3]
        message.set_content(
            f"uchwala1: {answer}\nuchwala2: TAK\n\nPozdrawiam\n\n"
            "W dniu 14.04.2027 o 10:00, Głos pisze:\n> Dzień dobry\n"
        )
        messages.append(message.as_bytes())
    return messages


def measure(backlogs: tuple[int, ...] = (1_000, 10_000)) -> list[tuple[int, float, float, int]]:
    """For each backlog size: (replies, seconds, replies per second, peak RSS of the intake in MiB)."""
    rows = []
    with start_dovecot() as server:
        if server is None:
            raise SystemExit(DOVECOT_MISSING)
        for size in backlogs:
            with tempfile.TemporaryDirectory() as folder:
                url, reply_to = _prepare(Path(folder))
                user = f"bench{size}"
                client = IMAPClient("127.0.0.1", port=server.imap_port, ssl=False)
                client.login(user, server.password)
                batch = _replies(size, reply_to, f"b{size}.")
                for start in range(0, size, 500):
                    client.multiappend("INBOX", batch[start : start + 500])
                client.logout()
                output = subprocess.run(
                    [sys.executable, "-c", WORKER, url, str(server.imap_port), user, server.password, SECRET],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()
                done, seconds, rss_kib = int(output[0]), float(output[1]), int(output[2])
                rows.append((done, seconds, done / seconds, rss_kib // 1024))
    return rows


def main() -> None:
    """Print the markdown table."""
    print(f"Intake from Dovecot on loopback, SQLite store, {MEMBERS} members; one process per backlog.\n")
    print("| backlog (replies) | time | replies/s end to end | peak RSS of the intake |")
    print("|---:|---:|---:|---:|")
    for done, seconds, rate, rss in measure():
        print(f"| {done:,} | {seconds:.1f} s | {rate:.0f} | {rss} MiB |")
    print(f"\n(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB)")


if __name__ == "__main__":
    main()
