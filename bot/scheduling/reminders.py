"""Reminders: select the people to remind about one process and queue one message each, in bulk.

Who is reminded (decided here, once, for every channel): people eligible for the process — an eligibility
grant, or a roster entry matching one of their identities — who have not taken part (no participation that is
not withdrawn; in a consultation: no opinion), who did not opt out (globally, ``Person.reminders_opt_out``, or
for this process, ``reminder_opt_out``), and whom the bot can write to (see :mod:`bot.scheduling.recipients`);
and e-mail addresses on the roster that belong to nobody yet (an NGO member who has never replied).

Each message is queued under the key ``reminder:<slug>:<slot>:person:<id>`` (``…:address:<e-mail>`` for a roster
address): the outbox's unique key, not any memory, is what keeps a (person, process, reminder slot) to one
message across restarts, re-runs and several
bot processes. The selection is one query and the messages go in, in one transaction, with multi-row inserts
(SQLite) or ``COPY`` (PostgreSQL), so 40 000 reminders take seconds, not minutes (``bench/reminders.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, false, or_, select, text, union
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from bot.domain import Channel, ProcessKind
from bot.i18n import Translator, translator
from bot.replies import Button
from bot.scheduling.messages import payload_for, scheduled_command
from bot.scheduling.recipients import DELIVERABLE, Recipient, eligible_people, reachable
from bot.services import Services
from bot.services.sql import ignore_statement
from storage.models import (
    Identity,
    Opinion,
    OutboxMessage,
    Participation,
    Person,
    RosterEntry,
    VerifiedVoter,
)

__all__ = [
    "PURPOSE",
    "ReminderReport",
    "enqueue_reminders",
    "insert_messages",
    "reminder_key",
    "reminder_payloads",
    "roster_addresses",
    "select_recipients",
]

PURPOSE = "reminder"
_CHUNK = 1000
_IDENTITY = Identity.__table__  # type: ignore[attr-defined]
_OPINION = Opinion.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]
_PERSON = Person.__table__  # type: ignore[attr-defined]
_VOTER = VerifiedVoter.__table__  # type: ignore[attr-defined]
_ROSTER = RosterEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ReminderReport:
    """How many people were selected and how many messages were queued now (the rest were queued before)."""

    selected: int
    queued: int


def reminder_key(slug: str, slot: str, person_id: int) -> str:
    """The outbox key of one reminder."""
    return f"{PURPOSE}:{slug}:{slot}:person:{person_id}"


def select_recipients(connection: Connection, process_id: int, kind: ProcessKind) -> list[Recipient]:
    """Everyone to remind about the process now, on their preferred channel (module docstring)."""
    took_part: ColumnElement[bool] = exists().where(
        _PARTICIPATION.c.process_id == process_id,
        _PARTICIPATION.c.person_id == _PERSON.c.id,
        _PARTICIPATION.c.withdrawn == false(),
    )
    # a verified resident takes part once, through whichever account voted last (the others' participation is
    # dropped, bot/services/verification.py): none of their accounts is reminded
    mine, theirs = _VOTER.alias("mine"), _VOTER.alias("theirs")
    took_part = or_(
        took_part,
        exists().where(
            mine.c.process_id == process_id,
            mine.c.person_id == _PERSON.c.id,
            theirs.c.process_id == process_id,
            theirs.c.voter_hash == mine.c.voter_hash,
            _PARTICIPATION.c.process_id == process_id,
            _PARTICIPATION.c.person_id == theirs.c.person_id,
            _PARTICIPATION.c.withdrawn == false(),
        ),
    )
    if kind is ProcessKind.CONSULTATION:
        took_part = exists().where(_OPINION.c.process_id == process_id, _OPINION.c.person_id == _PERSON.c.id)
    return reachable(connection, process_id, union(*eligible_people(process_id)), took_part)


def roster_addresses(connection: Connection, process_id: int) -> list[str]:
    """E-mail addresses on the process's roster that belong to nobody yet: they cannot have taken part or opted
    out (a reply, even ``STOP``, makes them a person), and the e-mail channel can write to them."""
    known = exists().where(_IDENTITY.c.channel == _ROSTER.c.channel, _IDENTITY.c.address == _ROSTER.c.address)
    return list(
        connection.execute(
            select(_ROSTER.c.address)
            .where(_ROSTER.c.process_id == process_id, _ROSTER.c.channel == Channel.EMAIL.value, ~known)
            .order_by(_ROSTER.c.id)
        ).scalars()
    )


def reminder_payloads(
    services: Services, slug: str, sentences: Callable[[Translator, str], tuple[str, str]]
) -> dict[tuple[str, Channel], Any]:
    """A reminder about ``slug`` in each language and channel, rendered once rather than once per person:
    ``sentences(t, title)`` gives its subject and text; every reminder has the same buttons (the process card,
    no more reminders), the same e-mail footer and says its language (Content-Language)."""
    info = services.processes.get(slug)
    payloads: dict[tuple[str, Channel], Any] = {}
    for language in ("pl", "en", "uk"):
        t = translator(language, services.context.zone)
        subject, text = sentences(t, info.title(language))
        buttons = (
            (Button(t("scheduler.remind.button_open"), f"{scheduled_command('proces', language)} {slug}"),),
            (Button(t("scheduler.remind.button_stop"), f"{scheduled_command('nie_przypominaj', language)} {slug}"),),
        )
        for channel in DELIVERABLE:
            payloads[(language, channel)] = payload_for(
                channel,
                subject=subject,
                text=text,
                buttons=buttons,
                email_footer=t("scheduler.remind.email_stop", slug=slug),
                language=t.language,
            )
    return payloads


def _payloads(services: Services, slug: str, kind: ProcessKind, closes_at: datetime) -> dict[tuple[str, Channel], Any]:
    """The closing reminder in each language and channel."""
    key = "scheduler.remind.consultation" if kind is ProcessKind.CONSULTATION else "scheduler.remind.vote"
    return reminder_payloads(
        services,
        slug,
        lambda t, title: (t("scheduler.remind.subject", title=title), t(key, title=title, closes_at=closes_at)),
    )


def enqueue_reminders(
    services: Services, *, process_id: int, slug: str, kind: ProcessKind, slot: str, closes_at: datetime
) -> ReminderReport:
    """Queue the reminder ``slot`` of the process for everyone who should get it; idempotent."""
    now = services.context.clock.now()
    payloads = _payloads(services, slug, kind, closes_at)
    with services.context.connection() as connection:
        recipients = select_recipients(connection, process_id, kind)
        addresses = roster_addresses(connection, process_id)
        prefix = f"{PURPOSE}:{slug}:{slot}:"
        queued_before = set(
            connection.execute(
                select(_OUTBOX.c.key).where(_OUTBOX.c.purpose == PURPOSE, _OUTBOX.c.key.like(prefix + "%"))
            ).scalars()
        )
        targets = [
            (f"{prefix}person:{r.person_id}", r.person_id, r.channel, r.address, r.language) for r in recipients
        ] + [(f"{prefix}address:{address}", None, Channel.EMAIL, address, "pl") for address in addresses]
        rows = []
        for key, person_id, channel, address, language in targets:
            if key in queued_before:
                continue
            language = language if language in ("pl", "en", "uk") else "pl"
            rows.append(
                {
                    "key": key,
                    "channel": channel,
                    "address": address,
                    "person_id": person_id,
                    "purpose": PURPOSE,
                    "payload": payloads[(language, channel)],
                    "created_at": now,
                    "not_before": now,
                    "attempts": 0,
                }
            )
        insert_messages(connection, rows)
    return ReminderReport(len(targets), len(rows))


def insert_messages(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Queue outbox rows in bulk; a row whose key is queued already is left out (``ON CONFLICT DO NOTHING``)."""
    if connection.dialect.name == "postgresql":
        _copy_in(connection, rows)
    else:
        statement = ignore_statement(connection.dialect.name, _OUTBOX, ("key",))
        for start in range(0, len(rows), _CHUNK):
            connection.execute(statement, rows[start : start + _CHUNK])


