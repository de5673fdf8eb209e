"""Dialogue state that must survive a restart: the process a person is currently talking about, and
whatever a channel needs to remember between two messages (a half-filled basket, a pending step)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.domain import Channel
from bot.services.context import ServiceContext
from storage.models import DialogueState

__all__ = ["DialogueService"]


class DialogueService:
    """Reads and writes one JSON state per (person, channel)."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def get(self, person_id: int, channel: Channel) -> dict[str, Any]:
        """The stored state, or an empty dict."""
        with self.ctx.transaction() as session:
            row = session.exec(
                select(DialogueState).where(DialogueState.person_id == person_id, DialogueState.channel == channel)
            ).first()
            return dict(row.state) if row is not None else {}

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
