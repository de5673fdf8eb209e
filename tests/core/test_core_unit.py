"""The edge owns the unit of work: one connection, at most two transactions, everything committed together."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from bot.domain import Channel
from bot.errors import NotFound
from bot.services import Services
from storage.engine import READ_ONLY


def _checkouts(services: Services) -> list[object]:
    seen: list[object] = []
    event.listen(services.context.engine, "checkout", lambda *args: seen.append(args[0]))
    return seen


def _outside(services: Services, person_id: int) -> tuple[str, str | None]:
    with services.context.engine.connect() as other:
        other.execution_options(**{READ_ONLY: True})  # a reader: it neither waits for nor takes the write lock
        row = other.execute(text("SELECT language, display_name FROM person WHERE id = :id"), {"id": person_id}).one()
    return row[0], row[1]


def test_the_services_of_a_unit_share_one_connection_and_commit_together(services: Services) -> None:
    context = services.context
    person = services.people.identify(Channel.TELEGRAM, "501")
    seen = _checkouts(services)
    with context.unit():
        assert services.people.get(person.person_id).language == "pl"  # reads first: a reading transaction
        services.people.set_language(person.person_id, "en")  # an ORM block: the writing transaction begins
        with context.connection() as connection:  # a Core block joins it
            connection.execute(text("UPDATE person SET display_name = 'Ala' WHERE id = :id"), {"id": person.person_id})
        assert services.people.get(person.person_id).language == "en"  # the unit reads its own writes
        assert _outside(services, person.person_id) == ("pl", None)  # nothing committed before the unit ends
    assert _outside(services, person.person_id) == ("en", "Ala")
    assert len(seen) == 3  # the unit's one connection, and the two looks from outside


def test_a_unit_that_raises_leaves_nothing_behind(services: Services) -> None:
    context = services.context
    person = services.people.identify(Channel.TELEGRAM, "502")
    with pytest.raises(NotFound), context.unit():
        services.people.set_language(person.person_id, "en")
        raise NotFound("process.not_found", slug="nope")
    assert services.people.get(person.person_id).language == "pl"


def test_a_refused_block_rolls_back_the_unit_unless_a_savepoint_covers_it(services: Services) -> None:
    context = services.context
    person = services.people.identify(Channel.TELEGRAM, "503")
    with context.unit() as unit:
        services.people.set_language(person.person_id, "en")
        with pytest.raises(NotFound), unit.savepoint(), context.connection() as connection:
            connection.execute(text("UPDATE person SET display_name = 'lost' WHERE id = :id"), {"id": person.person_id})
            raise NotFound("process.not_found", slug="nope")
    # the savepoint undid the refused block only; the language set before it was committed with the unit
    assert _outside(services, person.person_id) == ("en", None)


def test_without_an_edge_each_block_is_a_unit_of_its_own(services: Services) -> None:
    person = services.people.identify(Channel.TELEGRAM, "504")
    services.people.set_language(person.person_id, "uk")
    assert _outside(services, person.person_id) == ("uk", None)
