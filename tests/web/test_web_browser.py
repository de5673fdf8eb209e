"""The pages in a real browser: headless Chromium (Debian's package) driven by Playwright.

Skipped with a reason where Chromium is not installed (``.ci/run`` installs it). Screenshots are saved to
``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain import Channel, ModerationStatus, ResponseStatus
from bot.services import Services
from bot.web.app import create_web_app
from bot.web.serve import ThreadedServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def base_url(services: Services) -> Iterator[str]:
    server = ThreadedServer(create_web_app(services, Settings())).start()
    yield server.url
    server.stop()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="pl-PL", accept_downloads=True
        )  # a phone
        yield context.new_page()
        context.close()
        browser.close()


def test_a_resident_reads_the_results_and_an_official_downloads_the_report(
    base_url: str, page: object, services: Services, load_example: Callable[[str], str]
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    budget = load_example("bo-warszawa-2027")
    for n in range(3):
        person = services.people.identify(Channel.CONSOLE, f"v{n}")
        services.eligibility.declare_district(budget, person.person_id, "wesola")
        services.voting.cast(budget, person.person_id, {"wesola": ["12"]}, Channel.CONSOLE)
    services.processes.close(budget)
    services.processes.publish(budget)
    consultation = load_example("konsultacje-program-wspolpracy-2027")
    author = services.people.identify(Channel.CONSOLE, "ngo")
    opinion = services.opinions.submit(
        consultation, author.person_id, "Więcej konkursów.", Channel.CONSOLE, section="§6"
    )
    services.opinions.moderate(opinion, ModerationStatus.APPROVED, actor_id=author.person_id)
    services.opinions.respond(opinion, ResponseStatus.ACCEPTED, "Dodano konkurs.", actor_id=author.person_id)
    services.processes.close(consultation)
    services.processes.publish(consultation)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(base_url + "/")
    page.get_by_role("link", name="Budżet obywatelski 2027").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budżet obywatelski 2027")
    table = page.get_by_role("table", name="Wesoła — ")
    expect(table.get_by_role("rowheader").first).to_contain_text("Siłownia plenerowa nad Glinianką")
    page.screenshot(path=str(ARTIFACTS / "results-phone.png"), full_page=True)
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(base_url + f"/p/{consultation}")
    page.get_by_role("link", name="Raport z konsultacji").click()
    expect(page.get_by_role("cell", name="Dodano konkurs.", exact=False)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="DOCX").click()
    assert download_info.value.suggested_filename == f"{consultation}-raport.docx"
    page.reload()
    page.keyboard.press("Tab")  # the skip link is the first stop for keyboard users
    expect(page.get_by_role("link", name="Przejdź do treści")).to_be_focused()
    page.screenshot(path=str(ARTIFACTS / "report-phone.png"), full_page=True)
