"""Announcements: a moderator's message about one process, queued in the outbox for everybody concerned.

Who gets it: every person eligible for the process (an eligibility grant, or a roster entry matching one of their
identities) or who took part in it (a ballot, withdrawn or not, or an opinion), on their preferred channel
(Telegram, else e-mail: :mod:`bot.scheduling.recipients`); the roster's e-mail addresses that belong to nobody
yet; and the configured group chats (``[telegram] chats``). People who erased their data, or asked for no more
messages (``/nie_przypominaj``, an e-mail ``STOP``, about this process or at all) are left out: stop means stop.

Every message has its own outbox key, ``announcement:<slug>:<digest>:person:<id>`` (``…:address:<e-mail>``,
``…:chat:<id>``), where the digest is made from the text: the same announcement queued again — a retried
command, a crash between queuing and answering — is queued once, and a sender never sends it twice. The
messages and the audit entry are written in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.engine import Connection

from bot.domain import Channel
from bot.i18n import LANGUAGES, translator
from bot.replies import Button, Reply
from bot.scheduling.messages import payload_for, scheduled_command
from bot.scheduling.recipients import DELIVERABLE, Recipient, eligible_people, reachable
from bot.scheduling.reminders import roster_addresses
from bot.services import Services
from bot.services.outbox import reply_payload
from bot.services.sql import ignore_statement
from storage.models import (
    Opinion,
    OutboxMessage,
    Participation,
)

__all__ = ["MAX_TEXT", "PURPOSE", "AnnouncementReport", "announce", "announcement_recipients"]

PURPOSE = "announcement"
MAX_TEXT = 3500
"""The longest announcement: Telegram's 4,096 characters leave room for the header with the process title."""
MAX_TITLE = 200  # of the title shown in the header
_CHUNK = 1000
_OPINION = Opinion.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AnnouncementReport:
    """How many messages were queued now, by kind; ``already`` were queued before (the same announcement)."""

    telegram: int
    email: int
    chats: int
    already: int

    @property
    def queued(self) -> int:
        """Every message queued now."""
        return self.telegram + self.email + self.chats


def announcement_recipients(connection: Connection, process_id: int) -> list[Recipient]:
    """Everyone eligible for or who took part in the process, on their preferred channel (module docstring)."""
    concerned = union(
        *eligible_people(process_id),
        select(_PARTICIPATION.c.person_id).where(_PARTICIPATION.c.process_id == process_id),
        select(_OPINION.c.person_id).where(_OPINION.c.process_id == process_id, _OPINION.c.person_id.is_not(None)),
    )
    return reachable(connection, process_id, concerned)


def announce(services: Services, slug: str, text: str, *, actor_id: int | None, language: str) -> AnnouncementReport:
    """Queue ``text`` about ``slug`` for everybody concerned (module docstring); ``language`` is the group chats'.

    The caller checks the length (:data:`MAX_TEXT`); the process must exist (``process.not_found``).
    """
    ctx = services.context
    info = services.processes.get(slug)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    prefix = f"{PURPOSE}:{info.slug}:{digest}:"
    payloads: dict[tuple[str, Channel], dict[str, Any]] = {}
    for code in LANGUAGES:
        t = translator(code, ctx.zone)
        title = info.title(code)[:MAX_TITLE]
        body = t("flows.announce.header", title=title) + "\n\n" + text
        buttons = ((Button(t("flows.announce.button"), f"{scheduled_command('proces', code)} {info.slug}"),),)
        for channel in DELIVERABLE:
            subject = t("flows.announce.subject", title=title)
            payloads[(code, channel)] = payload_for(
                channel, subject=subject, text=body, buttons=buttons, language=t.language
            )
    group_t = translator(language, ctx.zone)
    group_body = group_t("flows.announce.header", title=info.title(group_t.language)[:MAX_TITLE]) + "\n\n" + text
    # In a group nobody votes: the button leads to the private conversation about the process.
    group_button = Button(group_t("flows.share.button"), f"/start {info.slug}", link=True)
    group_payload = reply_payload(Reply(group_body, ((group_button,),)))
    now = ctx.clock.now()
    with ctx.transaction() as session:
        connection = session.connection()
        recipients = announcement_recipients(connection, info.id)
        targets: list[tuple[str, int | None, Channel, str, dict[str, Any]]] = [
            (
                f"{prefix}person:{r.person_id}",
                r.person_id,
                r.channel,
                r.address,
                payloads[(r.language if r.language in LANGUAGES else "pl", r.channel)],
            )
            for r in recipients
        ]
        targets += [
            (f"{prefix}address:{address}", None, Channel.EMAIL, address, payloads[("pl", Channel.EMAIL)])
            for address in roster_addresses(connection, info.id)
        ]
        targets += [
            (f"{prefix}chat:{chat}", None, Channel.TELEGRAM, str(chat), group_payload) for chat in ctx.group_chats
        ]
        before = set(
            connection.execute(
                select(_OUTBOX.c.key).where(_OUTBOX.c.purpose == PURPOSE, _OUTBOX.c.key.like(prefix + "%"))
            ).scalars()
        )
        fresh = [target for target in targets if target[0][:255] not in before]
        rows = [
            {
                "key": key[:255],
                "channel": channel,
                "address": address,
                "person_id": person_id,
                "purpose": PURPOSE,
                "payload": payload,
                "created_at": now,
                "not_before": now,
                "attempts": 0,
            }
            for key, person_id, channel, address, payload in fresh
        ]
        statement = ignore_statement(connection.dialect.name, _OUTBOX, ("key",))
        for start in range(0, len(rows), _CHUNK):
            connection.execute(statement, rows[start : start + _CHUNK])
        chats = sum(1 for target in fresh if target[0].startswith(prefix + "chat:"))
        email = sum(1 for target in fresh if target[2] is Channel.EMAIL)
        report = AnnouncementReport(len(fresh) - chats - email, email, chats, len(targets) - len(fresh))
        ctx.audit(
            session,
            "process.announce",
            actor_person_id=actor_id,
            process_id=info.id,
            digest=digest,
            length=len(text),
            telegram=report.telegram,
            email=report.email,
            chats=report.chats,
            already=report.already,
        )
    return report
