"""An NGO member takes part by e-mail in every kind of process the examples show, through the real mail
processor: a budget with districts (a district line in the reply), a survey by municipality, a deliberative poll
with an invite code and two rounds. The rules are the chat's: the district is declared by the same service as
/dzielnica, the code redeemed as /kod, the ballot read and validated by VotingService.cast as /glosuj."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from bot.definition import load_definition_file
from bot.domain import Channel
from bot.services.eligibility import RosterRow
from bot.views.examples import example_ballot
from mail.invite import invite_roster
from mail.tokens import expand_tokens

ROOT = Path(__file__).resolve().parents[2]
OPENS = datetime(2027, 4, 12, 7, 0, tzinfo=UTC)
CLOSES = datetime(2027, 4, 19, 16, 0, tzinfo=UTC)
MEMBER = "ewa@stowarzyszenie.org.pl"


def _invited(mailroom: Any, stem: str) -> tuple[str, str]:
    """Open the example ``stem`` with ``MEMBER`` on its roster and invite her; (slug, her reply address)."""
    services, clock = mailroom.services, mailroom.clock
    now = clock.now()
    definition = load_definition_file(ROOT / "examples" / f"{stem}.toml")
    # The process runs in the mail room's week; a deliberative poll's round 2 waits for the moderator's briefing.
    definition = definition.model_copy(update={"opens_at": OPENS, "closes_at": CLOSES, "briefing_at": None})
    clock.set(OPENS)
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    clock.set(now)
    services.eligibility.import_roster(definition.slug, [RosterRow(Channel.EMAIL, MEMBER, name="Ewa")])
    invite_roster(services, mailroom.addressing, definition.slug)
    [invitation] = [
        row
        for row in mailroom.outbox("mail.invitation")
        if row.key.endswith(f"{definition.slug}:" + str(mailroom.person(MEMBER)))
    ]
    return definition.slug, expand_tokens(invitation.payload["headers"]["Reply-To"], services.context.secret)


def _send(mailroom: Any, reply_to: str, body: str) -> str:
    """Reply ``body`` to ``reply_to`` through the mail processor; the text of the confirmation it queued."""
    message = EmailMessage()
    message["From"] = f"Ewa <{MEMBER}>"
    message["To"] = reply_to
    message["Subject"] = "Re: Zaproszenie"
    message["Message-ID"] = make_msgid(domain="stowarzyszenie.org.pl")
    message.set_content(body)
    before = len(mailroom.outbox("mail.confirmation"))
    outcome = mailroom.processor.process(message.as_bytes())
    assert outcome.kind in ("accepted", "not_understood"), outcome
    confirmations = mailroom.outbox("mail.confirmation")
    assert len(confirmations) == before + 1
    return str(confirmations[-1].payload["text"])


def test_a_budget_with_districts_is_answered_with_a_district_line(mailroom: Any) -> None:
    slug, reply_to = _invited(mailroom, "bo-warszawa-2027")
    definition = mailroom.services.processes.get(slug).definition
    ballot = example_ballot(definition, "pl", "wesola")
    # Without the district the member is told which line to write — not a chat command.
    text = _send(mailroom, reply_to, ballot)
    assert "dopisz w odpowiedzi osobną linię ze swoją dzielnicą, np. „dzielnica: NAZWA”" in text
    assert "/dzielnica" not in text
    assert mailroom.services.voting.current_ballot(slug, mailroom.person(MEMBER)) is None
    text = _send(mailroom, reply_to, f"dzielnica: wesola\n{ballot}")
    assert "Zapisano miejsce, w którym głosujesz: Wesoła." in text
    counted = mailroom.services.voting.current_ballot(slug, mailroom.person(MEMBER))
    assert counted is not None and set(counted) == {"city", "wesola"}


def test_a_survey_by_municipality_is_answered_with_a_municipality_line(mailroom: Any) -> None:
    slug, reply_to = _invited(mailroom, "indeks-przyjaznego-samorzadu")
    definition = mailroom.services.processes.get(slug).definition
    text = _send(mailroom, reply_to, f"gmina: niepolomice\n{example_ballot(definition, 'pl', 'niepolomice')}")
    assert "Zapisano miejsce, w którym głosujesz:" in text
    assert mailroom.services.voting.current_ballot(slug, mailroom.person(MEMBER)) is not None


def test_a_deliberative_poll_is_answered_with_a_code_and_in_both_rounds(mailroom: Any) -> None:
    slug, reply_to = _invited(mailroom, "sondaz-deliberatywny-transport")
    definition = mailroom.services.processes.get(slug).definition
    [code] = mailroom.services.eligibility.issue_codes(slug, 1)
    ballot = example_ballot(definition, "pl")
    text = _send(mailroom, reply_to, ballot)
    assert "dopisz w odpowiedzi osobną linię z kodem zaproszenia: „kod: KOD”" in text
    text = _send(mailroom, reply_to, f"kod: {code}\n{ballot}")
    assert "Przyjęto kod zaproszenia: możesz głosować." in text
    assert code not in text  # a code is never quoted back
    person = mailroom.person(MEMBER)
    first = mailroom.services.voting.current_ballot(slug, person)
    assert first is not None
    assert mailroom.services.voting.current_ballot(slug, person, round_no=2) is None
    # Round 2 waits for the briefing (here the moderator has not marked it held and no time is set).
    text = _send(mailroom, reply_to, f"runda 2\n{ballot}")
    assert "Runda 2 sondażu „Sondaż deliberatywny: transport publiczny w mieście” jeszcze się nie zaczęła" in text
    assert mailroom.services.voting.current_ballot(slug, person, round_no=2) is None
    mailroom.services.processes.hold_briefing(slug)
    _send(mailroom, reply_to, f"runda 2\n{ballot}")
    assert mailroom.services.voting.current_ballot(slug, person, round_no=2) == first
    assert mailroom.services.voting.current_ballot(slug, person) == first  # round 1 unchanged
