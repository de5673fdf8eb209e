"""Fixtures for the web app: services on a fake clock and an HTTP client for the FastAPI app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import App, build_app, load_examples
from bot.clock import FakeClock
from bot.config import BotSettings, Settings, StorageSettings, TelegramSettings, WebSettings
from bot.services import Services, build_services
from bot.web.app import create_web_app
from bot.web.serve import ThreadedServer, free_port
from bot.workers import start_playground_mail, start_web

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    return build_services(session_factory, clock, b"web-test-secret-0123456789abcdef")  # type: ignore[arg-type]


@pytest.fixture
def client(services: Services) -> TestClient:
    return TestClient(create_web_app(services, Settings()))


@dataclass
class GlosRun:
    """``glos run``'s wiring on free ports: the store with the examples open, the emulator, the bot, the web page
    with the playground, and (``mail``) the playground's captured e-mail."""

    app: App
    web: ThreadedServer
    mail: Any


@pytest.fixture
def glos_run(tmp_path: Path) -> Iterator[Callable[[datetime], GlosRun]]:
    """Start ``glos run``'s wiring with the clock at the given moment (once per test); stopped afterwards."""
    stops: list[Callable[[], None]] = []

    def start(now: datetime) -> GlosRun:
        from handlers.launch import start as start_telegram

        settings = Settings(
            bot=BotSettings(admins=["console:moderator"], examples_dir=str(EXAMPLES)),
            storage=StorageSettings(url=f"sqlite:///{tmp_path / 'glos.db'}"),
            telegram=TelegramSettings(emulator_port=free_port()),
            web=WebSettings(port=free_port()),
        )
        app = build_app(settings, clock=FakeClock(now), secret=b"p" * 32)
        stops.append(app.close)
        load_examples(app, EXAMPLES, open_them=True)
        runtime = start_telegram(app, lambda line: None)
        stops.append(runtime.stop)
        mail = start_playground_mail(app, runtime, lambda line: None)
        if mail is not None:
            stops.append(mail.stop)
        web = start_web(app, runtime, mail, reuse_port=False)
        stops.append(web.stop)
        return GlosRun(app, web, mail)

    yield start
    for stop in reversed(stops):
        stop()
