"""Pages escape what moderators and residents wrote: markup in a process title or a project's name is shown as
text on the index and the results page, never run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from bot.clock import FakeClock
from bot.definition import load_definition
from bot.domain import Channel
from bot.services import Services

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MARKUP = "<script>alert(1)</script><b>gruba</b>"


def test_markup_in_titles_and_project_names_is_escaped(
    client: TestClient, services: Services, clock: FakeClock
) -> None:
    source = (EXAMPLES / "zielony-budzet-wieliczka.toml").read_text(encoding="utf-8")
    source = source.replace('slug = "zielony-budzet-wieliczka-2027"', 'slug = "zielony-xss"')
    source = source.replace("Łąka kwietna przy ul. Daniłowicza", f"Łąka {MARKUP}")
    source = source.replace('pl = "Zielony Budżet Gminy Wieliczka 2027"', f'pl = "Zielony {MARKUP}"', 1)
    definition = load_definition(source)
    assert definition.opens_at is not None
    clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    services.processes.open("zielony-xss")
    for number in range(3):
        person = services.people.identify(Channel.CONSOLE, f"v{number}")
        services.voting.cast("zielony-xss", person.person_id, {"main": ["2"]}, Channel.CONSOLE)
    services.processes.close("zielony-xss")
    services.processes.publish("zielony-xss")
    for path in ("/", "/p/zielony-xss"):
        page = client.get(path)
        assert page.status_code == 200
        assert "<script>" not in page.text and "<b>gruba</b>" not in page.text, path
        assert "&lt;script&gt;" in page.text and "&lt;b&gt;gruba&lt;/b&gt;" in page.text, path
    assert "Łąka &lt;script&gt;" in client.get("/p/zielony-xss").text
