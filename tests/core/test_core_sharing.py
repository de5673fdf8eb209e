"""One command, one pooled connection: the short transactions of a command share it, each committed alone."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from bot.domain import Channel
from bot.errors import NotFound
from bot.services import Services


def _checkouts(services: Services) -> list[object]:
    seen: list[object] = []
    event.listen(services.context.engine, "checkout", lambda *args: seen.append(args[0]))
    return seen


def test_the_transactions_of_a_block_share_one_connection_and_commit_each(services: Services) -> None:
    context = services.context
    person = services.people.identify(Channel.TELEGRAM, "501")
    seen = _checkouts(services)
    with context.sharing():
        services.people.set_language(person.person_id, "en")  # an ORM transaction
        assert services.people.find(Channel.TELEGRAM, "501") == services.people.get(person.person_id)
        with context.connection() as connection:
            connection.execute(text("UPDATE person SET display_name = 'Ala' WHERE id = :id"), {"id": person.person_id})
        # committed already: another connection, outside the block, sees both changes
        with context.engine.connect() as other:
            row = other.execute(
                text("SELECT language, display_name FROM person WHERE id = :id"), {"id": person.person_id}
            ).one()
        assert tuple(row) == ("en", "Ala")
    assert len(seen) == 2  # the shared one, and the look from outside


def test_a_failed_transaction_in_the_block_is_rolled_back_and_the_next_one_works(services: Services) -> None:
    context = services.context
    person = services.people.identify(Channel.TELEGRAM, "502")
    with context.sharing():
        with pytest.raises(NotFound), context.connection() as connection:
            connection.execute(text("UPDATE person SET display_name = 'lost' WHERE id = :id"), {"id": person.person_id})
            raise NotFound("process.not_found", slug="nope")
        assert services.people.get(person.person_id).display_name is None
        services.people.set_language(person.person_id, "en")
    assert services.people.get(person.person_id).language == "en"


def test_a_transaction_begun_inside_another_gets_its_own_connection(services: Services) -> None:
    context = services.context
    services.people.identify(Channel.TELEGRAM, "503")
    seen = _checkouts(services)
    with context.sharing(), context.connection() as outer:
        outer.execute(text("SELECT 1"))
        with context.reading() as inner:  # the shared connection is busy: a second one, which only reads
            assert inner is not outer
            assert inner.execute(text("SELECT count(*) FROM identity WHERE address = '503'")).scalar() == 1
    assert len(seen) == 2
