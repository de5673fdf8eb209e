"""The playground in a real browser: the whole `glos run` wiring (store, examples, the Bot API emulator,
python-telegram-bot, the web app) and a person who has no Telegram account voting and a moderator publishing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from bot.app import App, build_app, load_examples
from bot.clock import FakeClock
from bot.config import BotSettings, Settings, StorageSettings, TelegramSettings, WebSettings
from bot.domain import Channel
from bot.web.serve import ThreadedServer, free_port
from bot.workers import start_web
from storage.models import Ballot, Identity

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = [
    pytest.mark.chromium,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def running(glos_run: Callable[[datetime], Any]) -> tuple[App, App, ThreadedServer]:
    """The deployment's store, the playground's sandbox store and the web page."""
    run = glos_run(datetime(2027, 6, 20, 10, 0, tzinfo=UTC))
    return run.app, run.sandbox, run.web


def test_a_newcomer_votes_in_the_browser_and_a_moderator_publishes(running: tuple[App, App, ThreadedServer]) -> None:
    from playwright.sync_api import expect, sync_playwright

    app, sandbox, web = running
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"],
        )
        page = browser.new_page(locale="pl-PL")
        page.goto(web.url + "/playground/")
        message = page.get_by_role("textbox", name="Wiadomość")
        message.fill("/start bo2027")
        message.press("Enter")
        expect(page.get_by_text("Witaj!", exact=False)).to_be_visible(timeout=15_000)
        page.get_by_role("button", name="Wesoła").click()
        expect(page.get_by_text("Zapisano dzielnicę: Wesoła", exact=False)).to_be_visible(timeout=15_000)
        message.fill("/glosuj wesola: 12, 13")
        message.press("Enter")
        expect(page.get_by_text("Pokwitowanie:", exact=False)).to_be_visible(timeout=15_000)
        page.screenshot(path=str(ARTIFACTS / "playground-resident.png"), full_page=True)

        page.get_by_label("Jako kto piszesz").select_option(index=1)  # this browser's own moderator
        message.fill("/zamknij bo2027")
        message.press("Enter")
        page.get_by_role("button", name="Opublikuj wyniki").click(timeout=15_000)
        expect(page.get_by_text("Opublikowano wyniki", exact=False)).to_be_visible(timeout=15_000)

        # The deployment's public page knows nothing of it: the playground played in its sandbox.
        page.goto(web.url + "/p/bo2027")
        expect(page.get_by_role("table", name="Wesoła — ")).to_have_count(0)
        browser.close()
    assert sandbox.services.results.results("bo2027").turnout.by_channel == {"telegram": 1}
    assert app.services.processes.get("bo2027").phase.value == "open"
    with app.services.context.transaction() as session:  # not one pretend user, ballot or role reached it
        assert session.exec(select(Identity).where(Identity.channel == Channel.TELEGRAM)).all() == []
        assert session.exec(select(func.count()).select_from(Ballot)).one() == 0


def test_webhook_mode_serves_telegram_from_the_web_page(tmp_path: Path) -> None:
    import time

    import httpx

    port = free_port()
    settings = Settings(
        bot=BotSettings(admins=["console:moderator"], examples_dir=str(ROOT / "examples")),
        storage=StorageSettings(url=f"sqlite:///{tmp_path / 'glos.db'}"),
        telegram=TelegramSettings(emulator_port=free_port(), mode="webhook", webhook_secret="s3cret-hook"),
        web=WebSettings(port=port, public_url=f"http://127.0.0.1:{port}"),
    )
    app = build_app(settings, clock=FakeClock(datetime(2027, 6, 20, 10, 0, tzinfo=UTC)), secret=b"w" * 32)
    load_examples(app, ROOT / "examples", open_them=True)
    from handlers.launch import start

    runtime = start(app, lambda line: None)
    web = start_web(app, runtime, reuse_port=False)
    try:
        assert web.url.endswith(str(port))
        emulator = runtime.server.emulator  # type: ignore[union-attr]
        assert emulator.webhook_url == f"{web.url}/telegram/webhook"
        assert httpx.post(f"{web.url}/telegram/webhook", json={"update_id": 1}).status_code == 403
        emulator.ensure_user(1001, "Ania")
        emulator.send_text(1001, "/start bo2027")
        deadline = time.monotonic() + 15
        while not emulator.received(1001) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any("Witaj!" in message.text for message in emulator.received(1001))
        metrics = httpx.get(f"{web.url}/metrics").text
        assert "# TYPE glos_telegram_updates_total counter" in metrics
        assert "glos_telegram_updates_total 1" in metrics
    finally:
        web.stop()
        runtime.stop()
        app.close()
