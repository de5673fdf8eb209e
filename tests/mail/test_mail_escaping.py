"""The HTML part of a confirmation shows a member's markup as text: an opinion with ``<script>`` is escaped."""

from __future__ import annotations

from typing import Any


def test_markup_in_an_emailed_opinion_is_escaped_in_the_html_confirmation(mailroom: Any) -> None:
    body = "§3: Dopisać <script>alert(1)</script> i <b>jawność</b>."
    outcome = mailroom.processor.process(mailroom.reply(body, slug="program-wspolpracy-2027"))
    assert outcome.kind == "accepted"
    [confirmation] = mailroom.outbox("mail.confirmation")
    html, text = confirmation.payload["html"], confirmation.payload["text"]
    assert "<script>" not in html and "<b>jawność</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;jawność&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" in text  # the plain-text part is text: nothing to escape


def test_a_hostile_opinion_comes_back_clean_in_the_confirmation(mailroom: Any) -> None:
    """An e-mailed opinion with a vertical tab, an ANSI colour and a bidi override is stored and quoted readable."""
    body = "Za\x0bwysoka \x1b[31mskładka\x1b[0m \u202ecba\u202c."
    assert mailroom.processor.process(mailroom.reply(body)).kind == "accepted"
    [opinion] = mailroom.services.opinions.list("walne-2027")
    assert opinion.text == "Za wysoka składka cba."
    [confirmation] = mailroom.outbox("mail.confirmation")
    assert f"opinię nr {opinion.id}: Za wysoka składka cba." in confirmation.payload["text"]
    assert not any(ch in confirmation.payload["text"] + confirmation.payload["html"] for ch in "\x0b\x1b\u202e")
