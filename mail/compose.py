"""Outgoing mail: Jinja2 templates (plain text + HTML, Polish and English) and the MIME message built from an
outbox payload.

An e-mail outbox payload is JSON: ``subject``, ``text``, ``html`` and ``headers`` (Message-ID, In-Reply-To,
References, Reply-To, Auto-Submitted, List-Unsubscribe …). It is rendered when queued, so the Message-ID is
ours and fixed: a message re-sent after a crash keeps its id and the recipient's client shows it once.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.i18n import Translator

__all__ = ["build_message", "render"]


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,  # block tags sit on lines of their own in the text templates
        lstrip_blocks=True,
    )


def render(name: str, t: Translator, **context: Any) -> tuple[str, str]:
    """(plain text, HTML) of template ``name`` (``invitation``, ``confirmation``, ``notice``) in ``t``'s language."""
    env = _environment()
    values = {"t": t, "language": t.language, **context}
    text = env.get_template(f"{name}.txt.j2").render(values)
    html = env.get_template(f"{name}.html.j2").render(values)
    return text, html


def build_message(payload: dict[str, Any], *, sender: str, recipient: str) -> EmailMessage:
    """The MIME message (multipart/alternative: text, then HTML) for an outbox ``payload``."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = str(payload.get("subject", ""))
    message["Date"] = formatdate(localtime=False)
    headers = {name: str(value) for name, value in dict(payload.get("headers", {})).items() if value}
    for name, value in headers.items():
        if not name.lower().startswith("content-"):
            message[name] = value
    message.set_content(str(payload.get("text", "")), cte="quoted-printable")
    if payload.get("html"):
        message.add_alternative(str(payload["html"]), subtype="html", cte="quoted-printable")
    # set_content drops every Content-* header set before it (Content-Language among them): they go on last
    for name, value in headers.items():
        if name.lower().startswith("content-"):
            message[name] = value
    return message
