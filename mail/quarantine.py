"""Poison never stalls the channel: a message whose handling fails is set aside once, with its reason.

The intake calls :func:`is_transient` on the error a message raised. A transient one (the database or the
network went away) leaves the message where it is, to be read again when the store is back — nothing of it was
kept. Any other error is the message's own fault (or a bug it triggers): it would fail again every round, so
the intake moves it to the quarantine folder (IMAP folder or Maildir++ sub-folder) as :func:`annotate` makes it
— the original bytes under an ``X-Glos-Quarantine`` header naming the reason — and :func:`record` writes a
``mail_message`` row with outcome ``quarantined`` (counted in ``/metrics``, listed to moderators in
``/status``). A moderator reads it there, and may move it back to the inbox once the bug is fixed: the
quarantine row is keyed apart from the message's own (``quarantine:`` + its Message-ID), so it is then read as
new.
"""

from __future__ import annotations

import hashlib
import re

from bot.services import ServiceContext
from bot.services.mailbox import MailLog
from bot.services.unit import is_transient
from mail.parse import message_hash

__all__ = ["HEADER", "annotate", "is_transient", "reason_of", "record"]

HEADER = "X-Glos-Quarantine"
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^<>\r\n]{1,250}>)", re.IGNORECASE | re.MULTILINE)


def reason_of(error: BaseException) -> str:
    """A one-line reason: the error's type and the start of its message."""
    text = " ".join(str(error).split())[:150]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _message_id(raw: bytes) -> str:
    # the message could not be handled, so it is not parsed again: its first Message-ID header, else its hash
    head = raw[:100_000].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = _MESSAGE_ID.search(head)
    if match:
        return match.group(1).decode("ascii", "replace")
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@missing>"


def annotate(raw: bytes, reason: str) -> bytes:
    """``raw`` with an ``X-Glos-Quarantine`` header on top naming ``reason`` (ASCII, one line)."""
    clean = reason.encode("ascii", "replace").replace(b"\r", b" ").replace(b"\n", b" ")[:200]
    newline = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    return HEADER.encode() + b": " + clean + newline + raw


def record(context: ServiceContext, raw: bytes, reason: str) -> None:
    """Remember that ``raw`` was quarantined (a unit of its own; a row of its Message-ID already there stays)."""
    message_id = _message_id(raw)
    with context.unit():
        MailLog(context).quarantined(message_hash("quarantine:" + message_id), message_id, context.clock.now(), reason)
