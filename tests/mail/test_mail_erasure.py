"""Erasure never buys a second ballot by e-mail either (issue #13): a member votes by reply, is erased, is invited
again and votes again — through the real mail processor — and one ballot counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bot.domain import Answer, Channel
from mail.invite import invite_roster

JAN = "jan.kowalski@example.pl"


def _counted(mailroom: Any) -> int:
    with mailroom.services.context.reading() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM ballot JOIN process ON process.id = ballot.process_id "
                    "WHERE process.slug = 'walne-2027' AND ballot.is_current AND NOT ballot.withdrawn"
                )
            ).scalar_one()
        )


def _invite_again(mailroom: Any) -> None:
    """The moderator sends the roster's invitations again: the erased member is a new person with a new token."""
    invite_roster(mailroom.services, mailroom.addressing, "walne-2027")
    for row in mailroom.outbox("mail.invitation"):
        if row.address == JAN:
            mailroom.tokens[("walne-2027", JAN)] = mailroom.token_of(row.payload["headers"]["Reply-To"])


def test_a_member_erased_twice_still_has_one_counted_ballot(mailroom: Any) -> None:
    services = mailroom.services
    assert mailroom.processor.process(mailroom.reply("uchwala1: TAK\nuchwala2: TAK\nuchwala3: TAK")).kind == "accepted"
    for answer, word in ((Answer.NO, "NIE"), (Answer.ABSTAIN, "wstrzymuję się")):
        services.privacy.erase(mailroom.person(JAN))
        assert services.people.find(Channel.EMAIL, JAN) is None
        _invite_again(mailroom)
        body = f"uchwala1: {word}\nuchwala2: {word}\nuchwala3: {word}"
        assert mailroom.processor.process(mailroom.reply(body)).kind == "accepted"
        assert _counted(mailroom) == 1
        ballot = services.voting.current_ballot("walne-2027", mailroom.person(JAN))
        assert ballot == {"main": {"uchwala1": answer, "uchwala2": answer, "uchwala3": answer}}
        # The member is told their new ballot replaced the earlier one.
        confirmation = [row for row in mailroom.outbox("mail.confirmation") if row.address == JAN][-1]
        assert "zastępuje Twój poprzedni głos" in confirmation.payload["text"]
    services.processes.close("walne-2027")
    results = services.results.results("walne-2027", moderator=True)
    assert results.turnout.participants == 1
