"""Golden e-mail transcripts: for every example with e-mail participants (a roster of e-mail addresses), in
Polish, English and Ukrainian, every e-mail one member gets in a realistic walk — the invitation, the
confirmation of a reply, the confirmation of a changed reply, the reminder (to a second member who has not
answered), and after closing and publishing the result summary — as the SMTP sender builds it: the headers that
matter (From, To, Subject, Reply-To, Content-Language, Auto-Submitted), the whole text/plain body and whether an
HTML alternative goes with it. Compared exactly with ``tests/golden/<example>.email.<lang>.txt``; reply tokens
and receipts (random by design) are masked. Rewrite with ``--update-golden`` and read the diff.
"""

from __future__ import annotations

import json
import re
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.definition.loader import load_definition_file
from bot.domain import Channel, ProcessKind
from bot.i18n import LANGUAGES
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.publishing import send_summary
from bot.scheduling.reminders import enqueue_reminders
from bot.services import Services, build_services
from bot.services.eligibility import RosterRow
from bot.services.sealing import open_payload
from bot.views.examples import example_ballot
from mail.compose import build_message
from mail.invite import invite_roster
from mail.processor import MailAddressing, MailProcessor
from mail.tokens import expand_tokens
from storage.models import OutboxMessage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden_walks import GOLDEN, changed_ballot, compare, mask_receipts
from text_checks import check_reply

SECRET = b"test-secret-key-not-for-production"
MEMBER, SILENT = "anna.nowak@fundacja.org.pl", "jan.kowalski@example.pl"
SENDER = "Głos <glos@glos.example.org>"
WITH_EMAIL = [
    path
    for path in sorted((GOLDEN.parents[1] / "examples").glob("*.toml"))
    if load_definition_file(path).eligibility.mode.value == "roster"
    or load_definition_file(path).kind is ProcessKind.CONSULTATION
]
_TOKEN = re.compile(r"glos\+(?:\{\{token: [0-9a-f]+\}\}|[A-Za-z0-9_-]+)@")
_HEADERS = ("From", "To", "Subject", "Reply-To", "Content-Language", "Auto-Submitted")


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """All services on the test store."""
    return build_services(session_factory, clock, SECRET)  # type: ignore[arg-type]


