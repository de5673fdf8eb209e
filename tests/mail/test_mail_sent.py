"""We know what we sent (mail.sent): whatever the quote header — here in languages no rule knows (Hungarian,
Finnish, Turkish, Lithuanian, Estonian Outlook blocks) — a line that repeats our invitation or confirmation, even
re-wrapped, unprefixed or turned from HTML into text, is never read as a vote, a comment or STOP."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from bot.domain import Answer
from mail.parse import html_to_text
from mail.trim import trim_reply

JAN = "jan.kowalski@example.pl"
ANNA = "anna.nowak@fundacja.org.pl"
UNFORESEEN = {
    "hu": "Feladó: glos@glos.example.org\nElküldve: 2027. április 14. 12:00\nCímzett: {to}\nTárgy: Zaproszenie",
    "fi": "Lähettäjä: glos@glos.example.org\nLähetetty: keskiviikko 14. huhtikuuta 2027 12.00\nVastaanottaja: {to}\n"
    "Aihe: Zaproszenie",
    "tr": "Kimden: glos@glos.example.org\nGönderildi: 14 Nisan 2027 Çarşamba 12:00\nKime: {to}\nKonu: Zaproszenie",
    "lt": "Nuo: glos@glos.example.org\nIšsiųsta: 2027 m. balandžio 14 d. 12:00\nKam: {to}\nTema: Zaproszenie",
    "et": "Saatja: glos@glos.example.org\nSaadetud: 14. aprill 2027 12:00\nAdressaat: {to}\nTeema: Zaproszenie",
}


def _invitation(room: Any, slug: str, address: str) -> tuple[str, str]:
    [row] = [r for r in room.outbox("mail.invitation") if r.address == address and f":{slug}:" in r.key]
    return row.payload["text"], row.payload["html"]


def _record(room: Any, slug: str) -> tuple[Any, list[str]]:
    ballot = room.services.voting.current_ballot(slug, room.person(JAN)) if slug == "walne-2027" else None
    return ballot, [opinion.text for opinion in room.services.opinions.list(slug)]


@pytest.mark.parametrize("language", sorted(UNFORESEEN))
def test_a_reply_that_is_only_a_quote_under_an_unknown_header_records_nothing(mailroom: Any, language: str) -> None:
    for slug, address in (("walne-2027", JAN), ("program-wspolpracy-2027", ANNA)):
        text, _ = _invitation(mailroom, slug, address)
        body = "\n\n" + UNFORESEEN[language].format(to=address) + "\n\n" + text
        assert trim_reply(body) != "", "no rule knows this header: only what we sent can catch it"
        outcome = mailroom.processor.process(mailroom.reply(body, sender=address, slug=slug))
        assert outcome.kind == "not_understood", (language, slug)
    assert _record(mailroom, "walne-2027") == (None, [])
    assert _record(mailroom, "program-wspolpracy-2027") == (None, [])


def test_a_rewrapped_unprefixed_quote_keeps_only_the_members_comment(mailroom: Any) -> None:
    text, _ = _invitation(mailroom, "program-wspolpracy-2027", ANNA)
    rewrapped = "\n".join(textwrap.fill(line, 58) if line else "" for line in text.splitlines())
    body = "§5: Proszę dodać regranting.\n\n" + UNFORESEEN["fi"].format(to=ANNA) + "\n\n" + rewrapped
    outcome = mailroom.processor.process(mailroom.reply(body, sender=ANNA, slug="program-wspolpracy-2027"))
    assert outcome.kind == "accepted"
    opinions = mailroom.services.opinions.list("program-wspolpracy-2027")
    assert [(o.section, o.text) for o in opinions] == [("s5", "Proszę dodać regranting.")]


def test_a_quote_of_our_html_turned_into_text_is_not_read(mailroom: Any) -> None:
    _, html = _invitation(mailroom, "walne-2027", JAN)
    body = "uchwala1: NIE\nuchwala2: NIE\nuchwala3: NIE\n\n" + UNFORESEEN["tr"].format(to=JAN) + "\n\n"
    body += html_to_text(html).replace("> ", "")
    assert mailroom.processor.process(mailroom.reply(body)).kind == "accepted"
    ballot, opinions = _record(mailroom, "walne-2027")
    assert ballot == {"main": {"uchwala1": Answer.NO, "uchwala2": Answer.NO, "uchwala3": Answer.NO}}
    assert opinions == []


def test_the_members_own_line_equal_to_our_example_is_still_a_vote(mailroom: Any) -> None:
    """The invitation's example is „uchwala1: TAK”; a member writing exactly that, alone, is voting."""
    mailroom.processor.process(mailroom.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK"))
    ballot, _ = _record(mailroom, "walne-2027")
    assert ballot == {"main": {"uchwala1": Answer.YES, "uchwala2": Answer.YES, "uchwala3": Answer.YES}}


def test_a_confirmation_quoted_back_without_prefix_adds_nothing(mailroom: Any) -> None:
    first = mailroom.reply("Składka jest za wysoka.\nuchwala1: TAK\nuchwala2: TAK\nuchwala3: NIE", message_id="<a@x>")
    assert mailroom.processor.process(first).kind == "accepted"
    [confirmation] = mailroom.outbox("mail.confirmation")
    body = (
        "uchwala1: NIE\nuchwala2: NIE\nuchwala3: NIE\n\n"
        + UNFORESEEN["lt"].format(to=JAN)
        + "\n\n"
        + confirmation.payload["text"]
    )
    assert mailroom.processor.process(mailroom.reply(body, message_id="<b@x>")).kind == "accepted"
    ballot, opinions = _record(mailroom, "walne-2027")
    assert ballot == {"main": {"uchwala1": Answer.NO, "uchwala2": Answer.NO, "uchwala3": Answer.NO}}
    assert opinions == ["Składka jest za wysoka."], "the opinion quoted back in the confirmation is not a new one"
