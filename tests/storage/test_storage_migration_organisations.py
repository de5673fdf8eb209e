"""Migration 0010 (organisations) on a store in use: moderator grants made before it stay global, processes get
no organisation, and going back below it drops the per-organisation grants rather than widen them."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.clock import FakeClock
from bot.domain import Channel, OrganisationKind, RoleName
from bot.services import build_services
from storage import migrate
from storage.engine import make_engine, session_factory

NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_grants_made_before_organisations_stay_global_and_a_downgrade_drops_per_organisation_ones(
    database_url: str,
) -> None:
    migrate.upgrade(database_url, "0009_register_key")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            person = connection.execute(
                text(
                    "INSERT INTO person (language, reminders_opt_out, created_at) "
                    "VALUES ('pl', false, :at) RETURNING id"
                ),
                {"at": NOW},
            ).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO identity (person_id, channel, address, created_at) "
                    "VALUES (:person, 'telegram', '5001', :at)"
                ),
                {"person": person, "at": NOW},
            )
            connection.execute(
                text("INSERT INTO role (person_id, role, granted_at) VALUES (:person, 'moderator', :at)"),
                {"person": person, "at": NOW},
            )
        migrate.upgrade(database_url)
        sessions: sessionmaker[Session] = session_factory(engine)  # type: ignore[assignment]
        services = build_services(sessions, FakeClock(NOW), b"migration-test-secret-0123456789")
        before = services.people.find(Channel.TELEGRAM, "5001")
        assert before is not None
        assert (before.roles, before.moderates) == (frozenset({RoleName.MODERATOR}), frozenset())
        services.organisations.put("gmina-x", "Gmina X", OrganisationKind.GMINA)
        services.people.grant(None, Channel.TELEGRAM, "5002", RoleName.MODERATOR, organisation="gmina-x")
        config = migrate.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009_register_key")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT person_id, role FROM role ORDER BY id")).all()
        assert rows == [(person, "moderator")]  # the global grant kept, the one for gmina-x gone, not widened
    finally:
        engine.dispose()
