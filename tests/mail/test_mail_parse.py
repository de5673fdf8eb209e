"""Parsing details a member would notice: decoded subjects and names, HTML turned into text, quotes and
signatures cut in every client style, automatic mail recognised (and ordinary Outlook mail not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail.auto import automatic_reason
from mail.parse import html_to_text, parse_message
from mail.trim import trim_reply

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.mark.parametrize(
    ("name", "subject"),
    [
        ("03-outlook-pl-cp1250-qp.eml", "Odp: Zaproszenie do udziału"),
        ("08-onet-iso8859-2-qp.eml", "Re: Zaproszenie do udziału"),
        ("09-wp-base64.eml", "Re: Zaproszenie do udziału"),
        ("25-autoreply-pl.eml", "Odpowiedź automatyczna: Zaproszenie"),
    ],
)
def test_rfc2047_subjects_are_decoded(name: str, subject: str) -> None:
    assert parse_message((CORPUS / name).read_bytes()).subject == subject


def test_html_becomes_text_and_quotes_are_marked() -> None:
    text = html_to_text("<p>uchwala1: TAK</p><blockquote><p>cytat</p></blockquote><style>p{}</style>")
    assert text.splitlines()[0] == "uchwala1: TAK"
    assert "> cytat" in text and "p{}" not in text


@pytest.mark.parametrize(
    "reply",
    [
        "TAK\n\nW dniu 14.04.2027 o 10:00, Głos pisze:\n> cytat",
        "TAK\n\nDnia 14 kwietnia 2027 10:00 Głos <glos@x.pl> napisał(a):\n\ncytat bez znaków",
        "TAK\n\n-----Oryginalna wiadomość-----\nOd: Głos\nWysłano: środa\nDo: Jan\nTemat: Zaproszenie\n\ncytat",
        "TAK\n\nOd: Głos <glos@x.pl>\nDo: jan@x.pl\nWysłane: 14 kwietnia 2027\nTemat: x\n\ncytat",
        "TAK\n\nWysłane z aplikacji Poczta dla Windows\n\ncytat",
        "TAK\n\n-- \nJan Kowalski\nPrezes",
        "TAK\n\nZ poważaniem\nJan Kowalski",
        "On Wed, Apr 14, 2027 at 10:00 AM Głos <\nglos+x@glos.example.org> wrote:\n> cytat\n\nTAK\n",
        "> cytat\n> więcej\nTAK\n> i jeszcze",
    ],
)
def test_only_the_members_own_words_remain(reply: str) -> None:
    assert trim_reply(reply) == "TAK"


def test_outlook_suppression_header_alone_is_not_an_auto_reply() -> None:
    mail = parse_message((CORPUS / "04-outlook-en-header-block.eml").read_bytes())
    assert mail.headers.get("x-auto-response-suppress") == "All"
    assert automatic_reason(mail, ("glos@glos.example.org",)) is None


def test_a_20_mb_message_is_not_read() -> None:
    head = b"From: jan@example.pl\r\nTo: glos@glos.example.org\r\nMessage-ID: <big@x>\r\nSubject: duzy\r\n\r\n"
    mail = parse_message(head + b"A" * 20_000_000, max_bytes=1_000_000)
    assert mail.oversized and mail.text == "" and mail.subject == "duzy"


def test_a_nul_in_the_charset_name_falls_back_instead_of_crashing() -> None:
    """Found by the fuzz test: ``bytes.decode("utf-8\\x00")`` raises ValueError, not LookupError."""
    raw = b"From: a@example.pl\r\nContent-Type: text/plain; charset=utf-8\x00\r\n\r\nuchwala1: TAK\r\n"
    assert parse_message(raw).text == "uchwala1: TAK"
