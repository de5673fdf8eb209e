"""The IMAP server restarted while the intake waits in IDLE: the intake notices the closed connection, reconnects
with backoff, catches up, and every reply — before, during and after the restarts — is counted exactly once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlalchemy import func, select

from bot.domain import Channel
from mail.intake import ImapConfig, ImapIntake
from mail.processor import MailAddressing, MailProcessor
from mail.testing import DOVECOT_MISSING, PASSWORD, DovecotServer, start_dovecot
from storage.models import MailMessage

from .conftest import FROM, MAIL_SLUG, REPLY_DOMAIN, Store, figures, prepare_store, wait_until

pytestmark = pytest.mark.faults

RESTARTS = 3
PER_ROUND = 40
USER = "restarts"


def _append(server: DovecotServer, store: Store, first: int, count: int, sent_by: Counter[str]) -> None:
    addressing = MailAddressing(FROM, REPLY_DOMAIN, 200_000)
    members = sorted(store.mail_tokens)
    client = IMAPClient("127.0.0.1", port=server.imap_port, ssl=False, timeout=10)
    client.login(USER, PASSWORD)
    messages = []
    for number in range(first, first + count):
        member = members[number % len(members)]
        message = EmailMessage()
        message["From"] = f"Member <{member}>"
        message["To"] = addressing.reply_to(store.mail_tokens[member])
        message["Subject"] = "Re: Zaproszenie"
        message["Message-ID"] = f"<restart{number}@example.pl>"
        message.set_content("uchwala1: TAK\nuchwala2: NIE\nuchwala3: TAK")
        messages.append(message.as_bytes())
        sent_by[member] += 1
    client.multiappend("INBOX", messages)
    client.logout()


def test_the_imap_server_restarted_during_idle(tmp_path: Path) -> None:
    with start_dovecot() as server:
        if server is None:
            pytest.skip(DOVECOT_MISSING)
        store = prepare_store(f"sqlite:///{tmp_path}/glos.db", mail_members=20, folder=tmp_path)
        processor = MailProcessor(store.services, MailAddressing(FROM, REPLY_DOMAIN, 200_000))
        config = ImapConfig("127.0.0.1", server.imap_port, USER, PASSWORD, tls="none", timeout=10)
        intake = ImapIntake(config, processor, idle_seconds=600, poll_seconds=60)
        stop = threading.Event()
        runner = threading.Thread(target=intake.run, kwargs={"stop": stop.is_set}, daemon=True)
        sent_by: Counter[str] = Counter()

        def read() -> int:
            return store.count(select(func.count()).select_from(MailMessage))

        _append(server, store, 0, PER_ROUND, sent_by)
        runner.start()
        wait_until(lambda: read() == PER_ROUND, 60, "the first replies")
        recoveries: list[float] = []
        downtimes: list[float] = []
        for restart in range(1, RESTARTS + 1):
            time.sleep(1.0)  # the intake is waiting in IDLE now
            downtimes.append(server.restart())
            restarted = time.monotonic()
            _append(server, store, restart * PER_ROUND, PER_ROUND, sent_by)
            recoveries.append(
                wait_until(lambda r=restart: read() == (r + 1) * PER_ROUND, 90, "replies after a restart")
            )
            assert time.monotonic() - restarted < 90
        stop.set()
        total = (RESTARTS + 1) * PER_ROUND
        for member, count in sent_by.items():
            person = store.person_of(Channel.EMAIL, member)
            assert person is not None and store.revisions(MAIL_SLUG, person) == count
        confirmations = store.outbox("mail.confirmation")
        figures(
            "imap_restart",
            restarts=RESTARTS,
            replies=total,
            counted=read(),
            confirmations_queued=len(confirmations),
            duplicates=sum(store.revisions(MAIL_SLUG, store.person_of(Channel.EMAIL, m) or 0) for m in sent_by) - total,
            server_down_s=f"{max(downtimes):.2f} max",
            recovered_in_s=f"{sum(recoveries) / len(recoveries):.1f} mean / {max(recoveries):.1f} max",
        )
        assert read() == total and len(confirmations) == total
        client = IMAPClient("127.0.0.1", port=server.imap_port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        client.logout()
        store.close()
