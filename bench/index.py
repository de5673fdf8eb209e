"""The friendly-local-government index at the size of a region: 200 municipalities × 5 yearly editions × 2,000
responses each (10,000 ballots), every municipality an organisation with coordinates.

The store is filled directly (multi-row inserts of the ballots of five survey processes sharing one ``[index]
key``, one per year, then opened, closed and published through the services); the FastAPI app is then asked
through its ASGI interface (no network). Timed: the first index page (counting all five editions), the page
200 times from the cache (p95), the map of every edition in each language, each drawn for the first time
(uncached: no drawn map to reuse; the counted history is the cache's) — wall time and the CPU time the process
spent, which a machine shared with other work does not inflate — and the open data as CSV and JSON.
Targets: page ≤ 200 ms p95 with the cache, map ≤ 1 s uncached. Run: ``python -m bench.index``.
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

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.definition import load_definition
from bot.domain import Channel, OrganisationKind
from bot.web.app import create_web_app
from storage.models import Ballot

__all__ = ["definition_text", "main", "measure"]

AREAS = 200
YEARS = (2023, 2024, 2025, 2026, 2027)
RESPONSES = 2_000
CHUNK = 5_000
QUESTIONS = ("k1", "k2", "k3", "k4", "k5", "k6")
DIMENSIONS = (
    ("finansowa", ("k2", "k6")),
    ("pozafinansowa", ("k5",)),
    ("konsultacje", ("k1",)),
    ("lokale", ("k3", "k4")),
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def definition_text(year: int, areas: list[str]) -> str:
    """An edition of the region's index for ``year`` rating ``areas`` on six questions in four dimensions."""
    names = "\n".join(f'{area} = "Gmina {area.title()}"' for area in areas)
    dimensions = "".join(
        f'\n[[index.dimensions]]\nkey = "{key}"\nname = "{key.title()}"\nitems = {list(items)}\n'
        for key, items in DIMENSIONS
    ).replace("'", '"')
    items = "".join(f'\n[[items]]\nkey = "{key}"\nkind = "question"\ntitle = "Pytanie {key}"\n' for key in QUESTIONS)
    return (
        f'slug = "indeks-{year}"\nkind = "survey"\nresults = "after_publish"\n\n'
        f'[title]\npl = "Indeks przyjaznego samorządu {year}"\n\n'
        f'[eligibility]\nmode = "declared_district"\narea = "municipality"\n'
        f"districts = [{', '.join(f'{area!r}' for area in areas)}]\n\n"
        f"[eligibility.district_names]\n{names}\n\n"
        f'[index]\nkey = "indeks-regionu"\nyear = {year}\n{dimensions}\n'
        '[[pools]]\nkey = "main"\nballot = { rule = "score", min_score = 1, max_score = 5, require_all = true }\n'
        'counting = { rule = "score" }\n' + items
    ).replace("'", '"')


def measure(url: str, page_requests: int = 200) -> dict[str, float]:
    """Fill the store, then time the index page, the maps and the exports; returns milliseconds."""
    clock = FakeClock(datetime(2027, 12, 10, 10, 0, tzinfo=UTC))
    app = build_app(Settings(storage=StorageSettings(url=url)), clock=clock, secret=b"index-bench-secret-0123456789")
    services = app.services
    rng = random.Random(19)
    areas = [f"gmina{n:03d}" for n in range(AREAS)]
    for n, area in enumerate(areas):
        lat, lon = 49.5 + (n // 20) * 0.08 + rng.random() * 0.03, 19.0 + (n % 20) * 0.1 + rng.random() * 0.04
        services.organisations.add(area, f"Gmina {area.title()}", OrganisationKind.GMINA, lat=lat, lon=lon)
    # a few municipalities get too few responses every year: they stay "za mało odpowiedzi"
    weights = [0.1 if n % 25 == 0 else 1.0 + rng.random() for n in range(AREAS)]
    for year in YEARS:
        definition = load_definition(definition_text(year, areas))
        services.processes.import_definition(definition)
        process_id = services.processes.get(definition.slug).id
        leaning = {area: rng.uniform(-1.5, 1.5) for area in areas}
        rows = []
        with app.engine.begin() as connection:
            for n in range(RESPONSES):
                area = rng.choices(areas, weights)[0]
                scores = {q: max(1, min(5, round(3 + leaning[area] + rng.gauss(0, 1)))) for q in QUESTIONS}
                rows.append(
                    {
                        "process_id": process_id,
                        "ballot_key": f"{year:04d}{n:060x}",
                        "round": 1,
                        "revision": 1,
                        "content": {"main": scores, "@district": area},
                        "receipt_hash": f"{year:04d}{n:060x}",
                        "cast_at": clock.now(),
                        "channel": Channel.EMAIL,
                        "is_current": True,
                        "withdrawn": False,
                    }
                )
                if len(rows) == CHUNK:
                    connection.execute(insert(Ballot), rows)
                    rows = []
            if rows:
                connection.execute(insert(Ballot), rows)
        services.processes.open(definition.slug)
        services.processes.close(definition.slug)
        services.processes.publish(definition.slug)
    client = TestClient(create_web_app(services, app.settings))
    started = time.perf_counter()
    first = client.get("/indeks/indeks-regionu")
    first_ms = (time.perf_counter() - started) * 1000
    assert first.status_code == 200 and "za mało odpowiedzi" in first.text, first.text[:300]
    pages = []
    for _ in range(page_requests):
        started = time.perf_counter()
        response = client.get("/indeks/indeks-regionu")
        pages.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    maps, cpu = [], []
    for year in YEARS:
        for language in ("pl", "en", "uk"):
            started, used = time.perf_counter(), time.process_time()
            response = client.get(f"/indeks/indeks-regionu/mapa.png?rok={year}&lang={language}")
            maps.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)  # CPU of this process: the drawing, whatever the load
            assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    exports = {}
    for fmt in ("csv", "json"):
        started = time.perf_counter()
        response = client.get(f"/api/indexes/indeks-regionu/export.{fmt}")
        exports[fmt] = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
    app.close()
    return {
        "first page (counts 5 editions) ms": round(first_ms, 1),
        "page p95 (cache) ms": round(_percentile(pages, 0.95), 1),
        "map median (uncached) ms": round(statistics.median(maps), 1),
        "map max (uncached) ms": round(max(maps), 1),
        "map CPU median ms": round(statistics.median(cpu), 1),
        "CSV export ms": round(exports["csv"], 1),
        "JSON export ms": round(exports["json"], 1),
    }


def main() -> list[dict[str, float]]:
    """Measure on SQLite and print a markdown table."""
    with tempfile.TemporaryDirectory() as folder:
        row = measure(f"sqlite:///{Path(folder) / 'index.db'}")
    print("| " + " | ".join(row) + " |")
    print("|" + "---|" * len(row))
    print("| " + " | ".join(str(value) for value in row.values()) + " |")
    return [row]


if __name__ == "__main__":
    main()
