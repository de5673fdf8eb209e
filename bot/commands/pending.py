"""A pending step: a command that asked a question and waits for the answer as plain text.

A guided flow (the poll wizard) asks one thing at a time. While it waits, the person's dialogue state in the
store holds ``pending`` = ``{"command": NAME, "flow": ID, "step": STEP, "data": {...}}``, so the question
survives a restart of the bot. :func:`bot.commands.dispatch.dispatch` hands text that is not a command to the
waiting command's ``on_text`` handler (:func:`waiting_command`), after the same role check as the command
itself; other commands keep working meanwhile. ``/anuluj`` (``/cancel``) forgets the pending step.

``flow`` is a short random id of one run of a flow: buttons carry it with their step, so a button left over
from an earlier run or step is recognised as stale instead of answering the current question.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.commands.base import Caller, Command, Invocation
from bot.commands.table import CommandTable
from bot.replies import Reply
from bot.services import Services

__all__ = ["STATE_KEY", "Pending", "cmd_cancel", "forget", "new_flow_id", "pending", "wait_for", "waiting_command"]

STATE_KEY = "pending"


@dataclass(frozen=True)
class Pending:
    """The step a command waits on: which command, which run of its flow, which step, what was gathered."""

    command: str
    flow: str
    step: str
    data: dict[str, Any]


def new_flow_id() -> str:
    """A short random id for one run of a flow (six hex digits, carried by its buttons)."""
    return secrets.token_hex(3)


def pending(services: Services, caller: Caller) -> Pending | None:
    """The caller's pending step, or None (a malformed stored value counts as none)."""
    stored = services.dialogue.get(caller.person_id, caller.channel).get(STATE_KEY)
    if not isinstance(stored, dict):
        return None
    command, flow, step, data = (stored.get(name) for name in ("command", "flow", "step", "data"))
    if not (isinstance(command, str) and isinstance(flow, str) and isinstance(step, str) and isinstance(data, dict)):
        return None
    return Pending(command, flow, step, data)


def wait_for(services: Services, caller: Caller, step: Pending) -> None:
    """Remember that ``step.command`` now waits for the caller's answer to ``step.step``."""
    value = {"command": step.command, "flow": step.flow, "step": step.step, "data": step.data}
    services.dialogue.update(caller.person_id, caller.channel, **{STATE_KEY: value})


def forget(services: Services, caller: Caller) -> None:
    """No step is pending any more."""
    services.dialogue.update(caller.person_id, caller.channel, **{STATE_KEY: None})


def waiting_command(table: CommandTable, services: Services, caller: Caller) -> Command | None:
    """The command whose ``on_text`` should get the caller's plain text now, or None."""
    step = pending(services, caller)
    if step is None:
        return None
    command = table.find(step.command)
    return command if command is not None and command.on_text is not None else None


def cmd_cancel(inv: Invocation) -> Sequence[Reply]:
    """``/anuluj``: abandon the flow in progress (nothing it gathered is kept)."""
    if pending(inv.services, inv.caller) is None:
        return [Reply(inv.t("flows.cancel.nothing"))]
    forget(inv.services, inv.caller)
    return [Reply(inv.t("flows.cancel.done"))]
