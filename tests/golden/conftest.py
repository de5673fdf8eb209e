"""Golden transcripts: services on a fake clock, console users, and the flag that rewrites the golden files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.commands.registry import COMMANDS
from bot.console import ConsoleChannel
from bot.services import Services, build_services

SECRET = b"test-secret-key-not-for-production"


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    built = build_services(session_factory, clock, SECRET)  # type: ignore[arg-type]
    built.people.ensure_admins(["console:moderator"])
    return built


@pytest.fixture
def console(services: Services, tmp_path: Path) -> Callable[..., ConsoleChannel]:
    def make(user: str, language: str | None = None) -> ConsoleChannel:
        return ConsoleChannel(services, COMMANDS, user, downloads=tmp_path / "downloads", language=language)

    return make


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Rewrite the golden files instead of comparing (``--update-golden`` or ``GLOS_UPDATE_GOLDEN=1``); review the
    diff before committing it."""
    return bool(request.config.getoption("--update-golden")) or os.environ.get("GLOS_UPDATE_GOLDEN") == "1"
