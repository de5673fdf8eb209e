"""Engine configuration: SQLite pragmas, URL handling, real transactions, the transaction helper."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from bot.domain import Channel
from storage.engine import READ_ONLY, SQLITE_BUSY_TIMEOUT_MS, make_engine, normalize_url, transaction
from storage.models import Identity, Person

Factory = sessionmaker[Session]


def test_sqlite_connections_have_wal_foreign_keys_synchronous_and_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.db")
    try:
        with engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
        assert pragma == {
            "journal_mode": "wal",
            "foreign_keys": 1,
            "synchronous": 1,  # NORMAL
            "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        }
        assert (tmp_path / "pragmas.db-wal").exists()
    finally:
        engine.dispose()


def test_sqlite_readers_do_not_wait_for_the_writer(tmp_path: Path) -> None:
    """A read-only connection reads its snapshot while a writer holds the lock (it would otherwise wait 5 s
    and fail): the bot's reads never queue behind a vote being stored."""
    engine = make_engine(f"sqlite:///{tmp_path}/readers.db")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.begin() as writer:
            writer.exec_driver_sql("INSERT INTO t VALUES (2)")
            with engine.connect() as reader:
                reader.execution_options(**{READ_ONLY: True})
                raw = reader.connection.dbapi_connection
                assert raw is not None
                raw.execute("PRAGMA busy_timeout = 1")  # fail fast if it were to wait
                with reader.begin():
                    assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
        with engine.connect() as reader:
            reader.execution_options(**{READ_ONLY: True})
            with reader.begin():
                assert reader.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2
    finally:
        engine.dispose()


def test_relative_sqlite_path_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite:///relative.db")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    finally:
        engine.dispose()
    assert (tmp_path / "relative.db").is_file()


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@db:5432/glos", "postgresql+psycopg"),
        ("postgres://u@db/glos", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/glos", "postgresql+psycopg"),
        ("sqlite:///glos.db", "sqlite"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given: str, driver: str) -> None:
    url = normalize_url(given)
    assert url.drivername == driver
    assert url.database == make_engine(given).url.database


def test_foreign_keys_are_enforced(session_factory: Factory) -> None:
    with pytest.raises(IntegrityError), transaction(session_factory) as session:
        session.add(Identity(person_id=424242, channel=Channel.TELEGRAM, address="1"))


def test_transaction_commits_on_success_and_rolls_back_on_error(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        kept = Person(display_name="Ala")
        session.add(kept)
    # expire_on_commit=False: the object is still readable outside the session.
    assert kept.id is not None and kept.display_name == "Ala"

    with pytest.raises(RuntimeError, match="boom"), transaction(session_factory) as session:
        session.add(Person(display_name="Ola"))
        session.flush()
        raise RuntimeError("boom")

    with transaction(session_factory) as session:
        assert session.exec(select(Person.display_name)).all() == ["Ala"]


def test_ddl_is_transactional(engine: Engine) -> None:
    # On SQLite this holds only because make_engine emits BEGIN itself (sqlite3's legacy mode would not).
    with pytest.raises(RuntimeError), engine.begin() as connection:
        connection.execute(text("CREATE TABLE scratch (x INTEGER)"))
        raise RuntimeError("roll it back")
    assert "scratch" not in inspect(engine).get_table_names()
