"""Incoming mail as the channel needs it: addresses, ids, and the reply's own text.

:func:`parse_message` never raises on bad input: broken MIME, unknown charsets and odd headers are decoded as
well as can be, with a charset fallback chain (declared, UTF-8, Windows-1250, ISO-8859-2, Latin-1 — the last
always succeeds). Quoted-printable and base64 are the stdlib's work; RFC 2047 headers are decoded here with
the same fallbacks. HTML-only mail is turned into text; attachments are listed, never read; a message larger
than ``max_bytes`` keeps its headers only and is marked ``oversized``.

Poison is bounded before the stdlib sees it (its feed parser recurses once per nesting level, so a multipart
nested 3,000 deep raised ``RecursionError``): a message declaring more than :data:`MAX_MULTIPARTS` multipart
containers, nested deeper than :data:`MAX_DEPTH`, or with more than :data:`MAX_PARTS` parts keeps its headers
only and is marked ``complex`` (the processor answers a member that it could not be read, and reads nothing);
the text read from a body is cut at :data:`MAX_TEXT` characters.

The body's text is cleaned of control and bidi characters (:func:`bot.text.clean_text`) before it is trimmed:
a vertical tab would otherwise split a line in two for ``str.splitlines``.

``sender`` is the one From address, or empty when From names none or several (``From: a@x.pl,
evil@attacker.example`` authenticates nobody): ``senders`` lists them all.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from bot.text import clean_text
from mail.trim import trim_reply

__all__ = [
    "CHARSET_FALLBACKS",
    "MAX_DEPTH",
    "MAX_MULTIPARTS",
    "MAX_PARTS",
    "MAX_TEXT",
    "ParsedMail",
    "decode_bytes",
    "html_to_text",
    "message_hash",
    "parse_message",
]

CHARSET_FALLBACKS = ("utf-8", "cp1250", "iso-8859-2")
"""Tried in order after the declared charset; Latin-1 is the last resort (it decodes any byte)."""

_ID = re.compile(r"<([^<>\s]+)>")
MAX_MULTIPARTS = 40
"""Multipart containers a message may declare (real replies have 1–4; a forwarded thread a dozen)."""
MAX_DEPTH = 12
"""How deep parts may nest."""
MAX_PARTS = 200
"""How many parts a message may have in all."""
MAX_TEXT = 100_000
"""Characters of body text read (about 40 pages); the rest is not looked at."""
_MULTIPART = re.compile(rb"^content-type:[ \t]*multipart/", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ParsedMail:
    """What the channel reads from one message.

    ``text`` is the reply's own text (quotes and signature removed); ``attachments`` names the parts ignored;
    ``recipients`` are every To/Cc/Delivered-To/X-Original-To address (lower case), where a reply token hides.
    """

    message_id: str
    sender: str
    sender_name: str
    subject: str
    recipients: tuple[str, ...]
    in_reply_to: tuple[str, ...]
    text: str
    attachments: tuple[str, ...] = ()
    oversized: bool = False
    html_only: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    return_path: str | None = None
    content_type: str = "text/plain"
    size: int = 0
    senders: tuple[str, ...] = ()
    complex: bool = False
    authentication_results: tuple[str, ...] = ()
    report_type: str = ""


def message_hash(message_id: str) -> str:
    """The stored key of a Message-ID (SHA-256 hex of the id without brackets, lower-cased)."""
    return hashlib.sha256(message_id.strip().strip("<>").lower().encode()).hexdigest()


def decode_bytes(payload: bytes, declared: str | None) -> str:
    """``payload`` as text: the declared charset, then :data:`CHARSET_FALLBACKS`, then Latin-1."""
    for charset in (declared, *CHARSET_FALLBACKS):
        if not charset:
            continue
        try:
            return payload.decode(charset)
        except (LookupError, ValueError):  # unknown codec, undecodable bytes, a NUL in the charset name
            continue
    return payload.decode("latin-1")


class _TextExtractor(HTMLParser):
    """Visible text of an HTML body: white space collapsed as a browser does, line breaks for block elements and
    ``<br>``, and ``> `` at the start of every line inside a blockquote (or Gmail's / Yahoo's quote ``div``)."""

    _BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote", "hr", "pre"})
    _QUOTES = ("gmail_quote", "yahoo_quoted", "moz-cite", "divrplyfwdmsg")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.quote = 0
        self.pre = 0
        self.stack: list[bool] = []  # for each open div: did it open a quote?

    def _newline(self) -> None:
        self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
        if tag == "pre":
            self.pre += 1
        quoting = tag == "blockquote" or (
            tag == "div" and any(v and any(q in v.lower() for q in self._QUOTES) for _, v in attrs)
        )
        if tag == "div":
            self.stack.append(quoting)
        if quoting:
            self.quote += 1
        if tag in self._BLOCKS:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title") and self.skip:
            self.skip -= 1
        if tag == "pre" and self.pre:
            self.pre -= 1
        if tag == "blockquote" and self.quote:
            self.quote -= 1
        if tag == "div" and self.stack and self.stack.pop() and self.quote:
            self.quote -= 1
        if tag in self._BLOCKS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        lines = data.split("\n")
        for number, line in enumerate(lines):
            if number:
                self._newline()
            at_start = not self.parts or self.parts[-1].endswith("\n")
            if at_start:
                line = line.lstrip()
            if self.quote and at_start and line:
                line = "> " + line
            if line:
                self.parts.append(line)


def html_to_text(markup: str) -> str:
    """Visible text of ``markup``; quoted blocks (``<blockquote>``, Gmail's quote) are prefixed with ``>``."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except Exception:
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    return decode_bytes(payload, part.get_content_charset())


def _decode_header(value: object) -> str:
    """An RFC 2047 header value as text (unknown charsets through the fallback chain)."""
    text = str(value)
    if "=?" not in text:
        return text
    try:
        parts = decode_header(text)
    except Exception:  # a malformed encoded word is shown as it came
        return text
    return "".join(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in parts)


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    return " ".join(_decode_header(value).split())


def _all_headers(message: Message, name: str) -> list[str]:
    return [_decode_header(value) for value in message.get_all(name) or []]


class _TooComplex(Exception):
    """The message nests deeper or has more parts than the limits allow."""


def _leaves(message: Message) -> list[Message]:
    """The non-multipart parts of ``message`` in order, walked without recursion and within the limits."""
    leaves: list[Message] = []
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH or seen > MAX_PARTS:
            raise _TooComplex
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in reversed(children) if isinstance(child, Message))
            continue
        leaves.append(part)
    return leaves