_COLUMNS = ("key", "channel", "address", "person_id", "purpose", "payload", "created_at", "not_before", "attempts")


def _copy_in(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: ``COPY`` the rows into a temporary table, then one ``INSERT … SELECT … ON CONFLICT DO NOTHING``.

    A parameterised multi-row insert spends its time in the driver's round trips (five times slower at 40 000
    rows); COPY streams them. Runs in the caller's transaction; the temporary table is dropped at commit.
    """
    if not rows:
        return
    columns = ", ".join(_COLUMNS)
    connection.execute(
        text(
            "CREATE TEMPORARY TABLE glos_reminder_rows ON COMMIT DROP AS "
            f"SELECT {columns} FROM outbox_message WITH NO DATA"
        )
    )
    encoded: dict[int, str] = {}  # the few distinct payloads, serialised once each
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY glos_reminder_rows ({columns}) FROM STDIN") as copy:
        for row in rows:
            payload = row["payload"]
            if id(payload) not in encoded:
                encoded[id(payload)] = json.dumps(payload, ensure_ascii=False)
            copy.write_row(
                (
                    row["key"],
                    row["channel"].value,
                    row["address"],
                    row["person_id"],
                    row["purpose"],
                    encoded[id(payload)],
                    row["created_at"],
                    row["not_before"],
                    row["attempts"],
                )
            )
    connection.execute(
        text(
            f"INSERT INTO outbox_message ({columns}) SELECT {columns} FROM glos_reminder_rows "
            "ON CONFLICT (key) DO NOTHING"
        )
    )
    connection.execute(text("DROP TABLE glos_reminder_rows"))
