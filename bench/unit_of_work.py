"""What one resident's ``/glosuj`` costs the store: transactions begun and SQL statements sent.

The console channel runs ``/glosuj bo2027 city: 1, 2; wesola: 10`` for a resident who has declared her district
(Warsaw's budget example), first a vote, then a changed vote. SQLAlchemy's ``begin`` and
``before_cursor_execute`` events count what reaches the store: every transaction (SQLite's ``BEGIN`` is one of
the statements it counts; PostgreSQL's reads run in autocommit) and every statement. The target of issue #12 is
at most 2 transactions and 8 statements. Run: ``python -m bench.unit_of_work`` (PostgreSQL from
``GLOS_BENCH_DATABASE_URL``, default the local server when it answers).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.support import postgres_url
from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.console import ConsoleChannel
from bot.definition import load_definition_file

__all__ = ["main", "measure"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bo-warszawa-2027.toml"
VOTES = ("/glosuj bo2027 city: 1, 2; wesola: 10", "/glosuj bo2027 city: 3; wesola: 12")


def measure(url: str) -> list[dict[str, Any]]:
    """Transactions and statements of each vote in :data:`VOTES`, with the first words of each statement."""
    settings = Settings(storage=StorageSettings(url=url))
    app = build_app(settings, clock=FakeClock(datetime(2027, 6, 20, 12, 0, tzinfo=UTC)), secret=b"b" * 32)
    try:
        app.services.processes.import_definition(load_definition_file(EXAMPLE))
        app.services.processes.open("bo2027")
        console = ConsoleChannel(app.services, app.commands, "kasia")
        console.handle("/dzielnica bo2027 wesola")
        counted: dict[str, list[str]] = {"begin": [], "statements": []}

        def on_begin(connection: Any) -> None:
            counted["begin"].append("begin")

        def on_statement(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
            counted["statements"].append(" ".join(statement.split()[:4]))

        event.listen(app.engine, "begin", on_begin)
        event.listen(app.engine, "before_cursor_execute", on_statement)
        rows = []
        for line in VOTES:
            counted["begin"].clear()
            counted["statements"].clear()
            replies = console.handle(line)
            assert replies and ("Przyjęto" in replies[0] or "Zmieniono" in replies[0]), replies
            rows.append(
                {
                    "store": url.split(":", 1)[0].split("+")[0],
                    "command": line.split(":")[0] + " …",
                    "transactions": len(counted["begin"]),
                    "statements": len(counted["statements"]),
                    "sql": list(counted["statements"]),
                }
            )
        return rows
    finally:
        app.close()


def main() -> None:
    """Print the figures for SQLite and, when it answers, PostgreSQL."""
    with tempfile.TemporaryDirectory() as folder:
        rows = measure(f"sqlite:///{folder}/unit.db")
    postgres = postgres_url("bench_unit")
    if postgres is not None:
        rows += measure(postgres)
    for row in rows:
        print(
            f"{row['store']:10} {row['command']:24} transactions={row['transactions']} statements={row['statements']}"
        )
        for statement in row["sql"]:
            print(f"    {statement}")


if __name__ == "__main__":
    main()
