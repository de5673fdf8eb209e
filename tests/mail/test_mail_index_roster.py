"""An NGO answers the friendly-local-government index by e-mail and is never asked for its municipality: the
federation's roster names it (a ``gmina`` column), the invitation says so, and the reply's ballot is counted for
that municipality through the real mail processor."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.definition import load_definition_file
from bot.errors import InputError
from bot.rosters import parse_roster_csv
from bot.views.examples import example_ballot
from mail.invite import invite_roster
from mail.tokens import expand_tokens
from storage.models import Eligibility

ROOT = Path(__file__).resolve().parents[2]
OPENS = datetime(2027, 11, 2, 7, 0, tzinfo=UTC)
ROSTER = """organizacja;email;gmina
Stowarzyszenie Skawiński Dom;dom@skawina.org.pl;Gmina Skawina
Fundacja Bez Gminy;fundacja@example.org;
"""


def _reply(mailroom: Any, sender: str, reply_to: str, body: str) -> str:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = reply_to
    message["Subject"] = "Re: Zaproszenie"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(body)
    outcome = mailroom.processor.process(message.as_bytes())
    assert outcome.kind in ("accepted", "not_understood"), outcome
    return str(mailroom.outbox("mail.confirmation")[-1].payload["text"])


def test_the_roster_names_the_municipality_an_ngo_rates(mailroom: Any) -> None:
    services = mailroom.services
    definition = load_definition_file(ROOT / "examples" / "indeks-przyjaznego-samorzadu.toml")
    mailroom.clock.set(OPENS)
    services.processes.import_definition(definition)
    services.processes.open(definition.slug)
    slug = definition.slug
    rows = parse_roster_csv(ROSTER)
    assert [row.district for row in rows] == ["Gmina Skawina", None]
    assert services.eligibility.import_roster(slug, rows) == 2
    assert [
        line[2] for line in services.eligibility.roster_lines(services.processes.get(slug).id, rows[0].channel)
    ] == [
        "skawina",  # stored as the definition's key, whichever name the roster used
        None,
    ]
    with pytest.raises(InputError) as refused:
        services.eligibility.import_roster(slug, parse_roster_csv("email;gmina\nx@example.org;Atlantyda\n"))
    assert refused.value.key == "eligibility.unknown_municipality"
    assert invite_roster(services, mailroom.addressing, slug) == 2
    invitations = {row.address: row for row in mailroom.outbox("mail.invitation")}
    known = invitations["dom@skawina.org.pl"].payload["text"]
    assert "Gminę, którą oceniasz, znamy z listy członków — nie musisz jej podawać." in known
    assert "gmina:" not in known and "/dzielnica" not in known
    unknown = invitations["fundacja@example.org"].payload["text"]
    assert "„gmina: Gmina Wieliczka”" in unknown  # no municipality on the roster: asked for the line, as before
    reply_to = expand_tokens(invitations["dom@skawina.org.pl"].payload["headers"]["Reply-To"], services.context.secret)
    ballot = example_ballot(definition, "pl", "skawina")
    text = _reply(mailroom, "Dom <dom@skawina.org.pl>", reply_to, f"{ballot}\n")
    assert (
        "Zapisaliśmy:\n  * głos: 1. Konsultacje: czy gmina rzetelnie konsultuje z organizacjami projekty uchwał? — 5; "
        in text
    )
    assert "6. Rozliczenia: czy rozliczanie dotacji jest proste i terminowe? — 5\n" in text
    assert "„gmina:" not in text and "dzielnic" not in text  # nothing asked, nothing refused
    person = mailroom.person("dom@skawina.org.pl")
    assert services.voting.current_ballot(slug, person) is not None
    with services.context.transaction() as session:
        record = session.exec(select(Eligibility).where(Eligibility.person_id == person)).one()
    assert (record.district, record.source.value) == ("skawina", "roster")
