"""Fixtures for the scheduler: services on a fake clock, a small budget process with reminders, residents with
Telegram or e-mail identities, the outbox as a list, and the scheduler itself driven like APScheduler would."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FakeClock
from bot.commands.registry import COMMANDS
from bot.console import ConsoleChannel
from bot.definition import load_definition
from bot.domain import Channel
from bot.scheduling import SchedulePolicy, Scheduler
from bot.services import Services, build_services
from bot.services.sealing import open_payload
from storage.models import OutboxMessage

SECRET = b"scheduler-test-secret-0123456789"
WARSAW = ZoneInfo("Europe/Warsaw")


def local(text: str) -> datetime:
    """A Warsaw wall-clock time ``"2027-06-07 08:00"`` as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=WARSAW).astimezone(UTC)


def budget_toml(
    slug: str = "bo",
    *,
    opens_at: str = "2027-06-07T08:00:00+02:00",
    closes_at: str = "2027-06-13T20:00:00+02:00",
    reminders: tuple[str, ...] = ("3d", "1d", "2h"),
    auto_publish: bool = True,
    kind: str = "budget",
) -> str:
    """A budget with one pool of three projects (one below the threshold) for residents of "centrum"."""
    listed = ", ".join(f'"{offset}"' for offset in reminders)
    return f"""
slug = "{slug}"
kind = "{kind}"
title = {{ pl = "Budżet {slug}", en = "Budget {slug}" }}
opens_at = {opens_at}
closes_at = {closes_at}
reminders = [{listed}]
auto_publish = {str(auto_publish).lower()}
[eligibility]
mode = "declared_district"
districts = ["centrum"]
[[pools]]
key = "main"
budget = 100_000
ballot = {{ rule = "up_to", max = 2 }}
counting = {{ rule = "greedy", min_votes = 2 }}
[[items]]
key = "1"
kind = "project"
cost = 60_000
title = {{ pl = "Park", en = "Park" }}
[[items]]
key = "2"
kind = "project"
cost = 30_000
title = {{ pl = "Ławki", en = "Benches" }}
[[items]]
key = "3"
kind = "project"
cost = 50_000
title = {{ pl = "Fontanna", en = "Fountain" }}
"""


@dataclass(frozen=True)
class Sent:
    """One queued outbox row, as a test reads it."""

    key: str
    channel: str
    address: str
    person_id: int | None
    purpose: str
    payload: dict[str, Any]
    not_before: datetime


@pytest.fixture
def clock() -> FakeClock:
    """Monday 2027-06-07, 07:00 local: an hour before the example budget opens."""
    return FakeClock(local("2027-06-07 07:00"))


@pytest.fixture
def services(session_factory: sessionmaker[Session], clock: FakeClock) -> Services:
    """All services on the test store; console:moderator is an admin."""
    built = build_services(session_factory, clock, SECRET)  # type: ignore[arg-type]
    built.people.ensure_admins(["console:moderator"])
    return built


@pytest.fixture
def policy() -> SchedulePolicy:
    """Default quiet hours (21:00–08:00) and digest (08:30), one summary chat, a results page."""
    return SchedulePolicy(
        zone=WARSAW,
        chats=(-100123,),
        results_url="https://glos.example/p/{slug}",
        report_url="https://glos.example/p/{slug}/raport",
    )


@pytest.fixture
def scheduler(services: Services, policy: SchedulePolicy) -> Scheduler:
    """The scheduler under test (a new one is a restarted bot)."""
    return Scheduler(services, policy)


@pytest.fixture
def make_process(services: Services) -> Callable[..., str]:
    """Import a budget process from :func:`budget_toml` options (as a draft); returns its slug."""

    def make(**options: Any) -> str:
        definition = load_definition(budget_toml(**options))
        services.processes.import_definition(definition)
        return definition.slug

    return make


@pytest.fixture
def resident(services: Services) -> Callable[..., int]:
    """A resident of "centrum", eligible in ``slug``, reachable on Telegram (or e-mail); returns the person id."""

    def make(name: str, slug: str = "bo", *, channel: Channel = Channel.TELEGRAM, language: str = "pl") -> int:
        address = str(zlib.crc32(name.encode()) + 1000) if channel is Channel.TELEGRAM else f"{name}@example.org"
        person = services.people.identify(channel, address, display_name=name, language=language)
        services.eligibility.declare_district(slug, person.person_id, "centrum")
        return person.person_id

    return make


@pytest.fixture
def outbox(engine: Engine) -> Callable[..., list[Sent]]:
    """The queued messages (of one ``purpose`` when given), in the order the senders would take them."""

    def read(purpose: str | None = None) -> list[Sent]:
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        query = select(table).order_by(table.c.not_before, table.c.id)
        if purpose is not None:
            query = query.where(table.c.purpose == purpose)
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            # sealed payloads opened as the sender sees them (bot/services/sealing.py)
            Sent(
                row.key,
                row.channel,
                row.address,
                row.person_id,
                row.purpose,
                open_payload(SECRET, dict(row.payload)),
                row.not_before,
            )
            for row in rows
        ]

    return read


def run_until(scheduler: Scheduler, clock: FakeClock, end: datetime) -> list[datetime]:
    """Drive the scheduler as APScheduler would: jump to each wake-up up to ``end`` and tick; returns the ticks."""
    ticks = []
    for _ in range(500):
        wake = scheduler.next_wake(clock.now())
        if wake is None or wake > end:
            break
        clock.set(max(wake, clock.now()))
        scheduler.tick()
        ticks.append(clock.now())
    clock.set(max(end, clock.now()))
    return ticks


@pytest.fixture
def drive() -> Callable[[Scheduler, FakeClock, datetime], list[datetime]]:
    """:func:`run_until` as a fixture (test folders are not packages)."""
    return run_until


@pytest.fixture
def console(services: Services, tmp_path: Path) -> Callable[..., ConsoleChannel]:
    """A console identity: ``console("ania")``; ``console("moderator")`` is an admin."""

    def make(user: str, language: str | None = None) -> ConsoleChannel:
        return ConsoleChannel(services, COMMANDS, user, downloads=tmp_path / "downloads", language=language)

    return make


@pytest.fixture
def at() -> Callable[[str], datetime]:
    """:func:`local` as a fixture."""
    return local


def play(channel: ConsoleChannel, transcript: list[tuple[str, list[str]]]) -> list[str]:
    """Play a transcript: each line is sent, and each expected fragment must appear in the bot's answer."""
    answers = []
    for line, expected in transcript:
        answer = "\n".join(channel.handle(line)).replace("\u00a0", " ")
        for fragment in expected:
            assert fragment in answer, f"after {line!r} expected {fragment!r} in:\n{answer}"
        answers.append(answer)
    return answers


@pytest.fixture
def talk() -> Callable[[ConsoleChannel, list[tuple[str, list[str]]]], list[str]]:
    """The transcript player, as a fixture."""
    return play
