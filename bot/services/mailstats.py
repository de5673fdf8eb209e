"""What became of incoming e-mail, read from the store for ``/metrics`` and ``/status``.

The e-mail adapter records each message's ``outcome`` (accepted, not_understood, refused, oversized, automatic,
quarantined) and a short ``detail`` (the kind of automatic mail, the reason of a refusal or of a quarantine) in
``mail_message``; this module only reads them, so that the web app and the moderator commands never import the
adapter. Counted from the store, the figures are the same whichever worker answers and survive restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.services.context import ServiceContext
from storage.models import MailMessage

__all__ = ["Quarantined", "mail_counts", "quarantined"]

_MESSAGES = MailMessage.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Quarantined:
    """A message set aside: when, its Message-ID (as it came), and why."""

    at: datetime
    message_id: str
    reason: str


def mail_counts(context: ServiceContext) -> dict[tuple[str, str], int]:
    """Messages per (outcome, detail); detail is ``""`` where none was recorded."""
    statement = select(_MESSAGES.c.outcome, _MESSAGES.c.detail, func.count()).group_by(
        _MESSAGES.c.outcome, _MESSAGES.c.detail
    )
    with context.reading() as connection:
        return {(outcome, detail or ""): int(count) for outcome, detail, count in connection.execute(statement)}


def quarantined(context: ServiceContext, limit: int = 5) -> tuple[int, list[Quarantined]]:
    """How many messages are in quarantine, and the latest ``limit`` of them."""
    where = _MESSAGES.c.outcome == "quarantined"
    with context.reading() as connection:
        total = int(connection.execute(select(func.count()).where(where)).scalar_one())
        rows = connection.execute(
            select(_MESSAGES.c.received_at, _MESSAGES.c.message_id, _MESSAGES.c.detail)
            .where(where)
            .order_by(_MESSAGES.c.received_at.desc(), _MESSAGES.c.id.desc())
            .limit(limit)
        ).all()
    return total, [Quarantined(row[0], row[1], row[2] or "") for row in rows]
