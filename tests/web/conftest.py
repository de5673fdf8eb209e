"""Fixtures for the web app: services on a fake clock and an HTTP client for the FastAPI app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app import App, build_app, load_examples
from bot.clock import FakeClock
from bot.config import BotSettings, Settings, StorageSettings, TelegramSettings, WebSettings
from bot.services import Services, build_services
from bot.web.app import create_web_app
from bot.web.serve import ThreadedServer, free_port
from bot.workers import start_playground, start_web
from mail.playground import PlaygroundMail

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    return build_services(session_factory, clock, b"web-test-secret-0123456789abcdef")  # type: ignore[arg-type]


@pytest.fixture
def client(services: Services) -> TestClient:
    return TestClient(create_web_app(services, Settings()))


@dataclass
class GlosRun:
    """``glos run``'s wiring on free ports, without a token: the deployment's store with the examples open, the web
    page, and the playground on a sandbox of its own (``sandbox``: its store, ``mail``: its captured e-mail)."""

    app: App
    web: ThreadedServer
    sandbox: App
    mail: PlaygroundMail


@pytest.fixture
def glos_run(tmp_path: Path) -> Iterator[Callable[[datetime], GlosRun]]:
    """Start ``glos run``'s wiring with the clock at the given moment (once per test); stopped afterwards."""
    stops: list[Callable[[], None]] = []

    def start(now: datetime) -> GlosRun:
        settings = Settings(
            bot=BotSettings(admins=["console:moderator"], examples_dir=str(EXAMPLES)),
            storage=StorageSettings(url=f"sqlite:///{tmp_path / 'glos.db'}"),
            telegram=TelegramSettings(emulator_port=free_port()),
            web=WebSettings(port=free_port()),
        )
        clock = FakeClock(now)
        app = build_app(settings, clock=clock, secret=b"p" * 32)
        stops.append(app.close)
        load_examples(app, EXAMPLES, open_them=True)
        playground = start_playground(app, lambda line: None, clock=clock)
        stops.append(playground.stop)
        web = start_web(app, None, playground, reuse_port=False)
        stops.append(web.stop)
        return GlosRun(app, web, playground.app, playground.mail)

    yield start
    for stop in reversed(stops):
        stop()
