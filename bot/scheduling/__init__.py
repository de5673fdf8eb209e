"""The channel-agnostic scheduler: phases on time, reminders only to those who have not taken part, result
summaries and the moderators' digest.

Jobs are derived from the store (:mod:`bot.scheduling.jobs`), run once each by :meth:`Scheduler.tick`
(:mod:`bot.scheduling.core`), and every message goes through the shared outbox with a unique key. APScheduler
(:mod:`bot.scheduling.runner`) only calls ``tick`` at the right moments. This package never imports a transport.
"""

from __future__ import annotations

from bot.scheduling.core import JobStatus, Scheduler, TickReport
from bot.scheduling.jobs import Job, JobKind, ProcessSnapshot, plan_jobs
from bot.scheduling.optout import stop_reminders
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.reminders import ReminderReport, enqueue_reminders, select_recipients

__all__ = [
    "Job",
    "JobKind",
    "JobStatus",
    "ProcessSnapshot",
    "ReminderReport",
    "SchedulePolicy",
    "Scheduler",
    "TickReport",
    "enqueue_reminders",
    "plan_jobs",
    "select_recipients",
    "stop_reminders",
]
