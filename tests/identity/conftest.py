"""Fixtures for identity linking and verified residents: services on the fake clock, console users, the
verified-resident examples (``examples/verified/``) imported and opened."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.definition import load_definition_file
from bot.services import Services

ROOT = Path(__file__).resolve().parents[2]
VERIFIED = ROOT / "examples" / "verified"


@pytest.fixture
def verified_process(services: Services, clock: FakeClock) -> Callable[[str], str]:
    """Import and open ``examples/verified/<stem>.toml`` (the clock an hour past its opening); returns its slug."""

    def load(stem: str) -> str:
        definition = load_definition_file(VERIFIED / f"{stem}.toml")
        assert definition.opens_at is not None
        clock.set(definition.opens_at + timedelta(hours=1))
        services.processes.import_definition(definition)
        services.processes.open(definition.slug)
        return definition.slug

    return load


Say = Callable[[ConsoleChannel, str], str]


def _say(channel: ConsoleChannel, line: str) -> str:
    answer = "\n".join(channel.handle(line)).replace("\u00a0", " ")
    # receipts are random: shown as RRRR-RRRR-RRRR so that whole replies can be compared
    return re.sub(r"\b[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}\b", "RRRR-RRRR-RRRR", answer)


@pytest.fixture
def say() -> Say:
    """The whole answer of the bot to a line: ``say(channel, "/start")`` (receipts masked, see ``_say``)."""
    return _say


@pytest.fixture
def register_csv() -> Path:
    """The example register of ``bo-lublin-2027`` (three residents, each by name and address and by number)."""
    return VERIFIED / "rejestr-przyklad.csv"
