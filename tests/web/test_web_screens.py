"""Every page a person reads fits a phone: the playground and the results page of each example, in headless
Chromium at 1280 px and at 390 px (a phone), with no horizontal overflow at 390 px — the message box stays on
screen and no table is cut off. Screenshots go to ``test-artifacts/`` (git-ignored) for people to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.ballot_text import parse_ballot_text
from bot.config import Settings
from bot.domain import Channel, ModerationStatus, ProcessKind
from bot.services import Services
from bot.views.examples import example_ballot
from bot.web.app import create_web_app
from bot.web.serve import ThreadedServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
WIDTHS = (1280, 390)
PHONE = 390
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]

# What sticks out of the viewport: the page's own width, and any table, form field or button whose right edge
# is past it (a table inside a scrolling box is cut off for whoever does not think of scrolling it) — except a
# table in a labelled, focusable region of class "scroll": the index's ten-column ranking, which no phone fits.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) out.push('page ' + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('table, input, textarea, select, button, pre')) {
    const box = el.getBoundingClientRect();
    // A table too wide for any phone may scroll inside its own labelled, focusable region (class "scroll").
    const region = el.closest('.scroll[role=region][tabindex="0"]');
    if (region) {
      const right = region.getBoundingClientRect().right;
      if (right > width + 0.5) out.push('region ' + Math.round(right));
      continue;
    }
    if (box.width && box.right > width + 0.5) out.push(el.tagName + ' ' + Math.round(box.right));
    const parent = el.parentElement;
    if (el.tagName === 'TABLE' && parent && parent.scrollWidth > parent.clientWidth + 1) {
      out.push('TABLE clipped ' + parent.scrollWidth + ' > ' + parent.clientWidth);
    }
  }
  return out;
}"""


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
        )
        yield launched
        launched.close()


def _vote(services: Services, slug: str, voters: int = 4) -> None:
    """A few paper ballots (a moderator's, so no eligibility to arrange), or opinions in a consultation; then the
    process is closed and its results published."""
    definition = services.processes.get(slug).definition
    moderator = services.people.identify(Channel.CONSOLE, "moderator").person_id
    if definition.kind is ProcessKind.CONSULTATION:
        for number, section in enumerate(definition.sections()[:3]):
            author = services.people.identify(Channel.CONSOLE, f"autor{number}").person_id
            text = "Proszę wydłużyć termin składania ofert do 30 dni, bo małe organizacje nie zdążą."
            opinion = services.opinions.submit(slug, author, text, Channel.CONSOLE, section=section.key)
            services.opinions.moderate(opinion, ModerationStatus.APPROVED, actor_id=moderator)
        # and one rejected in moderation: the report lists it apart, in a table of its own
        author = services.people.identify(Channel.CONSOLE, "autor-odrzucony").person_id
        opinion = services.opinions.submit(slug, author, "Reklama.", Channel.CONSOLE)
        services.opinions.moderate(opinion, ModerationStatus.REJECTED, actor_id=moderator)
    else:
        districts = definition.eligibility.districts or [None]
        for number in range(voters * len(districts[:3])):
            district = districts[number % len(districts[:3])]
            text = example_ballot(definition, "pl", district)
            ballot = parse_ballot_text(definition, text, district=district)
            services.voting.cast_paper(slug, ballot, district=district, actor_id=moderator)
    services.processes.close(slug)
    services.processes.publish(slug)


def _shoot(page: Any, url: str, name: str) -> dict[int, list[str]]:
    """Screenshots of ``url`` at each width; what overflows at each."""
    overflow = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        overflow[width] = page.evaluate(_OVERFLOW)
    return overflow


def test_the_results_page_of_every_example_fits_a_phone(
    browser: Any, services: Services, load_example: Callable[[str], str]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    server = ThreadedServer(create_web_app(services, Settings())).start()
    try:
        page = browser.new_page(locale="pl-PL")
        found = {}
        for path in EXAMPLES:
            slug = load_example(path.stem)
            _vote(services, slug)
            found[path.stem] = _shoot(page, f"{server.url}/p/{slug}", f"results-{path.stem}")
            assert page.get_by_role("heading", level=1).inner_text() == services.processes.get(slug).title("pl")
            definition = services.processes.get(slug).definition
            if definition.kind is ProcessKind.CONSULTATION:  # its report is the page people read
                found[f"{path.stem} report"] = _shoot(page, f"{server.url}/p/{slug}/raport", f"report-{path.stem}")
            if definition.index is not None:  # the index's ranking of municipalities
                url = f"{server.url}/indeks/{definition.index.key}"
                found[f"{path.stem} index"] = _shoot(page, url, f"index-{path.stem}")
    finally:
        server.stop()
    assert {stem: widths[PHONE] for stem, widths in found.items() if widths[PHONE]} == {}


def test_the_playground_fits_a_phone_and_keeps_its_message_box_on_screen(
    browser: Any, glos_run: Callable[[datetime], Any]
) -> None:
    from playwright.sync_api import expect

    run = glos_run(datetime(2027, 6, 20, 10, 0, tzinfo=UTC))
    ARTIFACTS.mkdir(exist_ok=True)
    for width in WIDTHS:
        page = browser.new_page(locale="pl-PL", viewport={"width": width, "height": 844})
        page.goto(run.web.url + "/playground/")
        message = page.get_by_role("textbox", name="Wiadomość")
        message.fill("/start bo2027")
        message.press("Enter")
        expect(page.get_by_text("Witaj!", exact=False)).to_be_visible(timeout=15_000)
        page.get_by_role("button", name="Wesoła").click()
        expect(page.get_by_text("Zapisano dzielnicę: Wesoła", exact=False)).to_be_visible(timeout=15_000)
        message.fill("/koszyk")
        message.press("Enter")
        expect(page.get_by_text("Twój koszyk", exact=False).last).to_be_visible(timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / f"playground-{width}.png"))  # one screen high: the whole page
        box = message.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
        assert box["y"] + box["height"] <= 844, (width, box)  # the message box is on screen, not pushed below it
        if width == PHONE:
            assert page.evaluate(_OVERFLOW) == []
            # the e-mail pane comes below the chat on a phone: scrolled to, it fits too
            page.locator("#mail-pane").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"playground-{width}-mail.png"))
            assert page.evaluate(_OVERFLOW) == []
        page.close()