def _body(message: Message) -> tuple[str, tuple[str, ...], bool]:
    """(text, attachment names, html_only) of ``message``: the first text/plain part, else the first HTML."""
    plain: str | None = None
    markup: str | None = None
    attachments: list[str] = []
    for part in _leaves(message):
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and not content_type.startswith("text/")):
            attachments.append(_decode_header(filename or content_type))
            continue
        if content_type == "text/plain" and plain is None:
            plain = _part_text(part)
        elif content_type == "text/html" and markup is None:
            markup = _part_text(part)
        elif content_type == "message/rfc822" or not content_type.startswith(("text/", "multipart/")):
            attachments.append(_decode_header(filename or content_type))
    if plain is not None and plain.strip():
        return plain[:MAX_TEXT], tuple(attachments), False
    if markup is not None:
        return html_to_text(markup[: MAX_TEXT * 4])[:MAX_TEXT], tuple(attachments), True
    return (plain or "")[:MAX_TEXT], tuple(attachments), False


def _report_type(message: Message) -> str:
    """``report-type`` of a ``multipart/report`` (``delivery-status``, ``feedback-report`` …), lower case."""
    if message.get_content_type() != "multipart/report":
        return ""
    value = message.get_param("report-type")
    if isinstance(value, tuple):  # an RFC 2231 encoded parameter
        value = value[2]
    return str(value or "").strip().lower()


