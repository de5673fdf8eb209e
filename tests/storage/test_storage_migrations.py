"""Migrations bring an empty database to head, the result matches the models, and they go back down."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

import storage.models  # noqa: F401  (registers every table)
from storage import migrate
from storage.base import metadata
from storage.engine import make_engine

TABLES = {
    "person",
    "identity",
    "role",
    "dialogue_state",
    "process",
    "pool",
    "item",
    "roster_entry",
    "invite_code",
    "eligibility",
    "ballot",
    "participation",
    "opinion",
    "outbox_message",
    "audit_entry",
    "mail_token",
    "mail_message",
    "scheduler_job_run",
    "reminder_opt_out",
    "handled_update",
    "register_entry",
    "verified_voter",
    "verification_attempt",
    "link_code",
    "link_token",
    "tombstone",
    "organisation",
    "process_organisation",
    "replaced_ballots",
}


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_upgrade_from_empty_to_head(database_url: str) -> None:
    assert migrate.current(database_url) is None
    migrate.upgrade(database_url)
    assert migrate.current(database_url) == migrate.head() == "0012_roster_area"
    migrate.upgrade(database_url)  # at head already: nothing to do, no error
    engine = make_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert set(metadata.tables) == TABLES
    assert _diff(engine) == []


def test_comparison_would_see_a_difference(engine: Engine) -> None:
    # The no-diff test above is only worth something if compare_metadata notices a drift.
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_identity_person_id"))
    assert [entry[0] for entry in _diff(engine) if isinstance(entry, tuple)] == ["add_index"]


def test_constraint_names_follow_the_naming_convention(engine: Engine) -> None:
    inspector = inspect(engine)
    assert {c["name"] for c in inspector.get_unique_constraints("identity")} == {"uq_identity_channel_address"}
    assert {fk["name"] for fk in inspector.get_foreign_keys("participation")} == {
        "fk_participation_person_id_person",
        "fk_participation_process_id_process",
    }
    assert "uq_ballot_one_current" in {index["name"] for index in inspector.get_indexes("ballot")}


def test_downgrade_to_base_and_up_again(engine: Engine, database_url: str) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current(database_url) is None
    migrate.upgrade(database_url)
    assert migrate.current(database_url) == migrate.head()
    assert _diff(engine) == []


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert migrate.shipped_head() == migrate.head()


def test_a_start_on_an_up_to_date_store_does_not_load_alembic(database_url: str) -> None:
    """Alembic costs about 30 MB of resident memory; an idle bot on a migrated store should not carry it."""
    import subprocess
    import sys

    migrate.upgrade(database_url)
    program = (
        "import sys\n"
        "from storage.engine import make_engine\n"
        "from storage.migrate import upgrade_engine\n"
        f"engine = make_engine({database_url!r})\n"
        "upgrade_engine(engine)\n"
        "print('alembic' in sys.modules)\n"
    )
    loaded = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "False"
