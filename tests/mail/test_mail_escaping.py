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
