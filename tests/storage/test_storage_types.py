"""Values round-trip exactly: aware timestamps, JSON with Polish text, money, enums, the version counter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from bot.definition.model import ProcessDefinition
from bot.domain import Channel, ItemKind, Phase, ProcessKind
from storage.engine import transaction
from storage.models import DialogueState, Item, OutboxMessage, Person, Pool, Process

Factory = sessionmaker[Session]
WARSAW = ZoneInfo("Europe/Warsaw")


def _process(factory: Factory, **values: Any) -> int:
    with transaction(factory) as session:
        process = Process(slug="bo2027", kind=ProcessKind.BUDGET, title_pl="Budżet", definition={}, **values)
        session.add(process)
        session.flush()
        assert process.id is not None
        return process.id


def test_aware_timestamps_come_back_as_the_same_instant_in_utc(session_factory: Factory) -> None:
    opens = datetime(2027, 3, 28, 1, 30, tzinfo=WARSAW)  # the night the clocks go forward
    closes = datetime(2027, 10, 31, 2, 30, tzinfo=timezone(timedelta(hours=1)))
    process = _process(session_factory, opens_at=opens, closes_at=closes)
    with transaction(session_factory) as session:
        loaded = session.get_one(Process, process)
    assert loaded.opens_at == opens and loaded.closes_at == closes
    assert loaded.opens_at is not None and loaded.opens_at.tzinfo is UTC
    assert loaded.opens_at.hour == 0  # 01:30 CET is 00:30 UTC
    assert loaded.created_at.tzinfo is UTC
    assert abs(loaded.created_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_timestamps_compare_in_sql_as_instants(session_factory: Factory) -> None:
    _process(session_factory, closes_at=datetime(2027, 6, 15, 20, 0, tzinfo=WARSAW))  # 18:00 UTC
    with transaction(session_factory) as session:
        before = datetime(2027, 6, 15, 17, 59, tzinfo=UTC)
        after = datetime(2027, 6, 15, 18, 1, tzinfo=UTC)
        assert session.exec(select(Process.slug).where(col(Process.closes_at) > before)).all() == ["bo2027"]
        assert session.exec(select(Process.slug).where(col(Process.closes_at) > after)).all() == []


def test_naive_datetimes_are_refused(session_factory: Factory) -> None:
    with pytest.raises(StatementError, match="naive datetime"), transaction(session_factory) as session:
        session.add(Person(created_at=datetime(2027, 1, 1, 12, 0)))


def test_json_round_trips_polish_text(session_factory: Factory, engine: Engine) -> None:
    title = {"pl": "Zielone podwórko przy ul. Żółkiewskiego — „łąka kwietna”", "en": "Green yard"}
    state: dict[str, Any] = {"basket": ["p1", "p7"], "krok": "wybór dzielnicy: Śródmieście"}
    person = _person_with_state(session_factory, state)
    process = _process(session_factory)
    with transaction(session_factory) as session:
        session.add(Item(process_id=process, key="p1", kind=ItemKind.PROJECT, title=title))
    with transaction(session_factory) as session:
        assert session.exec(select(Item.title)).one() == title
        row = session.exec(select(DialogueState).where(DialogueState.person_id == person)).one()
        assert row.state == state
    with engine.connect() as connection:  # stored as readable UTF-8, not \u escapes
        raw = connection.execute(text("SELECT CAST(title AS TEXT) FROM item")).scalar_one()
    assert "Żółkiewskiego" in raw


def _person_with_state(factory: Factory, state: dict[str, Any]) -> int:
    with transaction(factory) as session:
        person = Person(display_name="Zażółć Gęślą")
        session.add(person)
        session.flush()
        assert person.id is not None
        session.add(DialogueState(person_id=person.id, channel=Channel.TELEGRAM, state=state))
        return person.id


def test_money_is_exact(session_factory: Factory) -> None:
    process = _process(session_factory)
    costs = [Decimal("1546168.66"), Decimal("0.10"), Decimal("0.20"), Decimal("999999999.99")]
    with transaction(session_factory) as session:
        pool = Pool(process_id=process, key="main", budget=Decimal("1546168.66"), ballot_rule={}, counting_rule={})
        session.add(pool)
        session.flush()
        for number, cost in enumerate(costs):
            session.add(Item(process_id=process, pool_id=pool.id, key=f"p{number}", title={"pl": "x"}, cost=cost))
    with transaction(session_factory) as session:
        assert session.exec(select(col(Pool.budget))).one() == Decimal("1546168.66")
        assert session.exec(select(col(Item.cost)).order_by(Item.key)).all() == costs
        total = session.exec(select(func.sum(col(Item.cost)))).one()
    assert total == Decimal("1001546168.95")  # no float drift (0.10 + 0.20)


def test_enums_are_stored_by_value_and_unknown_values_refused(session_factory: Factory, engine: Engine) -> None:
    _process(session_factory, phase=Phase.OPEN)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT kind, phase FROM process")).one() == ("budget", "open")
    with transaction(session_factory) as session:
        assert session.exec(select(Process.phase)).one() is Phase.OPEN
    with pytest.raises(StatementError, match="not a valid Channel"), transaction(session_factory) as session:
        fax = OutboxMessage(key="k", channel="fax", address="+48", purpose="x")  # type: ignore[arg-type]
        session.add(fax)


def test_definition_is_kept_as_json(session_factory: Factory) -> None:
    definition = ProcessDefinition.model_validate(
        {
            "slug": "bo2027",
            "kind": "budget",
            "title": {"pl": "Budżet obywatelski 2027", "en": "Participatory budget 2027"},
            "opens_at": "2027-06-01T08:00:00+02:00",
            "pools": [{"budget": "1546168.66", "ballot": {"rule": "within_budget"}, "counting": {"rule": "greedy"}}],
            "items": [{"key": "p1", "kind": "project", "title": "Ławki", "cost": "120000.50"}],
        }
    )
    with transaction(session_factory) as session:
        session.add(
            Process(
                slug=definition.slug,
                kind=definition.kind,
                title_pl=definition.title.pl,
                definition=definition.model_dump(mode="json"),
            )
        )
    with transaction(session_factory) as session:
        stored = session.exec(select(Process.definition)).one()
    assert ProcessDefinition.model_validate(stored) == definition


def test_concurrent_changes_to_a_process_are_detected(session_factory: Factory) -> None:
    process = _process(session_factory)
    with transaction(session_factory) as session:  # a moderator reads the process …
        mine = session.get_one(Process, process)
    with transaction(session_factory) as session:  # … another one changes it meanwhile …
        session.get_one(Process, process).phase = Phase.OPEN
    with transaction(session_factory) as session:
        assert session.get_one(Process, process).version == 2
    mine.title_pl = "Budżet 2027"
    with pytest.raises(StaleDataError), transaction(session_factory) as session:
        session.add(mine)  # … and the first one's change, based on version 1, is refused
    with transaction(session_factory) as session:
        assert session.exec(select(Process.title_pl, Process.phase)).one() == ("Budżet", Phase.OPEN)
