"""The record of job runs in the store: the claim that makes a job run once, its outcome, and the heartbeat.

A run is claimed by inserting its ``scheduler_job_run`` row (``job_id`` is unique): of two bot processes, or
a process and its restarted self, only the one whose insert succeeded runs the job. A claim left ``running``
by a process that died is taken over after :data:`STALE_CLAIM`; that is safe because every effect of a job is
idempotent (a phase moves only from the phase it expects, messages are queued under unique outbox keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.scheduling.jobs import Job
from bot.services.context import ServiceContext
from bot.services.sql import insert_ignore
from storage.models import SchedulerJobRun

__all__ = ["HEARTBEAT", "STALE_CLAIM", "JobRuns", "RunRecord"]

STALE_CLAIM = timedelta(minutes=15)
HEARTBEAT = "tick"
_RUNS = SchedulerJobRun.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RunRecord:
    """One stored run."""

    job_id: str
    kind: str
    process_id: int | None
    planned_at: datetime
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    detail: str | None
    data: dict[str, Any]


def _record(row: Any) -> RunRecord:
    return RunRecord(
        row.job_id,
        row.kind,
        row.process_id,
        row.planned_at,
        row.started_at,
        row.finished_at,
        row.outcome,
        row.detail,
        dict(row.data or {}),
    )


class JobRuns:
    """Claims, outcomes and the heartbeat, on the shared store."""

    def __init__(self, context: ServiceContext) -> None:
        self.ctx = context

    def known(self, job_ids: list[str]) -> set[str]:
        """Which of ``job_ids`` have a run (finished, or claimed and not stale)."""
        if not job_ids:
            return set()
        stale = self.ctx.clock.now() - STALE_CLAIM
        with self.ctx.connection() as connection:
            rows = connection.execute(
                select(_RUNS.c.job_id, _RUNS.c.outcome, _RUNS.c.started_at).where(_RUNS.c.job_id.in_(job_ids))
            ).all()
        return {row[0] for row in rows if row[1] != "running" or row[2] >= stale}

    def claim(self, job: Job, now: datetime) -> bool:
        """Claim ``job`` for this process; False when it ran or another process is running it."""
        with self.ctx.connection() as connection:
            values = self._values(job, now, "running")
            # RETURNING says whether this insert won; rowcount is not reliable across drivers for ON CONFLICT.
            if connection.execute(_insert_ignore_statement(connection), values).first() is not None:
                return True
            taken = connection.execute(
                update(_RUNS)
                .where(
                    and_(_RUNS.c.job_id == job.id, _RUNS.c.outcome == "running", _RUNS.c.started_at < now - STALE_CLAIM)
                )
                .values(started_at=now)
            )
            return taken.rowcount == 1

    def release(self, job: Job) -> None:
        """Give a claimed job back unrun (it was not ready yet); the next tick plans it again."""
        with self.ctx.connection() as connection:
            connection.execute(delete(_RUNS).where(_RUNS.c.job_id == job.id, _RUNS.c.outcome == "running"))

    def record(self, job: Job, now: datetime, outcome: str, detail: str = "") -> None:
        """Record ``job`` as done without running it (``skipped``: coalesced or no longer applicable)."""
        with self.ctx.connection() as connection:
            values = self._values(job, now, outcome)
            values.update(finished_at=now, detail=detail or None)
            insert_ignore(connection, _RUNS, values, ("job_id",))

    def finish(
        self, job: Job, now: datetime, outcome: str, detail: str = "", data: dict[str, Any] | None = None
    ) -> None:
        """Store the outcome of a claimed run."""
        with self.ctx.connection() as connection:
            connection.execute(
                update(_RUNS)
                .where(_RUNS.c.job_id == job.id)
                .values(finished_at=now, outcome=outcome, detail=detail or None, data=data or {})
            )

    def beat(self, now: datetime, data: dict[str, Any]) -> None:
        """Record a tick (the heartbeat row, one for all processes)."""
        with self.ctx.connection() as connection:
            changed = connection.execute(
                update(_RUNS)
                .where(_RUNS.c.job_id == HEARTBEAT)
                .values(planned_at=now, started_at=now, finished_at=now, outcome="ok", data=data)
            )
            if changed.rowcount == 0:
                values = {
                    "job_id": HEARTBEAT,
                    "kind": HEARTBEAT,
                    "process_id": None,
                    "planned_at": now,
                    "started_at": now,
                    "finished_at": now,
                    "outcome": "ok",
                    "detail": None,
                    "data": data,
                }
                insert_ignore(connection, _RUNS, values, ("job_id",))

    def heartbeat(self) -> RunRecord | None:
        """The last tick, or None when the scheduler never ran on this store."""
        with self.ctx.connection() as connection:
            row = connection.execute(select(_RUNS).where(_RUNS.c.job_id == HEARTBEAT)).first()
        return _record(row) if row is not None else None

    def get(self, job_id: str) -> RunRecord | None:
        """The run of ``job_id``, if any."""
        with self.ctx.connection() as connection:
            row = connection.execute(select(_RUNS).where(_RUNS.c.job_id == job_id)).first()
        return _record(row) if row is not None else None

    def latest(self, limit: int = 200) -> list[RunRecord]:
        """The most recent runs, newest first (the heartbeat excluded)."""
        with self.ctx.connection() as connection:
            rows = connection.execute(
                select(_RUNS)
                .where(_RUNS.c.job_id != HEARTBEAT)
                .order_by(_RUNS.c.started_at.desc(), _RUNS.c.id.desc())
                .limit(limit)
            ).all()
        return [_record(row) for row in rows]

    @staticmethod
    def _values(job: Job, now: datetime, outcome: str) -> dict[str, Any]:
        return {
            "job_id": job.id,
            "kind": job.kind.value,
            "process_id": job.process_id,
            "planned_at": job.at,
            "started_at": now,
            "finished_at": None,
            "outcome": outcome,
            "detail": None,
            "data": {},
        }


def _insert_ignore_statement(connection: Connection) -> Any:
    """``INSERT … ON CONFLICT (job_id) DO NOTHING RETURNING id``: a row back means this claim won."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    return insert(_RUNS).on_conflict_do_nothing(index_elements=["job_id"]).returning(_RUNS.c.id)
