"""What the database itself refuses: duplicates, dangling references, a second current ballot."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from bot.domain import Channel, ProcessKind, RoleName
from storage.engine import transaction
from storage.models import (
    Ballot,
    Identity,
    InviteCode,
    Opinion,
    OutboxMessage,
    Participation,
    Person,
    Process,
    Role,
    hash_invite_code,
)

Factory = sessionmaker[Session]


def _person(factory: Factory, name: str = "Ala") -> int:
    with transaction(factory) as session:
        person = Person(display_name=name)
        session.add(person)
        session.flush()
        assert person.id is not None
        return person.id


def _process(factory: Factory, slug: str = "bo2027") -> int:
    with transaction(factory) as session:
        process = Process(slug=slug, kind=ProcessKind.BUDGET, title_pl="Budżet", definition={})
        session.add(process)
        session.flush()
        assert process.id is not None
        return process.id


def _refused(factory: Factory, *rows: Any) -> None:
    with pytest.raises(IntegrityError), transaction(factory) as session:
        for row in rows:
            session.add(row)
            session.flush()


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_one_identity_per_channel_and_address(session_factory: Factory) -> None:
    ala, ola = _person(session_factory), _person(session_factory, "Ola")
    with transaction(session_factory) as session:
        session.add(Identity(person_id=ala, channel=Channel.EMAIL, address="ala@example.pl"))
        session.add(Identity(person_id=ala, channel=Channel.TELEGRAM, address="ala@example.pl"))
    _refused(session_factory, Identity(person_id=ola, channel=Channel.EMAIL, address="ala@example.pl"))


def test_one_participation_per_person_process_and_round(session_factory: Factory) -> None:
    person, process = _person(session_factory), _process(session_factory)
    with transaction(session_factory) as session:
        session.add(Participation(process_id=process, person_id=person, channel=Channel.TELEGRAM))
        session.add(Participation(process_id=process, person_id=person, round=2, channel=Channel.TELEGRAM))
    _refused(session_factory, Participation(process_id=process, person_id=person, channel=Channel.EMAIL))


def test_outbox_key_is_unique(session_factory: Factory) -> None:
    def message(address: str) -> OutboxMessage:
        return OutboxMessage(
            key="reminder:bo2027:1d:telegram:42",
            channel=Channel.TELEGRAM,
            address=address,
            purpose="reminder",
        )

    with transaction(session_factory) as session:
        session.add(message("42"))
    _refused(session_factory, message("42"))


def test_one_current_ballot_per_key_and_round_but_any_number_of_revisions(session_factory: Factory) -> None:
    process = _process(session_factory)
    key = _key("ala")

    def ballot(revision: int, *, current: bool) -> Ballot:
        return Ballot(
            process_id=process,
            ballot_key=key,
            revision=revision,
            content={"main": ["p1"]},
            receipt_hash=_key(f"r{revision}"),
            channel=Channel.TELEGRAM,
            is_current=current,
        )

    with transaction(session_factory) as session:
        session.add(ballot(1, current=False))
        session.add(ballot(2, current=True))
    _refused(session_factory, ballot(3, current=True))  # two current ballots
    _refused(session_factory, ballot(2, current=False))  # the same revision twice
    with transaction(session_factory) as session:
        previous = session.exec(select(Ballot).where(Ballot.is_current)).one()
        previous.is_current = False
        session.flush()
        session.add(ballot(3, current=True))
    with transaction(session_factory) as session:
        assert session.exec(select(Ballot.revision).where(Ballot.is_current)).all() == [3]


def test_ballot_key_must_be_64_characters(session_factory: Factory) -> None:
    process = _process(session_factory)
    _refused(
        session_factory,
        Ballot(
            process_id=process,
            ballot_key="person-7",
            content={},
            receipt_hash=_key("r"),
            channel=Channel.EMAIL,
        ),
    )


def test_ballot_and_participation_have_no_link_to_each_other_or_ballot_to_person() -> None:
    ballot_columns = set(Ballot.__table__.columns.keys())  # type: ignore[attr-defined]
    participation_columns = set(Participation.__table__.columns.keys())  # type: ignore[attr-defined]
    assert not {name for name in ballot_columns if "person" in name}
    assert not {name for name in participation_columns if "ballot" in name or "receipt" in name}
    assert {fk.column.table.name for fk in Ballot.__table__.foreign_keys} == {"process"}  # type: ignore[attr-defined]


def test_a_global_role_is_held_once_a_process_role_once_per_process(session_factory: Factory) -> None:
    person, process = _person(session_factory), _process(session_factory)
    with transaction(session_factory) as session:
        session.add(Role(person_id=person, role=RoleName.ADMIN))
        session.add(Role(person_id=person, role=RoleName.MODERATOR, process_id=process))
        session.add(Role(person_id=person, role=RoleName.MODERATOR))
    _refused(session_factory, Role(person_id=person, role=RoleName.ADMIN))
    _refused(session_factory, Role(person_id=person, role=RoleName.MODERATOR, process_id=process))


def test_invite_codes_are_stored_hashed_and_unique(session_factory: Factory) -> None:
    process = _process(session_factory)
    assert hash_invite_code("abcd-efgh ") == hash_invite_code("ABCDEFGH") != "ABCDEFGH"
    with transaction(session_factory) as session:
        session.add(InviteCode(process_id=process, code_hash=hash_invite_code("ABCDEFGH"), batch="plakat"))
    _refused(session_factory, InviteCode(process_id=process, code_hash=hash_invite_code("abcd-efgh")))


def test_erasing_is_anonymising_deleting_a_participant_is_refused(session_factory: Factory) -> None:
    person, process = _person(session_factory), _process(session_factory)
    with transaction(session_factory) as session:
        session.add(Identity(person_id=person, channel=Channel.EMAIL, address="ala@example.pl"))
        session.add(Participation(process_id=process, person_id=person, channel=Channel.EMAIL))
        session.add(Opinion(process_id=process, person_id=person, channel=Channel.EMAIL, text="Za mało zieleni"))

    def delete_person(session: Session) -> None:
        session.delete(session.get_one(Person, person))

    _run_refused(session_factory, delete_person)  # participation keeps turnout: RESTRICT

    with transaction(session_factory) as session:
        session.delete(session.exec(select(Participation)).one())
    with transaction(session_factory) as session:
        session.delete(session.get_one(Person, person))
    with transaction(session_factory) as session:
        assert session.exec(select(Identity)).all() == []  # CASCADE
        assert session.exec(select(Opinion.person_id, Opinion.text)).all() == [(None, "Za mało zieleni")]


def test_a_process_with_ballots_cannot_be_deleted(session_factory: Factory) -> None:
    process = _process(session_factory)
    with transaction(session_factory) as session:
        session.add(
            Ballot(
                process_id=process,
                ballot_key=_key("x"),
                content={},
                receipt_hash=_key("r"),
                channel=Channel.PAPER,
            )
        )
    _run_refused(session_factory, lambda session: session.delete(session.get_one(Process, process)))


def _run_refused(factory: Factory, change: Callable[[Session], None]) -> None:
    with pytest.raises(IntegrityError), transaction(factory) as session:
        change(session)
        session.flush()
