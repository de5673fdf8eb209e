"""Replies processed through the real core: votes counted, opinions stored, one confirmation each, replays
no-ops, authentication failures answered politely without leaking, automatic mail filed silently."""

from __future__ import annotations

from typing import Any

from bot.domain import Answer


def test_a_vote_by_reply_is_counted_and_confirmed_once(mailroom: Any) -> None:
    raw = mailroom.reply("uchwala1: TAK\nuchwala2: NIE\nuchwala3: wstrzymuję się\n\nPozdrawiam\nJan")
    outcome = mailroom.processor.process(raw)
    assert (outcome.kind, outcome.folder) == ("accepted", "processed")
    ballot = mailroom.services.voting.current_ballot("walne-2027", mailroom.person("jan.kowalski@example.pl"))
    assert ballot == {"main": {"uchwala1": Answer.YES, "uchwala2": Answer.NO, "uchwala3": Answer.ABSTAIN}}
    confirmations = mailroom.outbox("mail.confirmation")
    assert len(confirmations) == 1
    text = confirmations[0].payload["text"]
    assert "uchwala1: TAK" in text and "Kod potwierdzenia" in text and "Pozdrawiam" not in text
    assert confirmations[0].payload["headers"]["Auto-Submitted"] == "auto-generated"
    assert confirmations[0].payload["headers"]["In-Reply-To"] == outcome.message_id
    # the same message again (a re-fetch after a crash, a duplicate delivery): nothing changes
    again = mailroom.processor.process(raw)
    assert again.kind == "duplicate" and again.folder == "processed"
    assert len(mailroom.outbox("mail.confirmation")) == 1