def _reply(room: MailAddressing, token: str, body: str, number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Anna Nowak <{MEMBER}>"
    message["To"] = room.reply_to(token)
    message["Subject"] = "Re: zaproszenie"
    message["Message-ID"] = f"<reply{number}@fundacja.org.pl>"
    message.set_content(body)
    return message.as_bytes()


class Mails:
    """Every e-mail queued so far, read once, as the sender would build it."""

    def __init__(self, services: Services, language: str) -> None:
        self.services = services
        self.language = language
        self.seen = 0
        self.lines: list[str] = []

    def new(self, step: str) -> list[OutboxMessage]:
        """Record the e-mails queued since the last call under ``step``."""
        with self.services.context.transaction() as session:
            rows = list(
                session.scalars(
                    select(OutboxMessage).where(OutboxMessage.channel == Channel.EMAIL).order_by(OutboxMessage.id)
                ).all()
            )
        fresh, self.seen = rows[self.seen :], len(rows)
        # the member's e-mails, and the reminder the other member (who has not answered) gets
        fresh = [row for row in fresh if row.address == MEMBER or row.purpose == "reminder"]
        self.lines.append(f"=== {step}")
        for row in fresh:
            payload = open_payload(self.services.context.secret, row.payload)
            # as the sender sends it: reply tokens expanded, then the MIME message built
            payload = json.loads(expand_tokens(json.dumps(payload), self.services.context.secret))
            message = build_message(payload, sender=SENDER, recipient=row.address)
            text = str(payload.get("text", ""))
            check_reply(text, self.language)
            check_reply(str(payload.get("subject", "")), self.language)
            for name in _HEADERS:
                value = message.get(name)
                if value is not None:
                    self.lines.append(f"{name}: {_TOKEN.sub('glos+TOKEN@', str(value))}")
            self.lines.append(f"({row.purpose}; HTML alternative: {'yes' if payload.get('html') else 'no'})")
            self.lines.append("")
            self.lines.append(mask_receipts(_TOKEN.sub("glos+TOKEN@", text)).rstrip("\n"))
            self.lines.append("")
        if not fresh:
            self.lines += ["(no e-mail)", ""]
        return fresh

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", WITH_EMAIL, ids=lambda path: path.stem)
def test_email_walk(
    path: Path, language: str, services: Services, clock: FakeClock, update_golden: bool, database_url: str
) -> None:
    definition = load_definition_file(path)
    assert definition.opens_at is not None and definition.closes_at is not None
    clock.set(definition.opens_at)
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    slug = definition.slug
    members = [RosterRow(Channel.EMAIL, MEMBER, name="Anna Nowak"), RosterRow(Channel.EMAIL, SILENT, name="Jan")]
    services.eligibility.import_roster(slug, members)
    for address in (MEMBER, SILENT):  # the members read this language (as /jezyk would set it)
        person = services.people.identify(Channel.EMAIL, address)
        services.people.set_language(person.person_id, language)
    addressing = MailAddressing("glos@glos.example.org", "glos.example.org", max_message_bytes=200_000)
    processor = MailProcessor(services, addressing)
    mails = Mails(services, language)
    invite_roster(services, addressing, slug)
    [invitation] = [row for row in mails.new("invitation") if row.address == MEMBER]
    reply_to = expand_tokens(open_payload(SECRET, invitation.payload)["headers"]["Reply-To"], SECRET)
    token = reply_to.split("+", 1)[1].split("@", 1)[0]
    if definition.kind is ProcessKind.CONSULTATION:
        first = definition.sections()[0].number
        second = definition.sections()[1].number
        answers = [
            f"{first}: Proszę dopisać termin konsultacji.\nDobry projekt, dziękujemy.",
            f"{second}: Cele są zbyt ogólne.",
        ]
    else:
        ballot = example_ballot(definition, language)
        answers = [ballot.replace(", ", "\n"), changed_ballot(ballot).replace(", ", "\n")]
    for number, body in enumerate(answers, 1):
        processor.process(_reply(addressing, token, body, number))
        mails.new(f"reply {number}: " + body.replace("\n", " ⏎ "))
    info = services.processes.get(slug)
    assert info.id is not None
    enqueue_reminders(
        services, process_id=info.id, slug=slug, kind=info.kind, slot="2d", closes_at=definition.closes_at
    )
    mails.new("reminder (two days before closing)")
    clock.set(definition.closes_at)
    services.processes.close(slug)
    services.processes.publish(slug)
    send_summary(services, slug, SchedulePolicy())  # a Polish deployment: each member reads their language
    mails.new("closed and published: the summary")
    name = f"{path.stem}.email.{language}.txt"
    if database_url.startswith("sqlite"):
        compare(name, mails.text(), update_golden)
    else:  # PostgreSQL must say exactly the same
        assert mails.text() == (GOLDEN / name).read_text(encoding="utf-8")


def test_a_member_who_answered_stop_gets_no_summary(services: Services, clock: FakeClock) -> None:
    """The STOP confirmation promises no more messages about the process: the result summary is not one of them."""
    definition = load_definition_file(GOLDEN.parents[1] / "examples" / "konsultacje-program-wspolpracy-2027.toml")
    assert definition.opens_at is not None and definition.closes_at is not None
    clock.set(definition.opens_at)
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    rows = [RosterRow(Channel.EMAIL, MEMBER, name="Anna Nowak"), RosterRow(Channel.EMAIL, SILENT, name="Jan")]
    services.eligibility.import_roster(definition.slug, rows)
    addressing = MailAddressing("glos@glos.example.org", "glos.example.org", max_message_bytes=200_000)
    mails = Mails(services, "pl")
    invite_roster(services, addressing, definition.slug)
    [invitation] = [row for row in mails.new("invitation") if row.address == MEMBER]
    reply_to = expand_tokens(open_payload(SECRET, invitation.payload)["headers"]["Reply-To"], SECRET)
    MailProcessor(services, addressing).process(
        _reply(addressing, reply_to.split("+", 1)[1].split("@", 1)[0], "STOP", 1)
    )
    mails.new("STOP")
    clock.set(definition.closes_at)
    services.processes.close(definition.slug)
    services.processes.publish(definition.slug)
    send_summary(services, definition.slug, SchedulePolicy())
    with services.context.transaction() as session:
        summaries = session.scalars(select(OutboxMessage.address).where(OutboxMessage.purpose == "summary")).all()
    assert summaries == [SILENT]
