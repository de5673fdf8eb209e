"""The organisations' pages: the home page groups organisations by kind, ``/o/SLUG`` lists what one runs (never a
draft) with its phases, dates, results and reports, its parent and members; everything written is escaped; and a
reader finds their way from the home page to a process in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.domain import Channel, OrganisationKind
from bot.services import Services
from tests.web.test_web_browser import CHROMIUM, base_url, page  # noqa: F401  (the browser fixtures)

MARKUP = "<script>alert(1)</script><b>gruba</b>"


def _text(html: str) -> str:
    """The page as text, tags dropped and white space folded (what a reader sees, in order)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_home_page_groups_organisations_by_kind(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    text = _text(response.text)
    section = text[text.index("Organizacje Miasta") :]
    assert section.startswith(
        "Organizacje Miasta Gmina Lublin Gmina Miejska Kraków Miasto Stołeczne Warszawa "
        "Powiaty Powiat Krakowski Powiat Wielicki "
        "Gminy Gmina Miasta Bochnia Gmina Myślenice Gmina Niepołomice Gmina Skawina Gmina Wieliczka "
        "Federacje organizacji Małopolska Federacja Organizacji Pozarządowych "
        "Organizacje pozarządowe Fundacja Aktywni Razem Stowarzyszenie Zielona Wieliczka"
    )
    assert '<a href="/o/krakow?lang=pl">Gmina Miejska Kraków</a>' in response.text
    english = _text(client.get("/?lang=en").text)
    assert "Organisations Cities Gmina Lublin" in english and "Federations of NGOs" in english


def test_an_organisation_page_lists_its_public_processes_with_results_and_reports(
    client: TestClient, services: Services, load_example: Callable[..., str]
) -> None:
    budget = load_example("bo-krakow-2027")
    poll = load_example("sondaz-deliberatywny-transport")  # Kraków's too
    services.processes.close(poll)
    services.processes.publish(poll)
    draft = services.processes.get(budget).definition.model_copy(update={"slug": "bo-krakow-2028"})
    services.processes.import_definition(draft)  # a draft: never on a public page
    consultation = load_example("konsultacje-program-wspolpracy-2027")  # Wieliczka's

    response = client.get("/o/krakow")
    assert response.status_code == 200
    html = response.text
    text = _text(html)
    assert text.count("Gmina Miejska Kraków") == 2  # the title and the heading
    assert "miasto · TERYT 1261011" in text
    assert "bo-krakow-2028" not in html
    rows = text[text.index("Proces Etap Termin Wyniki i raporty") :]
    assert rows.startswith(
        "Proces Etap Termin Wyniki i raporty Sondaż deliberatywny: transport publiczny w mieście Sondaż deliberatywny "
        "wyniki opublikowane"
    )
    assert f'<a href="/p/{poll}?lang=pl#results-heading">Wyniki</a>' in html
    assert f'<a href="/api/processes/{poll}/export.csv">CSV</a>' in html
    assert f'<a href="/p/{budget}?lang=pl">' in html and "wyniki jeszcze niejawne" in text
    assert client.get(f"/api/processes/{poll}/export.csv").status_code == 200  # the link leads somewhere

    wieliczka = client.get("/o/wieliczka?lang=en")
    assert wieliczka.status_code == 200 and '<html lang="en">' in wieliczka.text
    assert f'<a href="/p/{consultation}/raport?lang=en">' in wieliczka.text
    assert 'part of <a href="/o/powiat-wielicki?lang=en">Powiat Wielicki</a>' in wieliczka.text
    federation = _text(client.get("/o/federacja-malopolska").text)
    members = "Należą do niej Fundacja Aktywni Razem organizacja pozarządowa Stowarzyszenie Zielona Wieliczka"
    assert members in federation
    assert "Ta organizacja nie prowadzi jeszcze żadnego jawnego procesu." in federation
    listed = client.get("/api/processes").json()
    assert {entry["slug"]: entry["organisation"] for entry in listed} == {
        budget: "krakow",
        poll: "krakow",
        consultation: "wieliczka",
    }
    organisations = {entry["slug"]: entry for entry in client.get("/api/organisations").json()}
    assert organisations["wieliczka"] == {
        "slug": "wieliczka",
        "name": "Gmina Wieliczka",
        "kind": "gmina",
        "teryt": "1219053",
        "lat": 49.9871,
        "lon": 20.0647,
        "parent": "powiat-wielicki",
    }
    missing = client.get("/o/nie-ma")
    assert missing.status_code == 404 and "Nie ma takiej organizacji: nie-ma." in missing.text
    junk = client.get("/o/" + "x" * 300)
    assert junk.status_code == 404 and "x" * 41 not in junk.text


def test_what_an_organisation_is_called_is_escaped(client: TestClient, services: Services) -> None:
    services.organisations.add("xss", f"Fundacja {MARKUP}", OrganisationKind.NGO, parent="federacja-malopolska")
    services.organisations.add("xss-2", f"Koło {MARKUP}", OrganisationKind.NGO, parent="xss")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;gruba&lt;/b&gt;"
    for path, name in (
        ("/", "Fundacja"),
        ("/o/xss", "Koło"),
        ("/o/xss-2", "Fundacja"),
        ("/o/federacja-malopolska", "Fundacja"),
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert "<script>" not in response.text and "<b>gruba</b>" not in response.text, path
        assert f"{name} {escaped}" in response.text, path
    assert "<title>Fundacja &lt;script&gt;" in client.get("/o/xss").text


@pytest.mark.chromium
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)")
def test_a_reader_goes_from_the_home_page_to_an_organisation_and_its_process(
    base_url: str,  # noqa: F811
    page: object,  # noqa: F811
    services: Services,
    load_example: Callable[..., str],
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    budget = load_example("zielony-budzet-wieliczka")
    for n in range(3):
        voter = services.people.identify(Channel.CONSOLE, f"v{n}")
        services.voting.cast(budget, voter.person_id, {"main": ["2"]}, Channel.CONSOLE)
    services.processes.close(budget)
    services.processes.publish(budget)
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", name="Gminy", level=3)).to_be_visible()
    page.get_by_role("link", name="Gmina Wieliczka").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gmina Wieliczka")
    row = page.get_by_role("row", name=re.compile("Zielony Budżet"))
    expect(row).to_contain_text("wyniki opublikowane")
    row.get_by_role("link", name="Wyniki").click()
    expect(page.get_by_role("heading", level=2, name="Wyniki")).to_be_visible()
    page.goto(base_url + "/o/wieliczka")
    page.get_by_role("link", name="Powiat Wielicki").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Powiat Wielicki")
    expect(page.get_by_role("link", name="Gmina Niepołomice")).to_be_visible()
