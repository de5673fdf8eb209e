"""Fixtures for the web app: services on a fake clock and an HTTP client for the FastAPI app."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.config import Settings
from bot.services import Services, build_services
from bot.web.app import create_web_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    return build_services(session_factory, clock, b"web-test-secret-0123456789abcdef")  # type: ignore[arg-type]


@pytest.fixture
def client(services: Services) -> TestClient:
    return TestClient(create_web_app(services, Settings()))
