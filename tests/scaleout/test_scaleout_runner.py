"""A leader that stops leading while its scheduler ticks: the runner stops once the tick is done, never hangs
(APScheduler's shutdown holds its job-store lock while the tick would re-plan)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from bot.metrics import Metrics
from bot.scheduling.runner import SchedulerRunner


class SlowScheduler:
    """Ticks until released; always has work due a minute later (so every tick re-plans)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.ticks = 0
        clock = SimpleNamespace(now=lambda: datetime.now(UTC))
        self.services = SimpleNamespace(context=SimpleNamespace(clock=clock, metrics=Metrics()))

    def tick(self) -> None:
        self.ticks += 1
        self.entered.set()
        self.release.wait(30)

    def next_wake(self, now: datetime) -> datetime:
        return now + timedelta(minutes=1)


def test_stopping_during_a_tick_waits_for_it_and_returns() -> None:
    scheduler = SlowScheduler()
    runner = SchedulerRunner(cast(Any, scheduler))
    runner.start()  # the first tick runs at once
    assert scheduler.entered.wait(10)
    stopper = threading.Thread(target=runner.shutdown)
    stopper.start()
    stopper.join(0.3)
    assert stopper.is_alive()  # it waits for the tick in hand
    scheduler.release.set()
    stopper.join(10)
    assert not stopper.is_alive()  # and then returns: the tick's re-planning did not deadlock it
    assert scheduler.ticks == 1
