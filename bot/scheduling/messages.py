"""Outbox payloads for a recipient's channel: a chat reply (text and buttons) or an e-mail (subject, plain text
and HTML). E-mail has no buttons: the commands they would send are written out in the text instead. Both formats
are the outbox's (:func:`bot.services.outbox.reply_payload`, :func:`bot.services.outbox.mail_payload`): this
module only chooses one and renders the HTML."""

from __future__ import annotations

from typing import Any

from bot.domain import Channel
from bot.replies import Button, Reply
from bot.services.outbox import mail_payload, reply_payload
from bot.summaries.html import text_to_html

__all__ = ["payload_for", "scheduled_command"]

# The commands behind the buttons of messages the scheduler sends, as the command table names them in each
# language (the scheduler sits below the command table, so it cannot ask it; tests/scheduler compare the two).
_ALIASES = {"proces": "process", "nie_przypominaj": "dont_remind"}


def scheduled_command(name: str, language: str) -> str:
    """``/proces`` in Polish, ``/process`` in English and Ukrainian, for a command named in :data:`_ALIASES`."""
    return "/" + (name if language == "pl" else _ALIASES[name])


def payload_for(
    channel: Channel,
    *,
    subject: str,
    text: str,
    buttons: tuple[tuple[Button, ...], ...] = (),
    email_footer: str = "",
    language: str | None = None,
) -> dict[str, Any]:
    """The outbox payload of one message on ``channel`` (an e-mail says which ``language`` it is written in)."""
    if channel is Channel.EMAIL:
        body = f"{text}\n\n{email_footer}".strip() if email_footer else text
        return mail_payload(subject, body, text_to_html(body, title=subject), language=language)
    return reply_payload(Reply(text, buttons))
