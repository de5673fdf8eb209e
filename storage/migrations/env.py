"""Alembic environment for the Głos store (used by :mod:`storage.migrate` and by ``alembic -c``).

The connection comes, in order of preference, from ``config.attributes["connection"]`` (what
:func:`storage.migrate.upgrade` passes, so the engine has our SQLite pragmas and the caller's transaction),
from ``-x url=…`` on the command line, or from ``GLOS_DATABASE_URL``. SQLite migrations run in batch mode
(copy-and-move), because SQLite's ALTER TABLE cannot change or drop most things.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

import storage.models  # noqa: F401  (registers every table on the metadata)
from storage.base import metadata
from storage.engine import make_engine

config = context.config
if config.config_file_name is not None:
    # Only when run as `alembic -c storage/alembic.ini`; the application configures its own logging.
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("GLOS_DATABASE_URL")
    if not url:
        raise RuntimeError("no database: pass -x url=… or set GLOS_DATABASE_URL")
    return url


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade --sql``)."""
    context.configure(
        url=_url(),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the given connection, or a new engine for the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as new_connection:
            _configure_and_run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
