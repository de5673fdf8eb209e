"""Verification data is kept only until the result is final: the scheduler erases it ``retention_days`` after
the results are published, and the committee's report says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.clock import FakeClock
from bot.console import ConsoleChannel
from bot.scheduling.core import Scheduler
from bot.scheduling.policy import SchedulePolicy
from bot.services import Services

TABLES = ("register_entry", "verified_voter", "verification_attempt")


def _rows(services: Services) -> dict[str, int]:
    with services.context.engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES}


def test_the_scheduler_erases_verification_data_after_the_retention(
    console: Callable[..., ConsoleChannel],
    say: Callable[[ConsoleChannel, str], str],
    register_csv: Path,
    verified_process: Callable[[str], str],
    services: Services,
    clock: FakeClock,
) -> None:
    slug = verified_process("bo-lublin-2027-rejestr")
    moderator = console("moderator")
    say(moderator, f"/rejestr {slug} @{register_csv}")
    ewa = console("ewa")
    say(ewa, f"/mieszkaniec {slug} Ewa Nowak, ul. Długa 1")  # not on the register: one failed attempt
    say(ewa, f"/mieszkaniec {slug} LU-000002")  # the city's own number of Anna Nowak
    say(ewa, f"/glosuj {slug} city: 2")
    assert _rows(services) == {"register_entry": 6, "verified_voter": 1, "verification_attempt": 1}
    scheduler = Scheduler(services, SchedulePolicy(zone=ZoneInfo("Europe/Warsaw")))
    services.processes.close(slug)
    services.processes.publish(slug)
    published = clock.now()
    clock.set(published + timedelta(days=29, hours=23))
    scheduler.tick()
    assert _rows(services) == {"register_entry": 6, "verified_voter": 1, "verification_attempt": 1}
    forget = [job for job in scheduler.pending(clock.now()) if job.id == f"forget:{slug}"]
    assert [job.at for job in forget] == [published + timedelta(days=30)]
    clock.set(published + timedelta(days=30, minutes=1))
    scheduler.tick()
    assert _rows(services) == {"register_entry": 0, "verified_voter": 0, "verification_attempt": 0}
    # the counted ballot stays counted: erasure forgets who was verified, not the result
    city = services.results.results(slug, moderator=True).rounds[0]["city"]
    assert city.ballots == 1
    assert say(moderator, f"/weryfikacja {slug}").split("\n")[1:3] == ["Rejestr: 0 wpisów.", "Zweryfikowane konta: 0."]
