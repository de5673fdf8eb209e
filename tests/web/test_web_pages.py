"""The public web app: results only once visible, the consultation report, the JSON API, health and metrics."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import docx
from fastapi.testclient import TestClient

from bot.definition import load_definition_file
from bot.domain import Channel, ModerationStatus, ResponseStatus
from bot.services import Services

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _vote(services: Services, slug: str, name: str, district: str, ballot: dict[str, list[str]]) -> None:
    person = services.people.identify(Channel.CONSOLE, name)
    services.eligibility.declare_district(slug, person.person_id, district)
    services.voting.cast(slug, person.person_id, ballot, Channel.CONSOLE)  # type: ignore[arg-type]


def test_results_page_shows_nothing_until_published_then_the_winners(
    client: TestClient, services: Services, load_example: Callable[[str], str]
) -> None:
    slug = load_example("bo-warszawa-2027")
    for n in range(3):
        _vote(services, slug, f"v{n}", "wesola", {"wesola": ["12", "13"], "city": ["2"]})
    page = client.get(f"/p/{slug}")
    assert page.status_code == 200
    assert "Budżet obywatelski 2027" in page.text
    assert "nie są jeszcze jawne" in page.text and "Siłownia plenerowa" not in page.text
    assert client.get(f"/api/processes/{slug}/results").status_code == 403
    assert client.get(f"/api/processes/{slug}/export.csv").status_code == 403
    assert client.get(f"/p/{slug}/chart.png").status_code == 403
    services.processes.close(slug)
    assert client.get(f"/api/processes/{slug}/results").status_code == 403  # closed, not yet published
    services.processes.publish(slug)
    page = client.get(f"/p/{slug}?lang=en")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "12. Outdoor gym by the Glinianka pond" in page.text and "<caption>" in page.text
    assert "too few votes (below the threshold)" in page.text
    assert "Turnout by district" in page.text and '<img src="/p/bo2027/chart.png?lang=en" alt="' in page.text
    chart = client.get(f"/p/{slug}/chart.png")
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    data = client.get(f"/api/processes/{slug}/results").json()
    assert data["rounds"][0]["wesola"]["ballots"] == 3
    assert data["turnout"]["participants"] == 3
    exported = client.get(f"/api/processes/{slug}/export.pb?pool=wesola")
    assert exported.status_code == 200 and exported.text.startswith("META")


def test_results_are_recounted_when_ballots_change(
    client: TestClient, services: Services, load_example: Callable[[str], str]
) -> None:
    slug = load_example("uchwala-tak-nie")  # results visible after close
    services.eligibility.import_roster(slug, [])
    services.processes.close(slug)
    first = client.get(f"/api/processes/{slug}/results").json()
    assert first["turnout"]["participants"] == 0
    services.processes.extend(slug, services.context.clock.now().replace(year=2028))
    person = services.people.identify(Channel.CONSOLE, "jan")
    from bot.services.eligibility import RosterRow

    services.eligibility.import_roster(slug, [RosterRow(Channel.CONSOLE, "jan")])
    services.voting.cast(slug, person.person_id, {"main": {"uchwala1": "yes"}}, Channel.CONSOLE)
    services.processes.close(slug)
    second = client.get(f"/api/processes/{slug}/results").json()
    assert second["turnout"]["participants"] == 1


def test_consultation_report_groups_opinions_with_the_response(
    client: TestClient, services: Services, load_example: Callable[[str], str]
) -> None:
    slug = load_example("konsultacje-program-wspolpracy-2027")
    ngo = services.people.identify(Channel.CONSOLE, "fundacja", display_name="Fundacja Razem")
    kept = services.opinions.submit(
        slug, ngo.person_id, "Dopisać <script>alert(1)</script> jawność.", Channel.CONSOLE, section="§3"
    )
    dropped = services.opinions.submit(slug, ngo.person_id, "Spam", Channel.CONSOLE)
    admin = services.people.identify(Channel.CONSOLE, "moderator")
    services.opinions.moderate(kept, ModerationStatus.APPROVED, actor_id=admin.person_id)
    services.opinions.moderate(dropped, ModerationStatus.REJECTED, actor_id=admin.person_id)
    services.opinions.respond(kept, ResponseStatus.PARTIAL, "Dopisano odesłanie.", actor_id=admin.person_id)
    assert client.get(f"/p/{slug}/raport").status_code == 403
    services.processes.close(slug)
    services.processes.publish(slug)
    report = client.get(f"/p/{slug}/raport")
    assert report.status_code == 200
    assert "§3" in report.text and "uwzględniono częściowo" in report.text and "Dopisano odesłanie." in report.text
    assert "Spam" not in report.text
    assert "<script>alert(1)</script>" not in report.text and "&lt;script&gt;" in report.text
    assert "Fundacja Razem" in report.text  # this process names authors (anonymous_report = false)
    assert "Wpłynęło opinii: 2, opublikowanych po moderacji: 1." in report.text
    csv_text = client.get(f"/p/{slug}/raport.csv").content.decode("utf-8-sig")
    assert "Dopisano odesłanie." in csv_text and "Spam" not in csv_text
    docx_bytes = client.get(f"/p/{slug}/raport.docx").content
    document = docx.Document(io.BytesIO(docx_bytes))
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert "§3" in cells and any("Dopisano odesłanie." in cell for cell in cells)
    assert not any("Spam" in cell for cell in cells)


def test_unknown_and_draft_processes_are_404_pages_not_tracebacks(
    client: TestClient, services: Services, load_example: Callable[[str], str]
) -> None:
    missing = client.get("/p/nie-ma")
    assert missing.status_code == 404 and "Nie ma procesu" in missing.text and "Traceback" not in missing.text
    assert client.get("/api/processes/nie-ma/results").json()["error"] == "process.not_found"
    slug = load_example("uchwala-tak-nie")
    services.processes.close(slug)
    draft = load_definition_file(EXAMPLES / "bo-krakow-2027.toml")
    services.processes.import_definition(draft)
    assert client.get(f"/p/{draft.slug}").status_code == 404
    assert draft.slug not in client.get("/").text
    assert slug in [entry["slug"] for entry in client.get("/api/processes").json()]


def test_health_metrics_and_openapi(client: TestClient, services: Services) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    services.context.metrics.inc("glos_telegram_updates_total", 2, doc="Telegram updates handled.")
    metrics = client.get("/metrics").text
    # One registry: the web app's request counter sits beside what the channels count (the 2nd request is this one).
    assert "# TYPE glos_http_requests_total counter\nglos_http_requests_total 2\n" in metrics
    assert "glos_telegram_updates_total 2\n" in metrics
    assert "# TYPE glos_outbox_unsent gauge\nglos_outbox_unsent 0\n" in metrics
    assert "/api/processes/{slug}/results" in client.get("/openapi.json").json()["paths"]
    assert client.get("/static/style.css").status_code == 200
