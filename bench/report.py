"""The consultation report of 5,000 remarks in each format (HTML, DOCX, ODT, CSV).

A consultation of the example programme gets 5,000 approved remarks with positions from 1,000 authors (200 of
them NGOs on the roster), inserted directly into a fresh SQLite store; then each format is built as
``glos process export SLUG --format report-…`` builds it (:func:`bot.exports.export_process`: the report read
from the store, then rendered). Best of 3. Target: ≤ 3 s per format. Run: ``python -m bench.report``.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.app import build_app, load_example_organisations
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.definition import load_definition_file
from bot.domain import Channel, ModerationStatus, ResponseStatus
from bot.exports import export_process
from bot.services.eligibility import RosterRow
from storage.models import Identity, Item, Opinion, Person

__all__ = ["main"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "konsultacje-program-wspolpracy-2027.toml"
REMARKS = 5_000
AUTHORS = 1_000
NGOS = 200


def main() -> None:
    """Print the markdown table of the figures."""
    with tempfile.TemporaryDirectory() as folder:
        definition = load_definition_file(EXAMPLE)
        clock = FakeClock()
        clock.set(definition.opens_at + timedelta(hours=1))  # type: ignore[operator]
        settings = Settings(storage=StorageSettings(url=f"sqlite:///{folder}/glos.db"))
        application = build_app(settings, clock=clock, secret=b"bench-secret-key-0123456789")
        services = application.services
        try:
            load_example_organisations(services, EXAMPLE.parent)  # the organisations the examples name
            services.processes.import_definition(definition)
            slug = definition.slug
            services.processes.open(slug)
            services.eligibility.import_roster(
                slug,
                [RosterRow(Channel.EMAIL, f"ngo{n}@example.org", None, f"Stowarzyszenie nr {n}") for n in range(NGOS)],
            )
            now = clock.now()
            with services.context.connection() as connection:
                process_id = services.processes.get(slug).id
                items = [
                    row[0]
                    for row in connection.execute(
                        Item.__table__.select()
                        .with_only_columns(Item.__table__.c.id)
                        .where(  # type: ignore[attr-defined]
                            Item.__table__.c.process_id == process_id  # type: ignore[attr-defined]
                        )
                    )
                ]
                connection.execute(
                    insert(Person), [{"id": 1000 + n, "language": "pl", "created_at": now} for n in range(AUTHORS)]
                )
                connection.execute(
                    insert(Identity),
                    [
                        {
                            "person_id": 1000 + n,
                            "channel": Channel.EMAIL if n < NGOS else Channel.TELEGRAM,
                            "address": f"ngo{n}@example.org" if n < NGOS else str(900_000 + n),
                            "created_at": now,
                        }
                        for n in range(AUTHORS)
                    ],
                )
                statuses = list(ResponseStatus)
                connection.execute(
                    insert(Opinion),
                    [
                        {
                            "process_id": process_id,
                            "item_id": items[n % len(items)],
                            "person_id": 1000 + n % AUTHORS,
                            "channel": Channel.EMAIL if n % AUTHORS < NGOS else Channel.TELEGRAM,
                            "text": f"Uwaga {n}: proszę doprecyzować zapis i dopisać termin realizacji zadania.",
                            "created_at": now,
                            "status": ModerationStatus.APPROVED if n % 50 else ModerationStatus.REJECTED,
                            "response_status": statuses[n % len(statuses)],
                            "response_text": "Uwzględniono w projekcie po konsultacjach z wydziałem.",
                        }
                        for n in range(REMARKS)
                    ],
                )
            services.processes.close(slug)
            print(f"{REMARKS} remarks from {AUTHORS} authors ({NGOS} NGOs on the roster)")
            print("| format | seconds (best of 3) | size (KB) | target |\n|---|---:|---:|---:|")
            for fmt in ("report-html", "report-docx", "report-odt", "report-csv"):
                best = float("inf")
                size = 0
                for _ in range(3):
                    started = time.perf_counter()
                    size = len(export_process(services, slug, fmt).content)
                    best = min(best, time.perf_counter() - started)
                print(f"| {fmt} | {best:.3f} | {size // 1024} | ≤ 3 |")
        finally:
            application.close()


if __name__ == "__main__":
    main()
