"""APScheduler 3.x in the bot process: it only decides *when* to call :meth:`Scheduler.tick`.

One date-triggered job (``glos:tick``) is always set for the next moment the store says something is due
(:meth:`Scheduler.next_wake`), and a light interval job (``glos:replan``, every ``replan`` seconds) re-reads that
moment, so that a process changed by a moderator — in this bot process or another — is picked up. Call
:meth:`SchedulerRunner.changed` after changing a process to re-plan at once. APScheduler holds no state worth
keeping: its jobs are rebuilt from the store at every start (``coalesce``; no misfire grace limit, so a wake-up
missed while the machine slept runs once, late, rather than never).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.scheduling.core import Scheduler
from bot.scheduling.policy import SchedulePolicy
from bot.services import Services

__all__ = ["SchedulerRunner", "start_scheduler"]

log = logging.getLogger(__name__)
TICK_JOB = "glos:tick"
REPLAN_JOB = "glos:replan"
MIN_PAUSE = timedelta(seconds=1)


class SchedulerRunner:
    """Runs a :class:`Scheduler` on a background thread with APScheduler."""

    def __init__(self, scheduler: Scheduler, *, replan: timedelta = timedelta(seconds=60)) -> None:
        self.scheduler = scheduler
        self.replan = replan
        self.aps = BackgroundScheduler(timezone=UTC)
        # APScheduler's shutdown(wait=True) holds its job store lock while it waits for a running job; a tick that
        # then re-plans (add_job needs that lock) would wait for ever. So planning and stopping exclude each other,
        # and nothing is planned once stopping began.
        self._planning = threading.Lock()
        self._stopping = False

    def start(self) -> None:
        """Start the thread; the first tick runs at once (catching up on anything missed while down)."""
        self.aps.add_job(
            self._replan,
            IntervalTrigger(seconds=self.replan.total_seconds()),
            id=REPLAN_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self.aps.add_job(self._tick, DateTrigger(run_date=datetime.now(UTC)), id=TICK_JOB, replace_existing=True)
        self.aps.start()

    def shutdown(self) -> None:
        """Stop the thread (a running tick finishes first)."""
        with self._planning:
            self._stopping = True
        if self.aps.running:
            self.aps.shutdown(wait=True)

    def changed(self) -> None:
        """A process changed: plan the next wake-up again now."""
        self._replan()

    def _tick(self) -> None:
        try:
            self.scheduler.tick()
            self.scheduler.services.context.metrics.set(
                "glos_scheduler_last_tick_timestamp_seconds", time.time(), doc="When the scheduler last ticked."
            )
        except Exception:  # a tick that fails is logged and retried at the next wake-up
            log.exception("scheduler tick failed")
        finally:
            self._replan()

    def _replan(self) -> None:
        with self._planning:
            if not self._stopping:
                self._plan()

    def _plan(self) -> None:
        try:
            now = self.scheduler.services.context.clock.now()
            wake = self.scheduler.next_wake(now)
        except Exception:  # the store may be briefly unreachable; the interval job retries
            log.exception("scheduler could not plan the next wake-up")
            return
        if wake is None:
            self._remove_tick()
            return
        self.aps.add_job(
            self._tick,
            # At least a second ahead: work that stays due (a job given back as not ready) cannot spin the thread.
            DateTrigger(run_date=max(wake, now + MIN_PAUSE)),
            id=TICK_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )

    def _remove_tick(self) -> None:
        if self.aps.get_job(TICK_JOB) is not None:
            self.aps.remove_job(TICK_JOB)


def start_scheduler(settings: Settings, services: Services) -> SchedulerRunner | None:
    """Start the scheduler over ``services`` (for ``glos run``) unless ``[scheduler] enabled`` is false; call
    :meth:`SchedulerRunner.shutdown` on the result when the bot stops."""
    if not settings.scheduler.enabled:
        return None
    runner = SchedulerRunner(Scheduler(services, SchedulePolicy.from_settings(settings)))
    runner.start()
    return runner
