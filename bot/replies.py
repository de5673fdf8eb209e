"""The reply vocabulary: what the core answers and every channel renders — text, rows of buttons, a document.

This is the ground floor: it imports nothing of Głos, so services (the outbox), the scheduler, views, commands
and every adapter can speak it without depending on each other. The core returns replies; adapters send them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["Button", "Document", "Reply", "Said", "Wording", "said"]


@dataclass(frozen=True)
class Button:
    """An inline choice. ``command`` is the command line the button sends when pressed.

    A ``link`` button leads to the private conversation with the bot instead, starting it with ``command``
    (``/start SLUG``): it is how a card posted in a group, where nothing is cast, brings people to vote. Telegram
    shows it as a deep link (``https://t.me/<bot>?start=SLUG``); channels without links show the command.
    """

    label: str
    command: str
    link: bool = False


@dataclass(frozen=True)
class Document:
    """A file sent with a reply (an export, a report)."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Said:
    """The message a reply's text was worded from: its message id and parameters — the decision, not its words.

    ``text`` is the chat's wording, which may name a slash command (``/receipt SLUG CODE``). A channel that
    speaks differently words the same decision its own way from ``key`` and ``params``: an e-mail reply says
    which line to write (``district: NAME``) where chat names ``/district`` (see ``mail/confirm.py``).
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """One message back to the caller: text, optional rows of buttons, an optional document.

    ``said`` is the message the text was worded from, when the reply states a decision (a vote recorded, an
    opinion accepted, a refusal); a view (a process described, results) has none. ``refused`` marks the answer
    to a refused command (a typed core error): nothing the command was asked for was done.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: Document | None = None
    said: Said | None = None
    refused: bool = False


class Wording(Protocol):
    """Words a message id with parameters (``bot.i18n.Translator``; this floor imports nothing of Głos)."""

    def __call__(self, key: str, **params: Any) -> str: ...


def said(t: Wording, key: str, /, **params: Any) -> Reply:
    """A reply stating a decision: the text ``t`` words from ``key`` and ``params``, and the message itself, so
    that a channel with its own words can word it again."""
    return Reply(t(key, **params), said=Said(key, dict(params)))
