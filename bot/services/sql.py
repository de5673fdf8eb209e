"""Small SQL helpers for the hot paths: prepared insert-or-ignore and upsert on SQLite and PostgreSQL alike.

Casting a ballot is the busiest path in the bot. Building a SQLAlchemy statement costs more than running it on
SQLite, so hot statements are built once (with bind parameters) and executed with a parameter dict; the
dialect-specific ``INSERT … ON CONFLICT`` statements are built once per dialect and table.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import Insert

__all__ = ["ignore_statement", "insert_for", "insert_ignore", "upsert"]


def insert_for(dialect: str, table: Table) -> Any:
    """The dialect's ``INSERT`` (with ``on_conflict_do_*``) for ``table``."""
    return _insert(dialect, table)


def _insert(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for {dialect}")  # pragma: no cover


@cache
def ignore_statement(dialect: str, table: Table, keys: tuple[str, ...], returning: str | None = None) -> Insert:
    """``INSERT … ON CONFLICT (keys) DO NOTHING`` for ``dialect`` (built once), optionally ``RETURNING`` a column:
    the way to tell whether a row went in (psycopg reports no row count for it)."""
    statement: Insert = _insert(dialect, table).on_conflict_do_nothing(index_elements=list(keys))
    return statement if returning is None else statement.returning(table.c[returning])


@cache
def _upsert_statement(dialect: str, table: Table, keys: tuple[str, ...], update: tuple[str, ...]) -> Insert:
    statement = _insert(dialect, table)
    upserting: Insert = statement.on_conflict_do_update(
        index_elements=list(keys), set_={name: statement.excluded[name] for name in update}
    )
    return upserting


def insert_ignore(connection: Connection, table: Table, values: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    """Insert one row unless a row with the same ``keys`` (a unique constraint) exists."""
    connection.execute(ignore_statement(connection.dialect.name, table, keys), dict(values))


def upsert(
    connection: Connection, table: Table, values: Mapping[str, Any], keys: tuple[str, ...], update: tuple[str, ...]
) -> None:
    """Insert one row, or update the ``update`` columns of the row with the same ``keys``."""
    connection.execute(_upsert_statement(connection.dialect.name, table, keys, update), dict(values))
