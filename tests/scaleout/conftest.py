"""Scale-out tests run on the real PostgreSQL server only (``GLOS_TEST_DATABASE_URL``; ``.ci/run`` sets it when
the server answers): several bot processes need a store they can share. Each test gets a fresh schema
(``glos_test_<pid>_<hex>``, the same naming as ``tests/conftest.py``, so the stale-schema sweep there drops ours
too); the advisory locks are keyed by schema, so concurrent runs do not elect each other's leaders."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest

from storage.engine import normalize_url

POSTGRES_URL_ENV = "GLOS_TEST_DATABASE_URL"


def libpq_url(url: str) -> str:
    """``url`` as psycopg takes it (no ``+psycopg``)."""
    return normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A SQLAlchemy URL of an empty schema of this test's own on the test PostgreSQL server."""
    base = os.environ.get(POSTGRES_URL_ENV)
    if not base:
        pytest.skip(f"scale-out needs PostgreSQL: set {POSTGRES_URL_ENV}")
    admin = libpq_url(base)
    try:
        with psycopg.connect(admin, connect_timeout=3, autocommit=True) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL is unreachable ({type(error).__name__}: {error})".strip())
    schema = f"glos_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    url = normalize_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
