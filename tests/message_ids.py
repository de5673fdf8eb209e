"""The message ids the code builds at run time from an enum member or a command, shared by the catalogue tests."""

from __future__ import annotations

from enum import StrEnum

from bot.commands.registry import COMMANDS
from bot.counting.outcome import Reason
from bot.domain import (
    BallotRuleKind,
    Channel,
    CountingRuleKind,
    ModerationStatus,
    OrganisationKind,
    Phase,
    ProcessKind,
    ResponseStatus,
    ResultsVisibility,
)

__all__ = ["built_ids"]

_FAMILIES: list[tuple[str, type[StrEnum]]] = [
    ("phase.", Phase),
    ("process.kind.", ProcessKind),
    ("process.how.", ProcessKind),
    ("moderation.", ModerationStatus),
    ("response.", ResponseStatus),
    ("channel.", Channel),
    ("rule.", BallotRuleKind),
    ("counting.reason.", Reason),
    ("counting.rule.", CountingRuleKind),
    ("flows.poll.visibility.", ResultsVisibility),
    ("organisation.kind.", OrganisationKind),
    ("web.org.group.", OrganisationKind),
]


def built_ids() -> set[str]:
    """Each member of each enum family with its prefix, and every command's summary and usage."""
    keys = {prefix + member.value for prefix, enum in _FAMILIES for member in enum}
    for command in COMMANDS:
        keys |= {command.summary, command.usage}
    return keys
