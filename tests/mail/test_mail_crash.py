"""A crash (kill -9 of the intake) in the middle of 1,000 replies: after a restart every reply is counted
exactly once and every confirmation is queued — and sent — exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain import Answer
from storage.models import Ballot, MailMessage, Process

ROOT = Path(__file__).resolve().parents[2]
REPLIES = 1000
WORKER = """
import sys
from datetime import UTC, datetime
from bot.clock import FakeClock
from bot.services import build_services
from mail.intake import ImapConfig, ImapIntake
from mail.processor import MailAddressing, MailProcessor
from storage.engine import make_engine, session_factory

url, port, user, password, secret = sys.argv[1:6]
services = build_services(session_factory(make_engine(url)), FakeClock(datetime(2027, 4, 14, 10, tzinfo=UTC)),
                          secret.encode())
processor = MailProcessor(services, MailAddressing("glos@glos.example.org", "glos.example.org", 200_000))
ImapIntake(ImapConfig("127.0.0.1", int(port), user, password, tls="none"), processor).catch_up()
"""


SENDER = """
import sys
from datetime import UTC, datetime
from bot.clock import FakeClock
from bot.services import build_services
from mail.sender import SmtpConfig, SmtpSender
from storage.engine import make_engine, session_factory

url, port, secret = sys.argv[1:4]
services = build_services(session_factory(make_engine(url)), FakeClock(datetime(2027, 4, 14, 10, tzinfo=UTC)),
                          secret.encode())
sender = SmtpSender(services, SmtpConfig("127.0.0.1", int(port), tls="none"))
while sender.send_due(limit=500):
    pass
"""


def _count(room: Any, statement: Any) -> int:
    with room.services.context.connection() as connection:
        return int(connection.execute(statement).scalar_one())


@pytest.mark.slow
def test_kill_9_in_the_middle_of_1000_replies(
    mailroom: Any, dovecot: Any, imap_user: str, database_url: str, smtp_sink: Any
) -> None:
    members = sorted({member for (slug, member) in mailroom.tokens if slug == "walne-2027"})
    words = ["TAK", "NIE", "WSTRZYMUJĘ SIĘ"]
    rng = random.Random(7)
    last: dict[str, str] = {}
    sent_by: dict[str, int] = dict.fromkeys(members, 0)
    messages = []
    for number in range(REPLIES):
        member = members[number % len(members)]
        answer = rng.choice(words)
        body = f"uchwala1: {answer}\nuchwala2: TAK\nuchwala3: NIE"
        messages.append(mailroom.reply(body, sender=member, message_id=f"<crash{number}@example.org>"))
        last[member] = answer
        sent_by[member] += 1
    client = dovecot.client(imap_user)
    client.multiappend("INBOX", messages)
    command = [sys.executable, "-c", WORKER, database_url, str(dovecot.imap_port), imap_user, "test-password"]
    command.append(mailroom.services.context.secret.decode())
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}

    worker = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _count(mailroom, select(func.count()).select_from(MailMessage)) < REPLIES // 3:
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.25)  # each look takes the SQLite write lock for a moment: do not starve the worker
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    interrupted = _count(mailroom, select(func.count()).select_from(MailMessage))
    assert REPLIES // 3 <= interrupted < REPLIES, "the kill came in the middle"

    restarted = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, timeout=120)
    assert restarted.returncode == 0, restarted.stderr.decode()

    assert _count(mailroom, select(func.count()).select_from(MailMessage)) == REPLIES
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("Processed")[b"EXISTS"] == REPLIES
    confirmations = mailroom.outbox("mail.confirmation")
    assert len(confirmations) == REPLIES
    assert len({row.payload["headers"]["In-Reply-To"] for row in confirmations}) == REPLIES
    answers = {"TAK": Answer.YES, "NIE": Answer.NO, "WSTRZYMUJĘ SIĘ": Answer.ABSTAIN}
    context = mailroom.services.context
    for member in members:
        person = mailroom.person(member)
        ballot = mailroom.services.voting.current_ballot("walne-2027", person)
        assert ballot is not None and ballot["main"]["uchwala1"] == answers[last[member]]
        process_id = _count(mailroom, select(Process.id).where(Process.slug == "walne-2027"))
        key = context.ballot_key(process_id, person)
        revisions = _count(mailroom, select(func.count()).select_from(Ballot).where(Ballot.ballot_key == key))
        assert revisions == sent_by[member], f"{member}: each reply is one ballot revision, none twice"

    # The sender runs in a process of its own, so aiosmtpd's thread here does not compete with it for the GIL.
    secret = mailroom.services.context.secret.decode()
    sending = subprocess.run(
        [sys.executable, "-c", SENDER, database_url, str(smtp_sink.port), secret],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        timeout=120,
    )
    assert sending.returncode == 0, sending.stderr.decode()
    replies_to = [
        line for _, _, raw in smtp_sink.messages for line in raw.split(b"\r\n") if line.startswith(b"In-Reply-To:")
    ]
    assert len(replies_to) == len(set(replies_to)) >= REPLIES
