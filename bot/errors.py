"""Typed errors of the core. Each carries a message key and its parameters; the edge translates them.

The tree, written out once::

    GlosError                    anything the core refuses, with ``key`` (a catalogue message id) and ``params``
    ├── NotFound                 an unknown process, item, opinion, person …
    ├── NotAllowed               the caller lacks the role (moderator commands from a resident …)
    ├── NotEligible              the person may not take part in this process
    ├── WrongPhase               e.g. a vote after closing, opening a published process
    ├── BallotError              the ballot breaks the pool's ballot rule (``bot.ballot_rules``)
    ├── DefinitionError          a process definition (TOML) is invalid; ``params`` name the line and key
    ├── InputError               a command's arguments could not be understood
    └── PabulibError             a malformed ``.pb`` file or an unsupported rule

Channels catch :class:`GlosError` and answer ``translate(err.key, **err.params)``; anything else is logged with
its traceback and answered with the generic ``error.internal`` sentence. A user never sees a traceback.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BallotError",
    "DefinitionError",
    "GlosError",
    "InputError",
    "NotAllowed",
    "NotEligible",
    "NotFound",
    "PabulibError",
    "WrongPhase",
]


class GlosError(Exception):
    """A refusal with a message key (``key``) and its format parameters (``params``)."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key, params)
        self.key = key
        self.params: dict[str, Any] = params

    def __str__(self) -> str:
        if not self.params:
            return self.key
        details = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"{self.key} ({details})"


class NotFound(GlosError):
    """Something named by the caller does not exist."""


class NotAllowed(GlosError):
    """The caller's role does not allow this."""


class NotEligible(GlosError):
    """The person is not eligible to take part in the process."""


class WrongPhase(GlosError):
    """The process is not in a phase that allows this."""


class BallotError(GlosError):
    """The ballot is invalid under the pool's ballot rule."""


class DefinitionError(GlosError):
    """A process definition is invalid."""


class InputError(GlosError):
    """A command's arguments could not be understood."""


class PabulibError(GlosError):
    """A pabulib file is malformed or asks for a rule we do not support."""
