"""APScheduler in a real background thread calls tick at the right moment; definitions with reminders outside
the open period are refused at import with the key that is wrong."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_app
from bot.config import SchedulerSettings, Settings, StorageSettings
from bot.definition import load_definition
from bot.domain import Phase
from bot.errors import DefinitionError
from bot.scheduling.runner import start_scheduler


def _definition(opens_at: datetime, closes_at: datetime, reminders: str = '"1h"') -> str:
    return f"""
slug = "teraz"
kind = "vote"
title = "Teraz"
opens_at = {opens_at.isoformat()}
closes_at = {closes_at.isoformat()}
reminders = [{reminders}]
[[pools]]
ballot = {{ rule = "one_of" }}
counting = {{ rule = "plurality" }}
[[items]]
key = "a"
title = "A"
[[items]]
key = "b"
title = "B"
"""


def test_the_background_scheduler_opens_a_due_process_by_itself(tmp_path) -> None:
    settings = Settings(storage=StorageSettings(url=f"sqlite:///{tmp_path / 'glos.db'}"))
    app = build_app(settings, secret=b"runner-test-secret-0123456789")
    now = datetime.now(UTC)
    app.services.processes.import_definition(
        load_definition(_definition(now - timedelta(hours=1), now + timedelta(days=1)))
    )
    runner = start_scheduler(app.settings, app.services)
    assert runner is not None
    try:
        deadline = time.monotonic() + 10

        def planned() -> datetime | None:
            job = runner.aps.get_job("glos:tick")
            return job.next_run_time if job is not None else None

        while time.monotonic() < deadline:
            wake = planned()
            if app.services.processes.get("teraz").phase is Phase.OPEN and wake is not None and wake > now:
                break
            time.sleep(0.05)
        assert app.services.processes.get("teraz").phase is Phase.OPEN
        # The next wake-up is planned from the store: the digest or the reminder, whichever comes first.
        assert planned() == runner.scheduler.next_wake(datetime.now(UTC))
    finally:
        runner.shutdown()
        app.close()
    disabled = Settings(storage=settings.storage, scheduler=SchedulerSettings(enabled=False))
    off = build_app(disabled, secret=b"runner-test-secret-0123456789")
    try:
        assert start_scheduler(off.settings, off.services) is None
    finally:
        off.close()


@pytest.mark.parametrize(
    ("reminders", "message"),
    [
        ('"1d", "3d"', "reminders[1]"),
        ('"0h"', "must be more than zero"),
        ('"49h"', "would come before opening"),
    ],
)
def test_reminders_outside_the_open_period_are_refused_at_import(reminders: str, message: str) -> None:
    opens = datetime(2027, 6, 7, 8, 0, tzinfo=UTC)
    with pytest.raises(DefinitionError) as refused:
        load_definition(_definition(opens, opens + timedelta(days=2), reminders))
    described = f"{refused.value.params.get('key_path')} {refused.value.params.get('reason')}"
    assert message in described
    assert "reminders" in described


def test_reminders_without_a_closing_time_are_refused() -> None:
    text = _definition(datetime(2027, 6, 7, 8, 0, tzinfo=UTC), datetime(2027, 6, 9, 8, 0, tzinfo=UTC))
    text = "\n".join(line for line in text.splitlines() if not line.startswith("closes_at"))
    with pytest.raises(DefinitionError) as refused:
        load_definition(text)
    assert "reminders need closes_at" in str(refused.value.params.get("reason"))
