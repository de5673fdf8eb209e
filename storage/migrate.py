"""Bring a database to the current schema, and ask which revision it is at (``glos db upgrade`` calls these).

Alembic is configured in code from the migrations shipped inside the package (``storage/migrations``), so this
works from an installed wheel as well as from a checkout; ``storage/alembic.ini`` is only for running the
``alembic`` command by hand. The migration runs on a connection of :func:`storage.engine.make_engine`, inside
one transaction: on PostgreSQL and SQLite alike, a failing migration leaves the database as it was.

Alembic itself (about 30 MB resident) is imported only when there is something to migrate: every start of the
bot calls :func:`upgrade_engine`, which first compares the stored revision with :func:`shipped_head`, read from
the migration files as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL

from storage.engine import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["MIGRATIONS_DIR", "alembic_config", "current", "head", "shipped_head", "upgrade", "upgrade_engine"]

_REVISION = re.compile(r"^revision\b[^=]*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=]*=\s*(?:[\"']([^\"']+)[\"']|None)", re.MULTILINE)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic :class:`~alembic.config.Config` for the packaged migrations (no ``.ini`` file read)."""
    from alembic.config import Config

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
    if revision == "head" and _stored_revision(engine) == shipped_head():
        return  # the usual start: nothing to do, and no need to load Alembic
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current(url: str | URL) -> str | None:
    """The revision the database at ``url`` is at, or ``None`` if it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head() -> str | None:
    """The newest revision shipped with this code (what :func:`upgrade` goes to by default)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def shipped_head() -> str | None:
    """The newest revision, read from the migration files as text: the one no other revision builds on.

    Equal to :func:`head` (a test checks); None when the files do not name exactly one head, which makes
    :func:`upgrade_engine` ask Alembic.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            return None
        revisions.add(found.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None and down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    """The revision recorded in ``alembic_version`` (None for a new database or a branched one)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return rows[0][0] if len(rows) == 1 else None
