"""Fixtures for the web app: services on a fake clock and an HTTP client for the FastAPI app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.config import Settings
from bot.definition import load_definition_file
from bot.services import Services, build_services
from bot.web.app import create_web_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2027, 6, 20, 10, 0, tzinfo=UTC))


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    return build_services(session_factory, clock, b"web-test-secret-0123456789abcdef")  # type: ignore[arg-type]


@pytest.fixture
def client(services: Services) -> TestClient:
    return TestClient(create_web_app(services, Settings()))


@pytest.fixture
def load_example(services: Services, clock: FakeClock) -> Callable[[str], str]:
    """Import and open an example (the clock an hour past its opening); returns its slug."""

    def load(stem: str) -> str:
        definition = load_definition_file(EXAMPLES / f"{stem}.toml")
        if definition.opens_at is not None:
            clock.set(definition.opens_at + timedelta(hours=1))
        services.processes.import_definition(definition)
        services.processes.open(definition.slug)
        return definition.slug

    return load
