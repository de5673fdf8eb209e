"""The fault suite's world: a real ``glos run`` in an OS process of its own (so it can be killed with -9), the
Telegram emulator, an SMTP sink and the checks, all in this test process so they survive every kill.

* :class:`BotProcess` writes a ``glos.toml`` ([telegram] ``api_url`` and token pointing at the emulator served
  here, [mail] IMAP on Dovecot and SMTP to the aiosmtpd sink here, [storage] the test's database), starts
  ``glos run`` with a console that waits on an open pipe, waits until it polls, kills it with SIGKILL and
  starts it again. Its output goes to a log file kept for the failure message.
* :func:`prepare_store` migrates the store and sets up the processes the scenarios use: ``awaria-2027`` (a
  secret yes/no vote anyone may cast on Telegram), ``przypomnienie-2027`` (a roster vote whose 2 h reminder
  is due now, for the broadcast) and ``walne-2027`` (the e-mail members' resolutions, invitations sent).
* :func:`receipts` reads the acknowledgements a voter saw in the emulated chat.

Every scenario prints one ``FAULTS …`` line of figures (collected into docs/RELIABILITY.md).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlmodel import col

from bot.app import load_example_organisations
from bot.clock import SystemClock
from bot.definition import load_definition_file
from bot.domain import Channel, EligibilityMode
from bot.services import Services, build_services
from bot.services.eligibility import RosterRow
from bot.services.voting import hash_receipt
from handlers.emulator import Emulator, EmulatorServer, FloodLimits
from mail.invite import invite_roster
from mail.processor import MailAddressing
from mail.testing import SmtpSink
from mail.testing import smtp_sink as start_smtp_sink
from mail.tokens import expand_tokens
from storage.engine import make_engine, session_factory
from storage.migrate import upgrade
from storage.models import Ballot, Eligibility, Identity, OutboxMessage, Person, Process

ROOT = Path(__file__).resolve().parents[2]
SECRET = "faults-secret-key-0123456789abcdef"
TOKEN = "100000001:GLOS-FAULTS"
VOTE = "awaria-2027"
REMIND = "przypomnienie-2027"
MAIL_SLUG = "walne-2027"
FROM = "glos@glos.example.org"
REPLY_DOMAIN = "glos.example.org"
RECEIPT = re.compile(r"(?:[Pp]okwitowanie|[Rr]eceipt): ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")

_VOTE_TOML = """
slug = "{slug}"
kind = "vote"
secret = true
results = "after_close"
opens_at = {opens}
closes_at = {closes}
reminders = {reminders}

[title]
pl = "Test awarii"
en = "Fault test"

[description]
pl = "Czy tak?"
en = "Yes?"

[eligibility]
mode = "{mode}"

[[pools]]
key = "main"
ballot = {{ rule = "yes_no_abstain", min = 1 }}
counting = {{ rule = "majority", majority = "simple" }}

[[items]]
key = "q1"
kind = "question"
title = {{ pl = "Pytanie", en = "Question" }}
"""


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Store:
    """The prepared store: services on the real clock, and the e-mail members' reply tokens."""

    url: str
    services: Services
    mail_tokens: dict[str, str] = field(default_factory=dict)

    def count(self, statement: Any) -> int:
        """One number from the store."""
        with self.services.context.connection() as connection:
            return int(connection.execute(statement).scalar_one())

    def process_id(self, slug: str) -> int:
        """The id of process ``slug``."""
        return self.count(select(col(Process.id)).where(col(Process.slug) == slug))

    def person_of(self, channel: Channel, address: str) -> int | None:
        """The person behind an address, if any."""
        found = self.services.people.find(channel, address)
        return None if found is None else found.person_id

    def ballots_with_receipt(self, receipt: str) -> int:
        """How many ballot rows carry ``receipt`` (one, for a receipt a voter saw)."""
        return self.count(
            select(func.count()).select_from(Ballot).where(col(Ballot.receipt_hash) == hash_receipt(receipt))
        )

    def receipts_hold(self, seen: list[str]) -> None:
        """What a secret process promises about the receipts one voter saw, oldest first: the last is on exactly
        one ballot row, and every earlier one was replaced with it (a secret process keeps no history, so a
        replaced ballot's row, and its receipt, are gone)."""
        assert seen, "the voter never got a receipt"
        last = seen[-1]
        assert self.ballots_with_receipt(last) == 1, f"the last receipt {last} is not on exactly one ballot row"
        for code in seen[:-1]:
            if code != last:
                assert self.ballots_with_receipt(code) == 0, f"the replaced receipt {code} is still on a ballot"

    def revisions(self, slug: str, person_id: int) -> int:
        """How many ballot revisions the person's key has in ``slug`` (one per cast)."""
        key = self.services.context.ballot_key(self.process_id(slug), person_id)
        return self.count(select(func.count()).select_from(Ballot).where(col(Ballot.ballot_key) == key))

    def outbox(self, purpose: str) -> list[tuple[str, str, bool, str | None]]:
        """(key, address, sent, last_error) of every outbox row of ``purpose``."""
        with self.services.context.connection() as connection:
            rows = connection.execute(
                select(
                    col(OutboxMessage.key),
                    col(OutboxMessage.address),
                    col(OutboxMessage.sent_at),
                    col(OutboxMessage.last_error),
                ).where(col(OutboxMessage.purpose) == purpose)
            ).all()
        return [(row[0], row[1], row[2] is not None, row[3]) for row in rows]

    def close(self) -> None:
        """Release the store's connections."""
        self.services.context.engine.dispose()


