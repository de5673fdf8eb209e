"""The outbox: every message the bot sends on its own (reminders, summaries, confirmations, announcements) is
queued here first, in the same transaction as the change that causes it, and sent by the channel's sender.

Contract:

* :meth:`Outbox.enqueue` queues one message under a unique ``key`` — one per (recipient, purpose), e.g.
  ``reminder:bo2027:3d:person:42``. Queuing the same key again does nothing and returns False, so a reminder
  planned twice, by a restarted or a second bot process, is queued once.
* A sender calls :meth:`Outbox.claim` for its channel: due, unsent rows are leased to it (``claimed_by``,
  ``claimed_until``); a crashed sender's lease runs out and the rows become claimable again. On PostgreSQL the
  claim skips rows other processes hold (``FOR UPDATE SKIP LOCKED``); on SQLite the write lock serialises
  claims.
* After sending, :meth:`Outbox.mark_sent`; after a failure, :meth:`Outbox.mark_failed` with an optional
  ``retry_after`` (Telegram's flood control says how long): the row is released and retried later with
  backoff, and given up after :data:`MAX_ATTEMPTS` (``last_error`` says why; it is never sent).
* Right before handing a message to the transport a sender calls :meth:`Outbox.mark_sending`. A message whose
  lease ran out while it was being sent (the sender was killed, or lost the store, between the transport and
  :meth:`mark_sent`) may or may not have arrived; :meth:`claim` gives it up as :data:`INTERRUPTED` instead of
  sending it again. So across crashes delivery is at-most-once: nobody gets a reminder or a confirmation twice,
  and at worst the one message per sender in flight at the crash is not delivered (its row says so). Failures
  the sender sees (refusals, flood control, a network error) release the message for another try as before.

A message that carries the recipient's own ballot or receipt (:data:`~bot.services.sealing.SEALED_PURPOSES`) is
stored encrypted under the secret key and emptied by :meth:`Outbox.mark_sent` (:mod:`bot.services.sealing`);
:meth:`Outbox.claim` hands senders the plain payload.

``payload`` is channel-specific JSON: for chat channels :func:`reply_payload` of a core
:class:`~bot.replies.Reply`; the e-mail sender reads ``subject``/``text``/``html``/``headers``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, literal, or_, select, update
from sqlalchemy.engine import Connection

from bot.domain import Channel
from bot.replies import Button, Document, Reply
from bot.services.context import ServiceContext
from bot.services.sealing import FORGOTTEN_PURPOSES, SEALED_PURPOSES, open_payload, seal_payload
from bot.services.sql import insert_ignore
from storage.models import OutboxMessage
from storage.pacing import SharedPace, shared_pace

__all__ = [
    "GIVEN_UP",
    "INTERRUPTED",
    "MAX_ATTEMPTS",
    "Outbox",
    "OutboxStats",
    "QueuedMessage",
    "SharedPace",
    "payload_reply",
    "reply_payload",
]

MAX_ATTEMPTS = 8
GIVEN_UP = "given up: "
INTERRUPTED = GIVEN_UP + "interrupted while being sent (it may have arrived); not sent again, to send nothing twice"
_SENDING = "sending:"  # claimed_by of a message handed to the transport (see mark_sending)
_TABLE = OutboxMessage.__table__  # type: ignore[attr-defined]
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class QueuedMessage:
    """A claimed message, as a sender sees it."""

    id: int
    key: str
    channel: Channel
    address: str
    person_id: int | None
    purpose: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class OutboxStats:
    """How full the queue is (for ``/status`` and ``/metrics``)."""

    unsent: int
    oldest_unsent: datetime | None
    given_up: int


def mail_payload(
    subject: str, text: str, html: str = "", headers: dict[str, str] | None = None, *, language: str | None = None
) -> dict[str, Any]:
    """The outbox payload of one e-mail — the one format every e-mail is queued in (invitations, confirmations,
    reminders, summaries, alerts) and the e-mail sender reads: subject, plain text, HTML, headers.
    ``Auto-Submitted: auto-generated`` is always set (RFC 3834): the bot writes on its own, and auto-responders
    must not answer it. ``language`` becomes ``Content-Language`` (RFC 3282), so a client can offer to translate
    and a screen reader reads it with the right voice."""
    language_header = {"Content-Language": language} if language else {}
    return {
        "subject": subject,
        "text": text,
        "html": html,
        "headers": {"Auto-Submitted": "auto-generated", **language_header, **(headers or {})},
    }


def reply_payload(reply: Reply) -> dict[str, Any]:
    """A core reply as JSON for the outbox (documents base64-encoded)."""
    payload: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        payload["buttons"] = [
            [{"label": b.label, "command": b.command, **({"link": True} if b.link else {})} for b in row]
            for row in reply.buttons
        ]
    if reply.document is not None:
        payload["document"] = {
            "filename": reply.document.filename,
            "mime_type": reply.document.mime_type,
            "content": base64.b64encode(reply.document.content).decode(),
        }
    return payload


def payload_reply(payload: dict[str, Any]) -> Reply:
    """The inverse of :func:`reply_payload`."""
    buttons = tuple(
        tuple(Button(str(b["label"]), str(b["command"]), bool(b.get("link", False))) for b in row)
        for row in payload.get("buttons", [])
    )
    document = None
    if "document" in payload:
        raw = payload["document"]
        document = Document(raw["filename"], base64.b64decode(raw["content"]), raw.get("mime_type", ""))
    return Reply(str(payload.get("text", "")), buttons, document)


class Outbox:
    """Queue and lease outgoing messages."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def enqueue(
        self,
        *,
        key: str,
        channel: Channel,
        address: str,
        purpose: str,
        payload: dict[str, Any],
        person_id: int | None = None,
        not_before: datetime | None = None,
        connection: Connection | None = None,
    ) -> bool:
        """Queue a message unless one with ``key`` exists; True when queued now.

        Pass ``connection`` to queue inside the caller's transaction (the change and its message commit
        together); otherwise the message is queued in a transaction of its own.
        """
        now = self.ctx.clock.now()
        values = {
            "key": key[:255],
            "channel": channel,
            "address": address,
            "person_id": person_id,
            "purpose": purpose,
            "payload": seal_payload(self.ctx.secret, payload) if purpose in SEALED_PURPOSES else payload,
            "created_at": now,
            "not_before": not_before or now,
            "attempts": 0,
        }
        if connection is not None:
            return self._insert(connection, values)
        with self.ctx.connection() as own:
            return self._insert(own, values)

    def shared_pace(self, name: str, rate: float) -> SharedPace | None:
        """The send rate ``name`` held across every process of this store (PostgreSQL), at most ``rate``
        messages per second; None on SQLite, where the one process paces its sender itself."""
        return shared_pace(self.ctx.engine, name, rate)

    def queued(self, key: str) -> bool:
        """Whether a message with ``key`` was ever queued (sent or not): a purpose done once per recipient."""
        with self.ctx.reading() as connection:
            return connection.execute(select(_TABLE.c.id).where(_TABLE.c.key == key)).first() is not None

    @staticmethod
    def _insert(connection: Connection, values: dict[str, Any]) -> bool:
        exists = connection.execute(select(_TABLE.c.id).where(_TABLE.c.key == values["key"])).first()
        if exists is not None:
            return False
        insert_ignore(connection, _TABLE, values, ("key",))
        return True

    def claim(
        self, channel: Channel, *, worker: str, limit: int = 50, lease: timedelta = timedelta(seconds=60)
    ) -> list[QueuedMessage]:
        """Lease up to ``limit`` due, unsent messages of ``channel`` to ``worker``, oldest first."""
        now = self.ctx.clock.now()
        with self.ctx.connection() as connection:
            connection.execute(
                update(_TABLE)
                .where(
                    _TABLE.c.channel == channel.value,
                    _TABLE.c.sent_at.is_(None),
                    _TABLE.c.claimed_by.like(_SENDING + "%"),
                    _TABLE.c.claimed_until < bindparam("now"),
                )
                .values(last_error=INTERRUPTED, claimed_until=_FAR_FUTURE),
                {"now": now},
            )
            due = (
                select(_TABLE.c.id)
                .where(
                    _TABLE.c.channel == channel.value,
                    _TABLE.c.sent_at.is_(None),
                    _TABLE.c.not_before <= bindparam("now"),
                    or_(_TABLE.c.claimed_until.is_(None), _TABLE.c.claimed_until < bindparam("now")),
                )
                .order_by(_TABLE.c.not_before, _TABLE.c.id)
                .limit(limit)
            )
            if connection.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            rows = connection.execute(
                update(_TABLE)
                .where(_TABLE.c.id.in_(due.scalar_subquery()))
                .values(claimed_by=worker, claimed_until=bindparam("until"))
                .returning(
                    _TABLE.c.id,
                    _TABLE.c.key,
                    _TABLE.c.channel,
                    _TABLE.c.address,
                    _TABLE.c.person_id,
                    _TABLE.c.purpose,
                    _TABLE.c.payload,
                    _TABLE.c.attempts,
                ),
                {"now": now, "until": now + lease},
            ).all()
        secret = self.ctx.secret
        messages = [
            QueuedMessage(r[0], r[1], Channel(r[2]), r[3], r[4], r[5], open_payload(secret, dict(r[6])), r[7])
            for r in rows
        ]
        return sorted(messages, key=lambda message: message.id)

    def move_address(self, channel: Channel, old: str, new: str) -> int:
        """Readdress every unsent message of ``channel`` from ``old`` to ``new`` (a Telegram group that became a
        supergroup has a new id); how many moved."""
        with self.ctx.connection() as connection:
            moved = connection.execute(
                update(_TABLE)
                .where(_TABLE.c.channel == channel.value, _TABLE.c.address == old, _TABLE.c.sent_at.is_(None))
                .values(address=new)
            )
            return int(moved.rowcount or 0)

    def mark_sending(self, message_id: int, *, worker: str) -> None:
        """Record that the message is being handed to the transport now (see the module docstring)."""
        with self.ctx.connection() as connection:
            connection.execute(
                update(_TABLE)
                .where(_TABLE.c.id == message_id, _TABLE.c.sent_at.is_(None))
                .values(claimed_by=(_SENDING + worker)[:128])
            )

    def mark_sent(self, message_id: int, *, worker: str) -> None:
        """Record that the message went out; a sealed message's content is dropped now (its row stays, as the
        record that it was sent and the key that stops a repeat)."""
        with self.ctx.connection() as connection:
            connection.execute(
                update(_TABLE)
                .where(_TABLE.c.id == message_id)
                .values(
                    sent_at=self.ctx.clock.now(),
                    claimed_by=worker,
                    claimed_until=None,
                    last_error=None,
                    payload=case(
                        (_TABLE.c.purpose.in_(sorted(SEALED_PURPOSES)), literal({}, _TABLE.c.payload.type)),
                        else_=_TABLE.c.payload,
                    ),
                    # the last word to an erased person: sent, their address goes too
                    address=case((_TABLE.c.purpose.in_(sorted(FORGOTTEN_PURPOSES)), ""), else_=_TABLE.c.address),
                )
            )

    def mark_failed(self, message_id: int, error: str, *, retry_after: timedelta | None = None) -> bool:
        """Release a message after a failed send; False when it was given up (too many attempts)."""
        now = self.ctx.clock.now()
        with self.ctx.connection() as connection:
            attempts = connection.execute(select(_TABLE.c.attempts).where(_TABLE.c.id == message_id)).scalar_one()
            attempts += 1
            gave_up = attempts >= MAX_ATTEMPTS
            delay = retry_after if retry_after is not None else timedelta(seconds=min(3600, 5 * 2**attempts))
            connection.execute(
                update(_TABLE)
                .where(_TABLE.c.id == message_id)
                .values(
                    attempts=attempts,
                    last_error=(GIVEN_UP if gave_up else "") + error[:2000],
                    claimed_by=None,
                    # A given-up message stays unsent but is never due again; its row is the record of why.
                    claimed_until=_FAR_FUTURE if gave_up else None,
                    not_before=now + delay,
                )
            )
            return not gave_up

    def stats(self, channel: Channel | None = None) -> OutboxStats:
        """Unsent messages, the oldest one's creation time, and how many were given up."""
        given_up_filter = _TABLE.c.last_error.is_not(None) & _TABLE.c.last_error.like(GIVEN_UP + "%")
        with self.ctx.connection() as connection:
            where = [_TABLE.c.sent_at.is_(None)]
            if channel is not None:
                where.append(_TABLE.c.channel == channel.value)
            unsent, oldest = connection.execute(
                select(func.count(), func.min(_TABLE.c.created_at)).where(
                    and_(*where), or_(_TABLE.c.last_error.is_(None), ~given_up_filter)
                )
            ).one()
            given_up = connection.execute(select(func.count()).where(and_(*where), given_up_filter)).scalar_one()
        return OutboxStats(int(unsent), oldest, int(given_up))
