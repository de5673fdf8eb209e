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
    assert "za 2026 rok — TAK" in text and "Kod potwierdzenia" in text and "Pozdrawiam" not in text
    assert confirmations[0].payload["headers"]["Auto-Submitted"] == "auto-generated"
    assert confirmations[0].payload["headers"]["In-Reply-To"] == outcome.message_id
    # the same message again (a re-fetch after a crash, a duplicate delivery): nothing changes
    again = mailroom.processor.process(raw)
    assert again.kind == "duplicate" and again.folder == "processed"
    assert len(mailroom.outbox("mail.confirmation")) == 1


def test_an_oversized_reply_is_refused_with_a_note_and_counts_nothing(mailroom: Any) -> None:
    body = "uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK\n" + "x" * 300_000  # the test limit is 200 kB
    outcome = mailroom.processor.process(mailroom.reply(body))
    assert (outcome.kind, outcome.folder) == ("oversized", "ignored")
    assert mailroom.services.voting.current_ballot("walne-2027", mailroom.person("jan.kowalski@example.pl")) is None
    [notice] = mailroom.outbox("mail.notice")
    assert notice.address == "jan.kowalski@example.pl"
    assert "przyjmujemy najwyżej 200 kB" in notice.payload["text"]


def test_a_second_reply_changes_the_vote_and_says_so(mailroom: Any) -> None:
    mailroom.processor.process(mailroom.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK"))
    mailroom.processor.process(mailroom.reply("uchwala1: NIE\nuchwala2: NIE\nuchwala3: NIE"))
    ballot = mailroom.services.voting.current_ballot("walne-2027", mailroom.person("jan.kowalski@example.pl"))
    assert ballot == {"main": {"uchwala1": Answer.NO, "uchwala2": Answer.NO, "uchwala3": Answer.NO}}
    first, second = mailroom.outbox("mail.confirmation")
    assert "zastępuje" not in first.payload["text"]
    assert "zastępuje Twój poprzedni głos" in second.payload["text"]


def test_refusals_to_one_stranger_are_sent_once_a_day(mailroom: Any) -> None:
    for number in range(3):
        raw = mailroom.reply(
            "TAK",
            sender="jan.kowalski@example.pl",
            to="glos@glos.example.org",
            message_id=f"<stranger{number}@example.pl>",
        )
        assert mailroom.processor.process(raw).kind == "refused"
    assert len(mailroom.outbox("mail.notice")) == 1, "no mail storm towards one address"


def test_a_mixed_electorate_counts_the_same_whatever_the_channel(mailroom: Any) -> None:
    """Jan votes on Telegram first, then by e-mail: still one vote. Anna votes by e-mail, John on Telegram."""
    from bot.domain import Channel

    services = mailroom.services
    jan = mailroom.person("jan.kowalski@example.pl")
    services.people.link(jan, Channel.TELEGRAM, "1001")
    no_to_all = {"main": {"uchwala1": Answer.NO, "uchwala2": Answer.NO, "uchwala3": Answer.NO}}
    services.voting.cast("walne-2027", jan, no_to_all, Channel.TELEGRAM)
    assert mailroom.processor.process(mailroom.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK")).kind == "accepted"
    anna = "anna.nowak@fundacja.org.pl"
    raw = mailroom.reply("uchwala1: TAK\nuchwala2: NIE\nuchwala3: TAK", sender=anna)
    assert mailroom.processor.process(raw).kind == "accepted"
    services.voting.cast("walne-2027", mailroom.person("john.smith@example.com"), no_to_all, Channel.TELEGRAM)

    services.processes.close("walne-2027")
    results = services.results.results("walne-2027", moderator=True)
    assert results.turnout.participants == 3, "Jan on two channels is one voter"
    assert results.turnout.by_channel == {"email": 2, "telegram": 1}
    tally = results.to_json()["rounds"][0]["main"]
    counts = {row["item"]: (row["yes"], row["no"], row["abstain"]) for row in tally["rows"]}
    # Jan's e-mail ballot replaced his Telegram one; the three ballots count alike whatever their channel
    assert counts == {"uchwala1": (2, 1, 0), "uchwala2": (1, 2, 0), "uchwala3": (2, 1, 0)}
    assert tally["winners"] == ["uchwala1", "uchwala3"]
    current = services.voting.current_ballot("walne-2027", jan)
    assert current == {"main": {"uchwala1": Answer.YES, "uchwala2": Answer.YES, "uchwala3": Answer.YES}}


def test_no_reply_token_is_readable_from_the_store(mailroom: Any) -> None:
    """A copy of the database cannot forge replies: tokens are hashed, queued mail carries only placeholders."""
    from sqlalchemy import text

    token = mailroom.token("walne-2027", "jan.kowalski@example.pl")
    mailroom.processor.process(mailroom.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK"))
    dump = []
    with mailroom.services.context.connection() as connection:
        for table in ("outbox_message", "mail_token", "mail_message", "dialogue_state", "audit_entry"):
            dump += [str(tuple(row)) for row in connection.execute(text(f"SELECT * FROM {table}"))]
    assert dump and not any(token in row for row in dump)
    assert any("{{token:" in row for row in dump)