def prepare_store(
    url: str,
    *,
    reminded: range | None = None,
    mail_members: int = 0,
    folder: Path,
) -> Store:
    """Migrate ``url`` and set up the scenarios' processes (module docstring); ``reminded`` are Telegram user
    ids on the roster of ``przypomnienie-2027`` (their 2 h reminder is due at once), ``mail_members`` e-mail
    members on the roster of ``walne-2027`` (invited; the invitations count as sent)."""
    upgrade(url)
    services = build_services(session_factory(make_engine(url)), SystemClock(), SECRET.encode())
    now = datetime.now(UTC)
    store = Store(url, services)
    specs = [(VOTE, now - timedelta(hours=1), now + timedelta(days=3), "[]", "open")]
    if reminded is not None:
        specs.append(
            (REMIND, now - timedelta(hours=1), now + timedelta(hours=2) - timedelta(minutes=1), '["2h"]', "roster")
        )
    for slug, opens, closes, reminders, mode in specs:
        path = folder / f"{slug}.toml"
        text = _VOTE_TOML.format(slug=slug, opens=_stamp(opens), closes=_stamp(closes), reminders=reminders, mode=mode)
        path.write_text(text, encoding="utf-8")
        services.processes.import_definition(load_definition_file(path))
        services.processes.open(slug)
    if reminded is not None:
        _seed_telegram_roster(store, REMIND, reminded)
    if mail_members:
        load_example_organisations(services, ROOT / "examples")  # the federation that runs walne-2027
        definition = load_definition_file(ROOT / "examples" / "uchwala-tak-nie.toml")
        definition = definition.model_copy(
            update={"opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=3)}
        )
        services.processes.import_definition(definition)
        services.processes.open(MAIL_SLUG)
        rows = [RosterRow(Channel.EMAIL, f"member{n}@example.pl", name=f"Member {n}") for n in range(mail_members)]
        services.eligibility.import_roster(MAIL_SLUG, rows)
        invite_roster(services, MailAddressing(FROM, REPLY_DOMAIN, 200_000), MAIL_SLUG)
        with services.context.connection() as connection:
            invitations = connection.execute(
                select(col(OutboxMessage.address), col(OutboxMessage.payload)).where(
                    col(OutboxMessage.purpose) == "mail.invitation"
                )
            ).all()
            connection.execute(
                OutboxMessage.__table__.update()  # type: ignore[attr-defined]
                .where(col(OutboxMessage.purpose) == "mail.invitation")
                .values(sent_at=now)
            )
        for address, payload in invitations:
            reply_to = expand_tokens(payload["headers"]["Reply-To"], services.context.secret)
            store.mail_tokens[address] = reply_to.split("+", 1)[1].split("@", 1)[0]
    return store


def _seed_telegram_roster(store: Store, slug: str, users: range) -> None:
    """People with a Telegram identity on the roster of ``slug``, in bulk (10,000 one by one take minutes)."""
    process_id = store.process_id(slug)
    now = datetime.now(UTC)
    with store.services.context.connection() as connection:
        people = [
            {"display_name": f"U{uid}", "language": "pl", "reminders_opt_out": False, "created_at": now}
            for uid in users
        ]
        ids = (
            connection.execute(
                insert(Person.__table__).returning(Person.__table__.c.id, sort_by_parameter_order=True),  # type: ignore[attr-defined]
                people,
            )
            .scalars()
            .all()
        )
        connection.execute(
            insert(Identity.__table__),  # type: ignore[attr-defined]
            [
                {
                    "person_id": pid,
                    "channel": Channel.TELEGRAM.value,
                    "address": str(uid),
                    "created_at": now,
                    "verified_at": now,
                }
                for pid, uid in zip(ids, users, strict=True)
            ],
        )
        connection.execute(
            insert(Eligibility.__table__),  # type: ignore[attr-defined]
            [
                {"process_id": process_id, "person_id": pid, "source": EligibilityMode.ROSTER.value, "granted_at": now}
                for pid in ids
            ],
        )


def receipts(emulator: Emulator, user_id: int) -> list[str]:
    """The receipt codes the voter saw in their chat, oldest first."""
    return [code for message in emulator.received(user_id) for code in RECEIPT.findall(message.text)]


class BotProcess:
    """``glos run`` in an OS process of its own, against the emulator, the mail servers and the store here."""

    def __init__(
        self,
        folder: Path,
        *,
        storage_url: str,
        api_url: str,
        imap: tuple[int, str] | None = None,
        smtp_port: int | None = None,
        outbox_rate: float = 1000.0,
        scheduler: bool = True,
    ) -> None:
        self.folder = folder
        self.log = folder / "glos-run.log"
        self.config = folder / "glos.toml"
        lines = [
            "[bot]",
            "load_examples = false",
            "admins = []",
            f'secret_key_file = "{folder / "secret"}"',
            "[storage]",
            f'url = "{storage_url}"',
            "[telegram]",
            f'api_url = "{api_url}"',
            f"outbox_rate = {outbox_rate}",
            "[web]",
            "enabled = false",
            "[scheduler]",
            f"enabled = {'true' if scheduler else 'false'}",
            'quiet_hours_start = "00:00"',
            'quiet_hours_end = "00:00"',
        ]
        if imap is not None and smtp_port is not None:
            lines += [
                "[mail]",
                "enabled = true",
                f"imap_port = {imap[0]}",
                'imap_tls = "none"',
                f'imap_user = "{imap[1]}"',
                f"smtp_port = {smtp_port}",
                'smtp_tls = "none"',
                f'from_address = "{FROM}"',
                f'reply_domain = "{REPLY_DOMAIN}"',
                "poll_seconds = 1",
            ]
        self.config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "GLOS_BOT__SECRET_KEY": SECRET,
            "GLOS_TELEGRAM__TOKEN": TOKEN,
            "GLOS_MAIL__IMAP_PASSWORD": "test-password",
        }
        self.process: subprocess.Popen[bytes] | None = None
        _STARTED.append(self)  # killed at teardown even when the test fails half-way
        self.starts = 0
        self.kills = 0
        self.ready_seconds: list[float] = []

    def start(self, timeout: float = 60.0) -> float:
        """Start ``glos run`` and wait until it polls Telegram; returns the seconds that took."""
        assert self.process is None or self.process.poll() is not None
        offset = self.log.stat().st_size if self.log.exists() else 0
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from bot.cli import main; main()", "--config", str(self.config), "run"],
                cwd=self.folder,
                env=self.env,
                stdin=subprocess.PIPE,  # the console waits on it; it is never written to
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        while True:
            with self.log.open("rb") as log:
                log.seek(offset)
                if b"Telegram:" in log.read():
                    break
            if self.process.poll() is not None:
                raise AssertionError(f"glos run exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() - started > timeout:
                raise AssertionError(f"glos run did not start in {timeout} s:\n{self.tail()}")
            time.sleep(0.05)
        seconds = time.monotonic() - started
        self.ready_seconds.append(seconds)
        return seconds

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, exactly as a crash or the OOM killer."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self) -> None:
        """End it (SIGKILL too: what is checked afterwards must not depend on a clean shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def alive(self) -> bool:
        """Whether the process is running."""
        return self.process is not None and self.process.poll() is None

    def tail(self, lines: int = 40) -> str:
        """The end of the log (for failure messages)."""
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def errors(self) -> list[str]:
        """Lines of the log that are errors or tracebacks."""
        if not self.log.exists():
            return []
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if line.startswith(("ERROR", "Traceback", "CRITICAL"))]


_STARTED: list[BotProcess] = []


@pytest.fixture(autouse=True)
def _no_bot_left_running() -> Iterator[None]:
    """Every ``glos run`` a test started is gone after it, passed or failed."""
    yield
    while _STARTED:
        _STARTED.pop().stop()


def wait_until(predicate: Any, timeout: float, what: str, pause: float = 0.2) -> float:
    """Wait until ``predicate()`` is true; returns the seconds it took (fails the test with ``what``)."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(pause)
    return time.monotonic() - started


def figures(scenario: str, **values: Any) -> None:
    """Print the scenario's figures on one line (``-s`` or the summary shows them)."""
    print(f"\nFAULTS {scenario}: " + ", ".join(f"{name}={value}" for name, value in values.items()), flush=True)


# ----------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """The emulated Telegram, served on loopback from this process; bulk limits scaled up so a 10,000-message
    broadcast is bounded in time (one chat still gets at most about one message a second)."""
    limits = FloodLimits(overall_per_second=2000, overall_burst=200, chat_per_second=1, chat_burst=5)
    emulated = Emulator(TOKEN, limits=limits)
    yield emulated


@pytest.fixture
def emulator_server(emulator: Emulator) -> Iterator[EmulatorServer]:
    """The emulator served on a free loopback port."""
    server = EmulatorServer(emulator).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """aiosmtpd on a free loopback port, in this process (it survives the bot's kills)."""
    with start_smtp_sink() as sink:
        yield sink
