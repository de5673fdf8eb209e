"""Helpers shared by the benchmarks."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

__all__ = ["postgres_url"]


def postgres_url(schema: str) -> str | None:
    """A URL of the benchmark's PostgreSQL (``GLOS_BENCH_DATABASE_URL``, default the local server) whose
    ``search_path`` is a fresh, empty ``schema``; None when the server does not answer."""
    url = os.environ.get("GLOS_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    except Exception:
        return None
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"
