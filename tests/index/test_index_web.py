"""The index page, its map and its open data through the web app, on a real store."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from bot.config import Settings
from bot.domain import OrganisationKind
from bot.i18n import translator
from bot.services import Services
from bot.web.app import create_web_app
from tests.index.helpers import run_edition
from tests.index.test_index_service import Y2026, Y2027


def test_index_page_ranks_maps_and_exports(services: Services) -> None:
    run_edition(services, 2026, Y2026)
    run_edition(services, 2027, Y2027)
    # alfa and beta are organisations with coordinates (their names win); gamma is known only to the survey
    services.organisations.add("alfa", "Miasto i Gmina Alfa", OrganisationKind.GMINA, lat=50.0, lon=20.0)
    services.organisations.add("beta", "Gmina Beta", OrganisationKind.GMINA, lat=49.9, lon=19.8)
    client = TestClient(create_web_app(services, Settings()))
    page = client.get("/indeks/test-index?lang=pl")
    assert page.status_code == 200
    text = page.text
    assert "Indeks 2027" in text and "Ranking gmin 2027" in text and "Zmiana od 2026" in text
    assert 'href="/indeks/test-index?rok=2026&amp;lang=pl"' in text
    assert "Miasto i Gmina Alfa" in text and "4,50" in text and "za mało odpowiedzi" in text
    assert "Bez współrzędnych (poza mapą): Gmina Gamma." in text
    assert "Najwyżej: Miasto i Gmina Alfa (4,50), najniżej: Gmina Gamma (4,00)." in text
    assert "Historia indeksu" in text
    older = client.get("/indeks/test-index?rok=2026&lang=en")
    assert older.status_code == 200 and "Ranking of municipalities 2026" in older.text
    assert "Change since" not in older.text  # the first edition has nothing to change from
    assert client.get("/indeks/test-index?rok=2031").status_code == 404
    assert client.get("/indeks/nothing-here").status_code == 404
    picture = client.get("/indeks/test-index/mapa.png?rok=2027&lang=uk")
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    home = client.get("/?lang=pl").text
    assert '<a href="/indeks/test-index?lang=pl">Indeks 2027</a>' in home and "2026, 2027" in home
    edition_page = client.get("/p/indeks-2027?lang=pl").text
    assert 'href="/indeks/test-index?lang=pl"' in edition_page
    listed = client.get("/api/indexes").json()
    assert listed == [{"index": "test-index", "years": [2026, 2027]}]
    data = client.get("/api/indexes/test-index").json()
    alfa = [row for row in data["rows"] if row["area"] == "alfa" and row["year"] == 2027]
    assert [row["dimension"] for row in alfa] == ["overall", "finanse", "dialog"]
    assert alfa[0]["mean"] == 4.5 and alfa[0]["change"] == 0.5 and alfa[0]["area_name"] == "Miasto i Gmina Alfa"
    exported = client.get("/api/indexes/test-index/export.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2 * 3 * 3
    assert json.loads(client.get("/api/indexes/test-index/export.json").content)["rows"] == data["rows"]
    assert client.get("/api/indexes/test-index/export.xls").status_code == 400


def test_the_page_is_served_again_from_the_cache_until_a_ballot_changes(services: Services) -> None:
    run_edition(services, 2026, Y2026)
    client = TestClient(create_web_app(services, Settings()))
    first = client.get("/indeks/test-index")
    assert client.get("/indeks/test-index").text == first.text
    services.processes.extend  # noqa: B018 (the services are the same object the app reads)


def test_an_organisations_index_history(services: Services) -> None:
    run_edition(services, 2026, Y2026)
    run_edition(services, 2027, Y2027)
    found = services.index.area_history("beta")
    assert [(history.key, [(year, entry.published) for year, entry in years]) for history, years in found] == [
        ("test-index", [(2026, True), (2027, False)])
    ]
    assert services.index.area_history("nowhere") == []
    site = create_web_app(services, Settings()).state.site
    html = site.templates.get_template("_index_history.html").render(
        t=translator("pl"), lang="pl", area_indexes=services.index.area_history("alfa")
    )
    assert "<h2>Indeks przyjaznego samorządu</h2>" in html
    assert '<a href="/indeks/test-index?rok=2026&amp;lang=pl">2026</a>' in html
    assert '<td class="num">4,50</td>' in html and "+0,50" in html
    withheld = site.templates.get_template("_index_history.html").render(
        t=translator("pl"), lang="pl", area_indexes=services.index.area_history("beta")
    )
    assert withheld.count("za mało odpowiedzi") == 1 and "2,33" in withheld
    # the organisation's own page carries it, and the index page links the organisation's page
    services.organisations.add("beta", "Gmina Beta", OrganisationKind.GMINA, lat=49.9, lon=19.8)
    client = TestClient(create_web_app(services, Settings()))
    page = client.get("/o/beta?lang=pl").text
    assert "<h2>Indeks przyjaznego samorządu</h2>" in page and "2,33" in page and "za mało odpowiedzi" in page
    index_page = client.get("/indeks/test-index?lang=pl").text
    assert '<a href="/o/beta?lang=pl">Gmina Beta</a>' in index_page and '<a href="/o/alfa' not in index_page
