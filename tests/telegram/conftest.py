"""The Telegram channel under test: the real python-telegram-bot talking to the emulator over loopback HTTP.

``telegram`` starts an emulator server (no flood control unless a test asks), builds the bot on the core's
services (fake clock), starts long polling, and gives :class:`Harness` to act as users. Every step waits until
the bot has *finished* handling the update (a last-group handler marks it), so transcripts are deterministic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.services import Services, build_services
from handlers.emulator import Emulator, EmulatorServer, FloodLimits
from handlers.emulator.harness import Harness

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SECRET = b"test-secret-key-not-for-production"
MODERATOR_ID = 900


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """All services on the test store; Telegram user 900 is an admin."""
    built = build_services(session_factory, clock, SECRET)  # type: ignore[arg-type]
    built.people.ensure_admins([str(MODERATOR_ID)])
    return built


@pytest.fixture
def limits() -> FloodLimits:
    """Flood control for the emulator (off for conversations; tests override)."""
    return FloodLimits.off()


@pytest.fixture
def emulator(limits: FloodLimits) -> Emulator:
    """A fresh emulated Telegram with a resident (101, Polish), an English resident (102) and the admin (900)."""
    emulated = Emulator(limits=limits)
    emulated.user(101, "Ania", "pl")
    emulated.user(102, "Emma", "en")
    emulated.user(MODERATOR_ID, "Moderator", "pl")
    return emulated


@pytest.fixture
async def telegram(emulator: Emulator, services: Services) -> AsyncIterator[Harness]:
    """The running bot on the emulator over loopback HTTP."""
    server = EmulatorServer(emulator).start()
    harness = Harness(emulator, server, services)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
        server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """python-telegram-bot warns about its own ``RetryAfter`` while building one; the sender reads both forms."""
    for item in items:
        if "tests/telegram/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"))
