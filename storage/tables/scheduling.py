"""What the scheduler must remember across restarts and bot processes: which job ran with what outcome, and
who asked not to be reminded about one process.

The jobs themselves are *not* stored: they are derived from the processes every time (see
:mod:`bot.scheduling.jobs`). A :class:`SchedulerJobRun` row is the claim and the record of one run of one
derived job: ``job_id`` is unique, so two bot processes (or a restarted one) run a job at most once — whoever
inserts the row runs it. ``job_id`` ``"tick"`` is the heartbeat: its ``finished_at`` is the last tick, so a
stopped scheduler is visible in ``/status``. The global "never remind me" is ``Person.reminders_opt_out``;
:class:`ReminderOptOut` is the per-process one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

import storage.base  # noqa: F401  (the naming convention must be set before any table)
from storage.types import JSONType, UTCDateTime, utcnow

__all__ = ["ReminderOptOut", "SchedulerJobRun"]


class SchedulerJobRun(SQLModel, table=True):
    """One run of a derived job: claimed (``outcome`` ``running``), then ``ok``, ``skipped`` or ``failed``.

    ``planned_at`` is when the job was due, ``started_at``/``finished_at`` when it actually ran; ``detail``
    says what it did (how many reminders were queued, why it was skipped, the error).
    """

    __tablename__ = "scheduler_job_run"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32)
    process_id: int | None = Field(default=None, foreign_key="process.id", ondelete="CASCADE", index=True)
    planned_at: datetime = Field(sa_type=UTCDateTime)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str = Field(default="running", max_length=16)
    detail: str | None = Field(default=None, sa_type=Text)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)


class ReminderOptOut(SQLModel, table=True):
    """A person asked not to be reminded about one process (``/nie_przypominaj bo2027``)."""

    __tablename__ = "reminder_opt_out"
    __table_args__ = (UniqueConstraint("person_id", "process_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    process_id: int = Field(foreign_key="process.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
