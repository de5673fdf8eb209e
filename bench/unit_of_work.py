"""What one event costs the store: transactions begun and SQL statements sent — a resident's ``/glosuj``, a
comment on a section (``/opinia SLUG §2: …``) and an e-mail reply with a ballot and an opinion.

The console channel runs ``/glosuj bo2027 city: 1, 2; wesola: 10`` for a resident who has declared her district
(Warsaw's budget example), first a vote, then a changed vote; then two comments on sections of the consultation
example; then a member replies twice to an invitation by e-mail (the yes/no example). SQLAlchemy's ``begin`` and
``before_cursor_execute`` events count what reaches the store: every transaction (SQLite's ``BEGIN`` is one of
the statements it counts; PostgreSQL's reads run in autocommit) and every statement. The target of issue #12 is
at most 2 transactions and 8 statements for a command; an e-mail reply is one unit too: its Message-ID, each
line's command (in a savepoint), the confirmation in the outbox. Run: ``python -m bench.unit_of_work``
(PostgreSQL from ``GLOS_BENCH_DATABASE_URL``, default the local server when it answers).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from bench.support import postgres_url
from bot.app import build_app, load_example_organisations
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.console import ConsoleChannel
from bot.definition import load_definition_file
from bot.domain import Channel
from bot.services.eligibility import RosterRow
from bot.services.sealing import open_payload
from mail.invite import invite_roster
from mail.processor import MailAddressing, MailProcessor
from mail.tokens import expand_tokens
from storage.models import OutboxMessage

__all__ = ["counting", "main", "measure", "measure_mail", "measure_opinion", "measure_remark"]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE = EXAMPLES / "bo-warszawa-2027.toml"
VOTES = ("/glosuj bo2027 city: 1, 2; wesola: 10", "/glosuj bo2027 city: 3; wesola: 12")
COMMENTS = ("/opinia program-wspolpracy-2027 §2: Za mało konkursów.", "/opinia program-wspolpracy-2027 §3: I tu.")
REPLIES = ("uchwala1: TAK\nuchwala2: NIE\nuchwala3: TAK\n\nDziękuję.", "uchwala1: NIE\n\nZmieniam zdanie.")
WHEN = datetime(2027, 4, 14, 10, 0, tzinfo=UTC)


@contextmanager
def counting(engine: Any) -> Iterator[dict[str, list[str]]]:
    """What reaches ``engine`` inside the block: ``begin`` (one entry per transaction begun) and ``statements``
    (the first four words of each SQL statement, SQLite's ``BEGIN`` and ``SAVEPOINT`` included)."""
    counted: dict[str, list[str]] = {"begin": [], "statements": []}

    def on_begin(connection: Any) -> None:
        counted["begin"].append("begin")

    def on_statement(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        counted["statements"].append(" ".join(statement.split()[:4]))

    event.listen(engine, "begin", on_begin)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        yield counted
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "before_cursor_execute", on_statement)


def _row(url: str, what: str, counted: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "store": url.split(":", 1)[0].split("+")[0],
        "command": what,
        "transactions": len(counted["begin"]),
        "statements": len(counted["statements"]),
        "sql": list(counted["statements"]),
    }


def measure(url: str) -> list[dict[str, Any]]:
    """Transactions and statements of each vote in :data:`VOTES`, with the first words of each statement."""
    settings = Settings(storage=StorageSettings(url=url))
    app = build_app(settings, clock=FakeClock(datetime(2027, 6, 20, 12, 0, tzinfo=UTC)), secret=b"b" * 32)
    try:
        load_example_organisations(app.services, EXAMPLE.parent)  # the organisations the examples name
        app.services.processes.import_definition(load_definition_file(EXAMPLE))
        app.services.processes.open("bo2027")
        console = ConsoleChannel(app.services, app.commands, "kasia")
        console.handle("/dzielnica bo2027 wesola")
        rows = []
        for line in VOTES:
            with counting(app.engine) as counted:
                replies = console.handle(line)
            assert replies and ("Przyjęto" in replies[0] or "Zmieniono" in replies[0]), replies
            rows.append(_row(url, line.split(":")[0] + " …", counted))
        return rows
    finally:
        app.close()


def measure_opinion(url: str) -> list[dict[str, Any]]:
    """Transactions and statements of each comment in :data:`COMMENTS` (the consultation example)."""
    settings = Settings(storage=StorageSettings(url=url))
    app = build_app(settings, clock=FakeClock(WHEN), secret=b"b" * 32)
    try:
        load_example_organisations(app.services, EXAMPLES)  # the organisations the examples name
        definition = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
        app.services.processes.import_definition(definition)
        app.services.processes.open(definition.slug)
        console = ConsoleChannel(app.services, app.commands, "ewa")
        console.handle(f"/proces {definition.slug}")
        rows = []
        for line in COMMENTS:
            with counting(app.engine) as counted:
                replies = console.handle(line)
            assert replies and "Dziękujemy" in replies[0], replies
            rows.append(_row(url, line.split(":")[0] + " …", counted))
        return rows
    finally:
        app.close()


def measure_remark(url: str) -> list[dict[str, Any]]:
    """Transactions and statements of a remark written the guided way: ``/uwaga_do SLUG KEY`` (the button under
    a unit read with ``/czytaj``), then the remark as the next message."""
    settings = Settings(storage=StorageSettings(url=url))
    app = build_app(settings, clock=FakeClock(WHEN), secret=b"b" * 32)
    try:
        load_example_organisations(app.services, EXAMPLES)
        definition = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
        if app.services.processes.find(definition.slug) is None:  # PostgreSQL: one store for every scenario
            app.services.processes.import_definition(definition)
            app.services.processes.open(definition.slug)
        console = ConsoleChannel(app.services, app.commands, "olek")
        console.handle(f"/proces {definition.slug}")
        unit = definition.sections()[1].key
        rows = []
        for line in (f"/uwaga_do {definition.slug} {unit}", "Za mało konkursów."):
            with counting(app.engine) as counted:
                replies = console.handle(line)
            assert replies, line
            rows.append(_row(url, line if line.startswith("/") else "(the remark)", counted))
        assert "Dziękujemy" in replies[0], replies
        return rows
    finally:
        app.close()


def measure_mail(url: str) -> list[dict[str, Any]]:
    """Transactions and statements of each e-mail reply in :data:`REPLIES` (the yes/no example, one member)."""
    settings = Settings(storage=StorageSettings(url=url))
    app = build_app(settings, clock=FakeClock(WHEN), secret=b"b" * 32)
    addressing = MailAddressing("glos@glos.example.org", "glos.example.org")
    try:
        services = app.services
        load_example_organisations(services, EXAMPLES)
        definition = load_definition_file(EXAMPLES / "uchwala-tak-nie.toml")
        services.processes.import_definition(definition)
        services.processes.open(definition.slug)
        member = "ewa@stowarzyszenie.org.pl"
        services.eligibility.import_roster(definition.slug, [RosterRow(Channel.EMAIL, member, name="Ewa")])
        invite_roster(services, addressing, definition.slug)
        with services.context.transaction() as session:
            [invitation] = session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "mail.invitation"))
            headers = open_payload(services.context.secret, invitation.payload)["headers"]
        reply_to = expand_tokens(str(headers["Reply-To"]), services.context.secret)
        processor = MailProcessor(services, addressing, app.commands)
        rows = []
        for number, body in enumerate(REPLIES):
            message = EmailMessage()
            message["From"] = f"Ewa <{member}>"
            message["To"] = reply_to
            message["Subject"] = "Re: Zaproszenie"
            message["Message-ID"] = f"<reply{number}@stowarzyszenie.org.pl>"
            message.set_content(body)
            raw = message.as_bytes()
            with counting(app.engine) as counted:
                outcome = processor.process(raw)
            assert outcome.kind == "accepted", outcome
            rows.append(_row(url, f"e-mail reply {number + 1}", counted))
        return rows
    finally:
        app.close()


def main() -> None:
    """Print the figures for SQLite and, when it answers, PostgreSQL."""
    with tempfile.TemporaryDirectory() as folder:
        rows = [row for scenario in SCENARIOS for row in scenario(f"sqlite:///{folder}/{scenario.__name__}.db")]
    postgres = postgres_url("bench_unit")
    if postgres is not None:
        for scenario in SCENARIOS:
            rows += scenario(postgres)
    for row in rows:
        print(
            f"{row['store']:10} {row['command']:36} transactions={row['transactions']} statements={row['statements']}"
        )
        for statement in row["sql"]:
            print(f"    {statement}")


SCENARIOS = (measure, measure_opinion, measure_remark, measure_mail)

if __name__ == "__main__":
    main()
