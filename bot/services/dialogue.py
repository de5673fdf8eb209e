"""Dialogue state that must survive a restart: the process a person is currently talking about, and
whatever a channel needs to remember between two messages (a half-filled basket, a pending step)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import col, select

from bot.domain import Channel
from bot.services.context import ServiceContext
from storage.models import DialogueState

__all__ = ["DialogueService"]

_STATE_QUERY = select(DialogueState.state).where(
    col(DialogueState.person_id) == bindparam("person"), col(DialogueState.channel) == bindparam("channel")
)


class DialogueService:
    """Reads and writes one JSON state per (person, channel)."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def get(self, person_id: int, channel: Channel) -> dict[str, Any]:
        """The stored state, or an empty dict (a read: no write lock). Read once per unit of work until the unit
        writes (a dispatch asks whether a step is pending, then the step reads it again)."""
        key = ("dialogue", person_id, channel)
        with self.ctx.reading() as connection:
            seen = self.ctx.seen()
            if key not in seen:
                stored = connection.execute(_STATE_QUERY, {"person": person_id, "channel": channel}).scalar()
                seen[key] = dict(stored) if stored is not None else {}
            return copy.deepcopy(seen[key])  # a caller may change what it got: the unit's copy stays as read

    def remember(self, person_id: int, channel: Channel, **values: Any) -> None:
        """Like :meth:`update`, but writes only when a value differs from the stored one.

        Commands remember the process they name on every call; the write (and its commit) is skipped when
        the person keeps talking about the same process, which is nearly always.
        """
        current = self.get(person_id, channel)
        if all(current.get(key) == value for key, value in values.items()):
            return
        self.update(person_id, channel, **values)

    def update(self, person_id: int, channel: Channel, **changes: Any) -> dict[str, Any]:
        """Merge ``changes`` into the state (a None value removes the key); returns the new state."""
        with self.ctx.transaction() as session:
            row = session.exec(
                select(DialogueState).where(DialogueState.person_id == person_id, DialogueState.channel == channel)
            ).first()
            if row is None:
                row = DialogueState(person_id=person_id, channel=channel, state={}, updated_at=self.ctx.clock.now())
            state = dict(row.state)
            for key, value in changes.items():
                if value is None:
                    state.pop(key, None)
                else:
                    state[key] = value
            row.state = state
            row.updated_at = self.ctx.clock.now()
            session.add(row)
            return state
