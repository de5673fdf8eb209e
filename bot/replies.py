"""The reply vocabulary: what the core answers and every channel renders — text, rows of buttons, a document.

This is the ground floor: it imports nothing of Głos, so services (the outbox), the scheduler, views, commands
and every adapter can speak it without depending on each other. The core returns replies; adapters send them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Button", "Document", "Reply"]


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
class Reply:
    """One message back to the caller: text, optional rows of buttons, an optional document."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    document: Document | None = None
