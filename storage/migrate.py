"""Bring a database to the current schema, and ask which revision it is at (``glos db upgrade`` calls these).

Alembic is configured in code from the migrations shipped inside the package (``storage/migrations``), so this
works from an installed wheel as well as from a checkout; ``storage/alembic.ini`` is only for running the
``alembic`` command by hand. The migration runs on a connection of :func:`storage.engine.make_engine`, inside
one transaction: on PostgreSQL and SQLite alike, a failing migration leaves the database as it was.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from storage.engine import make_engine

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current", "head", "upgrade", "upgrade_engine"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic :class:`~alembic.config.Config` for the packaged migrations (no ``.ini`` file read)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (default: the newest), in one transaction.

    Creates every table on an empty database. Idempotent: at ``revision`` already, it does nothing.
    """
    engine = make_engine(url)
    try:
        upgrade_engine(engine, revision)
    finally:
        engine.dispose()


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Like :func:`upgrade`, on an existing engine (tests, or an application that already has one)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current(url: str | URL) -> str | None:
    """The revision the database at ``url`` is at, or ``None`` if it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head() -> str | None:
    """The newest revision shipped with this code (what :func:`upgrade` goes to by default)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
