"""Who may do what, secret ballots kept apart from voters, and refusals that change nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.clock import FakeClock
from bot.commands.registry import COMMANDS
from bot.console import ConsoleChannel
from bot.domain import Channel, RoleName
from bot.errors import NotEligible, WrongPhase
from bot.services import Services, build_services
from bot.services.sealing import open_ballot
from storage.models import AuditEntry, Ballot, Participation

Talk = Callable[..., list[str]]


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.role is not None], ids=lambda c: c.name)
def test_every_moderator_command_is_refused_to_a_resident_and_audited(
    command: object, console: Callable[..., ConsoleChannel], services: Services
) -> None:
    assert hasattr(command, "name")
    resident = console("ania")
    for name in command.names:  # type: ignore[attr-defined]
        answer = "\n".join(resident.handle(f"/{name} bo2027 1"))
        assert "tylko dla moderatorów" in answer
    with services.context.transaction() as session:
        refused = session.exec(select(AuditEntry).where(AuditEntry.action == "command.refused")).all()
    assert len(refused) == len(command.names)  # type: ignore[attr-defined]


def test_admin_commands_need_the_admin_role_not_just_moderator(
    talk: Talk, console: Callable[..., ConsoleChannel], services: Services
) -> None:
    services.people.grant(None, Channel.CONSOLE, "ola", RoleName.MODERATOR)
    talk(console("ola"), [("/nadaj_role console:ania moderator", ["tylko dla moderatorów"])])
    talk(
        console("moderator"),
        [
            ("/nadaj_role console:ania moderator", ["Nadano rolę moderator"]),
            ("/nadaj_role ktokolwiek szef", ["Napisz: /nadaj_role"]),
        ],
    )
    talk(console("ania"), [("/procesy", [])])
    assert services.people.find(Channel.CONSOLE, "ania") is not None
    talk(console("moderator"), [("/odbierz_role console:ania moderator", ["Odebrano"])])
    person = services.people.find(Channel.CONSOLE, "ania")
    assert person is not None and not person.roles


def test_help_shows_moderator_commands_only_to_moderators(console: Callable[..., ConsoleChannel]) -> None:
    resident_help = "\n".join(console("ania").handle("/pomoc"))
    moderator_help = "\n".join(console("moderator").handle("/help"))
    assert "/glosuj (/vote)" in resident_help and "/zamknij" not in resident_help
    assert "/zamknij (/close)" in moderator_help and "/nadaj_role" in moderator_help
    for command in COMMANDS:
        assert f"/{command.name}" in moderator_help


def test_secret_ballots_have_no_path_back_to_the_voter(
    load_example: Callable[..., str], services: Services, engine: Engine
) -> None:
    slug = load_example("bo-warszawa-2027")
    ania = services.people.identify(Channel.CONSOLE, "ania")
    services.eligibility.declare_district(slug, ania.person_id, "wesola")
    services.voting.cast(slug, ania.person_id, {"city": ["1"]}, Channel.CONSOLE)
    columns = {column["name"] for column in sa_inspect(engine).get_columns("ballot")}
    assert not {"person_id", "identity_id", "participation_id"} & columns
    participation_columns = {column["name"] for column in sa_inspect(engine).get_columns("participation")}
    assert not {"ballot_id", "ballot_key", "receipt_hash"} & participation_columns
    with services.context.transaction() as session:
        ballot = session.exec(select(Ballot)).one()
        participation = session.exec(select(Participation)).one()
    # The key is an HMAC under a secret the store does not hold: another secret gives another key.
    assert ballot.ballot_key == services.context.ballot_key(ballot.process_id, ania.person_id)
    assert ballot.ballot_key not in str(participation.model_dump())
    # A secret ballot keeps no time and no channel; the participation's time is cut to the hour.
    assert ballot.cast_at is None and ballot.channel is None
    assert (participation.last_at.minute, participation.last_at.second) == (0, 0)
    with engine.connect() as connection:
        dump = " ".join(str(row) for row in connection.execute(text("SELECT * FROM ballot")))
    assert "ania" not in dump


def test_voting_outside_the_window_changes_nothing(
    load_example: Callable[..., str], services: Services, clock: FakeClock
) -> None:
    slug = load_example("bo-warszawa-2027", open_it=False)
    ania = services.people.identify(Channel.CONSOLE, "ania")
    with pytest.raises(WrongPhase) as early:
        services.voting.cast(slug, ania.person_id, {"city": ["1"]}, Channel.CONSOLE)
    assert early.value.key == "vote.not_open"
    services.processes.open(slug)
    services.eligibility.declare_district(slug, ania.person_id, "wesola")
    services.voting.cast(slug, ania.person_id, {"city": ["1"]}, Channel.CONSOLE)
    info = services.processes.get(slug)
    assert info.closes_at is not None
    clock.set(info.closes_at)  # the deadline passed, though nobody closed the process yet
    with pytest.raises(WrongPhase) as late:
        services.voting.cast(slug, ania.person_id, {"city": ["2"]}, Channel.CONSOLE)
    assert late.value.key == "vote.closed"
    assert services.voting.current_ballot(slug, ania.person_id) == {"city": ["1"]}


def test_an_ineligible_person_is_refused(load_example: Callable[..., str], services: Services) -> None:
    slug = load_example("uchwala-tak-nie")
    stranger = services.people.identify(Channel.CONSOLE, "obcy")
    with pytest.raises(NotEligible) as refused:
        services.voting.cast(slug, stranger.person_id, {"main": {"uchwala1": "yes"}}, Channel.CONSOLE)
    assert refused.value.key == "eligibility.not_on_roster"
    with services.context.transaction() as session:
        assert session.exec(select(Ballot)).all() == []


def test_one_person_one_vote_across_channels(load_example: Callable[..., str], services: Services) -> None:
    slug = load_example("zielony-budzet-wieliczka")
    person = services.people.identify(Channel.TELEGRAM, "123456")
    services.people.link(person.person_id, Channel.EMAIL, "Ania@Example.PL")
    by_mail = services.people.identify(Channel.EMAIL, "ania@example.pl")
    assert by_mail.person_id == person.person_id
    services.voting.cast(slug, person.person_id, {"main": ["1"]}, Channel.TELEGRAM)
    services.voting.cast(slug, by_mail.person_id, {"main": ["2"]}, Channel.EMAIL)
    with services.context.transaction() as session:
        current = session.exec(select(Ballot).where(Ballot.is_current)).all()
        history = session.exec(select(Ballot)).all()
    # sealed while the secret vote is open (the heap is in casting order then): only the key opens it
    assert len(current) == 1 and list(current[0].content) == ["@sealed"]
    assert open_ballot(services.context.secret, current[0].content) == {"main": ["2"]}
    assert len(history) == 1  # a secret process keeps no replaced ballot: a revision count could pair it with its voter
    assert services.results.turnout(slug).participants == 1


def test_invite_codes_are_stored_only_as_hashes(
    load_example: Callable[..., str], services: Services, engine: Engine
) -> None:
    slug = load_example("sondaz-deliberatywny-transport")
    codes = services.eligibility.issue_codes(slug, 3)
    assert len(set(codes)) == 3 and all(len(code) == 11 for code in codes)
    with engine.connect() as connection:
        dump = " ".join(str(row) for row in connection.execute(text("SELECT * FROM invite_code")))
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump
        # keyed: a copy of the store alone cannot be searched for the codes by hashing candidates
        assert hashlib.sha256(code.replace("-", "").encode()).hexdigest() not in dump


def test_an_invite_code_works_only_with_the_secret_key_it_was_issued_under(
    load_example: Callable[..., str], services: Services, session_factory: Any, clock: FakeClock
) -> None:
    slug = load_example("sondaz-deliberatywny-transport")
    code = services.eligibility.issue_codes(slug, 1)[0]
    elsewhere = build_services(session_factory, clock, b"another-secret-key-of-32-bytes!!")
    person = elsewhere.people.identify(Channel.CONSOLE, "kasia").person_id
    with pytest.raises(NotEligible):
        elsewhere.eligibility.redeem_code(slug, person, code)
    services.eligibility.redeem_code(slug, person, code)
    assert services.eligibility.check(slug, person).source.value == "invite_code"