def _head_only(raw: bytes) -> bytes:
    """The header section of ``raw`` (the body is never decoded)."""
    head, _, _ = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw[:200_000] else raw.partition(b"\n\n")
    return head[:200_000] + b"\r\n\r\n"


def parse_message(raw: bytes, *, max_bytes: int = 1_000_000) -> ParsedMail:
    """Parse ``raw`` (RFC 5322 bytes). Never raises; see the module docstring."""
    size = len(raw)
    oversized = size > max_bytes
    # Counted before the stdlib parses: its parser recurses once per nesting level.
    complex_ = not oversized and len(_MULTIPART.findall(raw)) > MAX_MULTIPARTS
    if oversized or complex_:
        # Headers only: never decode a 20 MB body to find out it is an attachment.
        raw = _head_only(raw)
    # compat32 rather than the modern policy: the header registry costs more than everything else here, and we
    # decode the few headers we read ourselves (RFC 2047 with the same charset fallbacks as bodies).
    try:
        message: Message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except RecursionError:  # nested deeper than Python's stack, below the count above: headers only
        complex_ = True
        message = email.message_from_bytes(_head_only(raw), policy=email.policy.compat32)
    senders = tuple(
        dict.fromkeys(address.lower() for _, address in getaddresses(_all_headers(message, "From")) if address)
    )
    sender_name, sender = parseaddr(_header(message, "From"))
    if len(senders) != 1:
        sender = ""  # none or several: nobody is authenticated, nobody is answered on the From's word
    recipients: list[str] = []
    for name in ("Delivered-To", "X-Original-To", "To", "Cc", "Envelope-To"):
        for _, address in getaddresses(_all_headers(message, name)):
            if address and address.lower() not in recipients:
                recipients.append(address.lower())
    in_reply_to = tuple(
        dict.fromkeys(_ID.findall(_header(message, "In-Reply-To") + " " + _header(message, "References")))
    )
    message_id = _header(message, "Message-ID").strip()
    if not message_id:
        # No Message-ID: derive a stable one from the content, so a re-fetch is still recognised.
        message_id = f"<sha256.{hashlib.sha256(raw).hexdigest()}@missing>"
    try:
        text, attachments, html_only = ("", (), False) if oversized or complex_ else _body(message)
    except (_TooComplex, RecursionError):
        text, attachments, html_only, complex_ = "", (), False, True
    except Exception:  # MIME broken beyond the stdlib's tolerance: treat as an empty reply, which is answered
        text, attachments, html_only = "", (), False
    return_path = None
    if "Return-Path" in message:
        return_path = parseaddr(_header(message, "Return-Path"))[1] or ""
    headers = {
        name.lower(): _header(message, name)
        for name in (
            "Auto-Submitted",
            "X-Autoreply",
            "X-Autorespond",
            "Precedence",
            "X-Precedence",
            "X-Auto-Response-Suppress",
            "List-Id",
            "X-Loop",
            "X-Failed-Recipients",
            "Authentication-Results",
            "List-Unsubscribe",
            "List-Post",
            "X-Mailman-Version",
            "X-Mailman-Rule-Hits",
            "Sender",
            "X-Google-Group-Id",
            "X-Sympa-Version",
            "Feedback-Type",
            "X-Cr-Hashedpuzzle",
            "X-Challenge",
            "X-Bounce-Type",
            "X-Ms-Exchange-Generated-Message-Source",
        )
        if name in message
    }
    return ParsedMail(
        message_id=message_id,
        sender=sender.lower() if sender else "",
        sender_name=sender_name,
        subject=_header(message, "Subject"),
        recipients=tuple(recipients),
        in_reply_to=in_reply_to,
        text=trim_reply(clean_text(text)),  # a vertical tab is a line break to str.splitlines: cleaned first
        attachments=attachments,
        oversized=oversized,
        html_only=html_only,
        headers=headers,
        return_path=return_path,
        content_type=message.get_content_type(),
        size=size,
        senders=senders,
        complex=complex_,
        authentication_results=tuple(" ".join(v.split()) for v in _all_headers(message, "Authentication-Results")),
        report_type=_report_type(message),
    )
