"""The e-mail channel's record of the messages it took in: each Message-ID once, with its outcome.

The mail processor claims a message (:meth:`MailLog.claim`) in the unit of work that applies it, so a message
is applied at most once even when it is read again after a crash; a message seen before answers with its stored
outcome. Only hashes of Message-IDs are keyed (:func:`mail.parse.message_hash` makes them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.services.context import ServiceContext
from storage.models import MailMessage

__all__ = ["MailLog"]

_MESSAGES = MailMessage.__table__  # type: ignore[attr-defined]
# Built once: building statements costs more than running them on SQLite (as in bot/services/voting.py).
_CLAIM = {
    flag: builder(_MESSAGES).on_conflict_do_nothing(index_elements=["message_hash"]).returning(_MESSAGES.c.id)
    for flag, builder in ((False, sqlite.insert), (True, postgresql.insert))
}
_OUTCOME = (
    _MESSAGES.update()
    .where(_MESSAGES.c.message_hash == bindparam("hash"))
    .values(
        outcome=bindparam("kind"),
        detail=bindparam("detail"),
        person_id=bindparam("person"),
        process_id=bindparam("process"),
    )
)
_STORED = select(_MESSAGES.c.outcome).where(_MESSAGES.c.message_hash == bindparam("hash"))


class MailLog:
    """Claims and outcomes of incoming messages, on the caller's unit of work."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def claim(self, message_hash: str, message_id: str, now: datetime) -> bool:
        """Record the message as being handled; False when its Message-ID was seen before."""
        values = {
            "message_hash": message_hash,
            "message_id": message_id[:255],
            "received_at": now,
            "outcome": "pending",
        }
        with self.ctx.connection() as connection:
            return connection.execute(_CLAIM[connection.dialect.name == "postgresql"], values).first() is not None

    def stored_outcome(self, message_hash: str) -> str:
        """The outcome recorded for a message seen before."""
        with self.ctx.connection() as connection:
            return str(connection.execute(_STORED, {"hash": message_hash}).scalar_one())

    def record(
        self, message_hash: str, kind: str, detail: str | None, person_id: int | None, process_id: int | None
    ) -> None:
        """What became of the claimed message, and whose it was."""
        values = {"hash": message_hash, "kind": kind, "detail": detail, "person": person_id, "process": process_id}
        with self.ctx.connection() as connection:
            connection.execute(_OUTCOME, values)

    def quarantined(self, message_hash: str, message_id: str, now: datetime, reason: str) -> None:
        """Record that a message was set aside (outcome ``quarantined``, ``reason`` as its detail); a row of the
        same key already there stays as it is."""
        with self.ctx.connection() as connection:
            if connection.execute(select(_MESSAGES.c.id).where(_MESSAGES.c.message_hash == message_hash)).first():
                return
            connection.execute(
                insert(_MESSAGES).values(
                    message_hash=message_hash,
                    message_id=message_id[:255],
                    received_at=now,
                    outcome="quarantined",
                    detail=reason[:64],
                )
            )
