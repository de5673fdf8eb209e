"""Reminders before a consultation's meetings (``[notice] meetings``, ``meeting_reminders``, default ``["1d"]``).

A meeting is for everyone the consultation concerns, whether or not they have sent a remark: everyone eligible
or on the roster whom the bot may write to and who did not opt out (as :mod:`bot.scheduling.reminders` selects
them, without its "has not taken part yet"), and the roster's e-mail addresses that belong to nobody yet.

Each message is queued under ``meeting:<slug>:<meeting time>:<offset>:person:<id>`` (``…:address:<e-mail>``):
the outbox's unique key keeps one message per person, meeting and offset across restarts, re-runs and several
bot processes, as for the closing reminders. A moved meeting is a new meeting (a new key).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, union

from bot.definition import Meeting
from bot.domain import Channel
from bot.scheduling.recipients import eligible_people, reachable
from bot.scheduling.reminders import ReminderReport, insert_messages, reminder_payloads, roster_addresses
from bot.services import Services
from bot.views.notice import meeting_line
from storage.models import OutboxMessage

__all__ = ["PURPOSE", "enqueue_meeting_reminders", "meeting_stamp"]

PURPOSE = "meeting"
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]


def meeting_stamp(at: datetime) -> str:
    """A meeting's time as it names its jobs and keys (UTC, to the minute)."""
    return at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def _payloads(services: Services, slug: str, meeting: Meeting) -> dict[tuple[str, Channel], Any]:
    """The reminder of ``meeting`` in each language and channel."""
    return reminder_payloads(
        services,
        slug,
        lambda t, title: (
            t("notice.meeting_subject", title=title),
            t("notice.meeting_reminder", title=title, meeting=meeting_line(meeting, t)),
        ),
    )


def enqueue_meeting_reminders(
    services: Services, *, process_id: int, slug: str, meeting: Meeting, offset: str
) -> ReminderReport:
    """Queue the reminder ``offset`` before ``meeting`` for everyone it concerns (module docstring); idempotent."""
    now = services.context.clock.now()
    payloads = _payloads(services, slug, meeting)
    prefix = f"{PURPOSE}:{slug}:{meeting_stamp(meeting.at)}:{offset}:"
    with services.context.connection() as connection:
        recipients = reachable(connection, process_id, union(*eligible_people(process_id)))
        addresses = roster_addresses(connection, process_id)
        queued_before = set(
            connection.execute(
                select(_OUTBOX.c.key).where(_OUTBOX.c.purpose == PURPOSE, _OUTBOX.c.key.like(prefix + "%"))
            ).scalars()
        )
        targets = [
            (f"{prefix}person:{r.person_id}", r.person_id, r.channel, r.address, r.language) for r in recipients
        ] + [(f"{prefix}address:{address}", None, Channel.EMAIL, address, "pl") for address in addresses]
        rows = [
            {
                "key": key,
                "channel": channel,
                "address": address,
                "person_id": person_id,
                "purpose": PURPOSE,
                "payload": payloads[(language if language in ("pl", "en", "uk") else "pl", channel)],
                "created_at": now,
                "not_before": now,
                "attempts": 0,
            }
            for key, person_id, channel, address, language in targets
            if key not in queued_before
        ]
        insert_messages(connection, rows)
    return ReminderReport(len(targets), len(rows))
