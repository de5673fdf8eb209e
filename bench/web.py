"""The web page under load: results of 100,000 stored ballots, and the consultation report of 5,000 opinions.

The store is filled directly (multi-row inserts: ballots of a Warsaw-style budget; approved opinions with
responses); then the FastAPI app is asked through its ASGI interface (httpx, no network) for the results page
and the JSON results 200 times each, and for the report 5 times. Latencies are per request; the first results
request counts the ballots and fills the cache, later ones are served from it until a ballot changes.
Targets: results page and JSON ≤ 50 ms p95; report of 5,000 opinions ≤ 2 s. Run: ``python -m bench.web``.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from bot.app import build_app, load_example_organisations
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.definition import load_definition_file
from bot.domain import Channel, ModerationStatus, ResponseStatus
from bot.web.app import create_web_app
from storage.models import Ballot, Item, Opinion

__all__ = ["main", "measure"]

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CHUNK = 5000


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(url: str, ballots: int = 100_000, opinions: int = 5_000) -> dict[str, float]:
    """Fill the store, then time the pages; returns milliseconds."""
    clock = FakeClock(datetime(2027, 6, 20, 10, 0, tzinfo=UTC))
    app = build_app(Settings(storage=StorageSettings(url=url)), clock=clock, secret=b"web-bench-secret-0123456789")
    services = app.services
    budget = load_definition_file(EXAMPLES / "bo-warszawa-2027.toml")
    consultation = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
    load_example_organisations(services, EXAMPLES)  # the organisations the examples name
    for definition in (budget, consultation):
        services.processes.import_definition(definition)
    budget_id = services.processes.get(budget.slug).id
    consultation_id = services.processes.get(consultation.slug).id
    rng = random.Random(3)
    city = [item.key for item in budget.items_of("city")]
    wesola = [item.key for item in budget.items_of("wesola")]
    with app.engine.begin() as connection:
        rows = []
        for n in range(ballots):
            rows.append(
                {
                    "process_id": budget_id,
                    "ballot_key": f"{n:064x}",
                    "round": 1,
                    "revision": 1,
                    "content": {"city": rng.sample(city, 3), "wesola": rng.sample(wesola, 2), "@district": "wesola"},
                    "receipt_hash": f"{n:064x}",
                    "cast_at": clock.now(),
                    "channel": Channel.TELEGRAM,
                    "is_current": True,
                    "withdrawn": False,
                }
            )
            if len(rows) == CHUNK:
                connection.execute(insert(Ballot), rows)
                rows = []
        if rows:
            connection.execute(insert(Ballot), rows)
        sections = [
            row[0]
            for row in connection.execute(
                Item.__table__.select()
                .with_only_columns(Item.__table__.c.id)
                .where(  # type: ignore[attr-defined]
                    Item.__table__.c.process_id == consultation_id  # type: ignore[attr-defined]
                )
            )
        ]
        connection.execute(
            insert(Opinion),
            [
                {
                    "process_id": consultation_id,
                    "item_id": rng.choice(sections),
                    "person_id": None,
                    "channel": Channel.EMAIL,
                    "text": f"Opinia nr {n}: proszę doprecyzować zapis o konkursach ofert i terminach.",
                    "created_at": clock.now(),
                    "status": ModerationStatus.APPROVED,
                    "response_status": ResponseStatus.PARTIAL,
                    "response_text": "Uwzględniono częściowo: doprecyzowano terminy.",
                }
                for n in range(opinions)
            ],
        )
    for slug in (budget.slug, consultation.slug):
        services.processes.open(slug)
        services.processes.close(slug)
        services.processes.publish(slug)
    client = TestClient(create_web_app(services, app.settings))
    timings: dict[str, list[float]] = {"first results page": [], "results page": [], "results JSON": [], "report": []}
    for name, path, repeat in (
        ("first results page", f"/p/{budget.slug}", 1),
        ("results page", f"/p/{budget.slug}", 200),
        ("results JSON", f"/api/processes/{budget.slug}/results", 200),
        ("report", f"/p/{consultation.slug}/raport", 5),
    ):
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:200]
    app.close()
    return {
        "first results page ms": round(timings["first results page"][0], 1),
        "results page p95 ms": round(_percentile(timings["results page"], 0.95), 1),
        "results JSON p95 ms": round(_percentile(timings["results JSON"], 0.95), 1),
        "report median ms": round(statistics.median(timings["report"]), 1),
    }


def main() -> list[dict[str, float]]:
    """Measure on SQLite and print a markdown table."""
    with tempfile.TemporaryDirectory() as folder:
        row = measure(f"sqlite:///{Path(folder) / 'web.db'}")
    print("| " + " | ".join(row) + " |")
    print("|" + "---|" * len(row))
    print("| " + " | ".join(str(value) for value in row.values()) + " |")
    return [row]


if __name__ == "__main__":
    main()
