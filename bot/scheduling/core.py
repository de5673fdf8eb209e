"""The scheduler's core: :meth:`Scheduler.tick` does everything due at ``now``; nothing else decides anything.

``tick(now)`` plans the jobs from the store (:func:`bot.scheduling.jobs.plan_jobs`), leaves out those already
run (:class:`bot.scheduling.runs.JobRuns`), and runs the rest in order. It is a pure function of the store and
``now``, so tests drive it with a fake clock, and APScheduler (:mod:`bot.scheduling.runner`) only has to call it
at the moments :meth:`Scheduler.next_wake` names. Rules:

* **Once.** A job runs when its claim row is inserted; a job that ran (or was skipped) never runs again.
* **Coalesced.** After downtime, every missed job runs once; of several missed reminders of one process only the
  latest slot is sent (the earlier ones are recorded as skipped), so nobody gets three reminders at once.
* **Quiet hours.** A reminder is never selected in quiet hours: one that is due (late) then waits for the
  morning; it is not dropped.
* **Fresh data.** Reminder recipients are selected when the reminder runs, so whoever voted a moment before
  is not reminded.
* **Keeps running.** A job that fails is recorded as ``failed`` with the reason, the moderators are told
  (one message per job and moderator), and the other jobs run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.domain import Phase, ProcessKind, VerifyMode
from bot.errors import GlosError
from bot.i18n import translator
from bot.scheduling.digest import send_digest
from bot.scheduling.jobs import KIND_ORDER, Job, JobKind, ProcessSnapshot, plan_jobs
from bot.scheduling.meetings import enqueue_meeting_reminders, meeting_stamp
from bot.scheduling.messages import payload_for
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.publishing import send_summary
from bot.scheduling.quiet import is_quiet, next_allowed
from bot.scheduling.recipients import moderators
from bot.scheduling.reminders import enqueue_reminders
from bot.scheduling.runs import JobRuns, RunRecord
from bot.services import Services
from storage.models import AuditEntry, Process

__all__ = ["JobStatus", "Scheduler", "TickReport", "load_snapshots"]

log = logging.getLogger(__name__)
_PROCESS = Process.__table__  # type: ignore[attr-defined]
_AUDIT = AuditEntry.__table__  # type: ignore[attr-defined]
RETRY = "retry"  # a job's outcome when it was not ready: its claim is released, nothing is recorded
_MAX_ROUNDS = 6  # a tick re-plans after each round: open → remind → close → publish → summary fit in five


@dataclass
class TickReport:
    """What one tick did: job id → outcome (``ok``, ``skipped``, ``failed``) with a detail."""

    now: datetime
    outcomes: dict[str, tuple[str, str]] = field(default_factory=dict)

    def ran(self, kind: JobKind) -> list[str]:
        """The ids of the jobs of ``kind`` that ran successfully in this tick."""
        return [
            job_id
            for job_id, (outcome, _) in self.outcomes.items()
            if outcome == "ok" and job_id.startswith(kind.value + ":")
        ]


@dataclass(frozen=True)
class JobStatus:
    """One line of ``/status``: a planned job, when it runs next, and how the last job of its kind ended."""

    job: Job
    runs_at: datetime
    last: RunRecord | None


def _aware(moment: datetime | None) -> datetime | None:
    # max() over a UTC column comes back as plain text or a naive value on SQLite; the store writes UTC only.
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def load_snapshots(services: Services) -> list[ProcessSnapshot]:
    """The processes as the planner needs them (one query; definitions from the context's cache)."""
    with services.context.connection() as connection:
        published: dict[int, Any] = dict(
            connection.execute(
                select(_AUDIT.c.process_id, func.max(_AUDIT.c.at))
                .where(_AUDIT.c.action == "process.publish", _AUDIT.c.process_id.is_not(None))
                .group_by(_AUDIT.c.process_id)
            ).all()
        )
        rows = connection.execute(
            select(
                _PROCESS.c.id,
                _PROCESS.c.slug,
                _PROCESS.c.kind,
                _PROCESS.c.phase,
                _PROCESS.c.opens_at,
                _PROCESS.c.closes_at,
                _PROCESS.c.auto_publish,
                _PROCESS.c.definition,
                _PROCESS.c.updated_at,
            ).order_by(_PROCESS.c.id)
        ).all()
    return [
        ProcessSnapshot(
            row[0],
            row[1],
            ProcessKind(row[2]),
            Phase(row[3]),
            row[4],
            row[5],
            bool(row[6]),
            tuple(str(offset) for offset in (row[7] or {}).get("reminders", [])),
            row[8],
            _aware(published.get(row[0])),
            _verification_kept((row[7] or {}).get("eligibility") or {}),
            *_meetings((row[7] or {}).get("notice") or {}),
        )
        for row in rows
    ]


def _meetings(notice: dict[str, Any]) -> tuple[tuple[datetime, ...], tuple[str, ...]]:
    """A stored definition's meeting times (aware, in UTC as every planned moment) and the reminder offsets."""
    times = tuple(_as_time(meeting["at"]).astimezone(UTC) for meeting in notice.get("meetings") or [])
    return times, tuple(str(offset) for offset in notice.get("meeting_reminders", ["1d"]))


def _as_time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _verification_kept(eligibility: dict[str, Any]) -> timedelta | None:
    """How long after publication a process's verification data is kept; None where nothing is verified."""
    if eligibility.get("verify", VerifyMode.DECLARED.value) == VerifyMode.DECLARED.value:
        return None
    return timedelta(days=int(eligibility.get("retention_days", 30)))


class Scheduler:
    """Derives and runs the jobs of one store; safe to run in several bot processes at once."""

    def __init__(self, services: Services, policy: SchedulePolicy) -> None:
        self.services = services
        self.policy = policy
        self.runs = JobRuns(services.context)
        self._handlers: dict[JobKind, Callable[[Job, datetime], tuple[str, str, dict[str, Any]]]] = {
            JobKind.OPEN: self._open,
            JobKind.REMIND: self._remind,
            JobKind.CLOSE: self._close,
            JobKind.PUBLISH: self._publish,
            JobKind.SUMMARY: self._summary,
            JobKind.DIGEST: self._digest,
            JobKind.FORGET: self._forget,
            JobKind.MEETING: self._meeting,
        }

    def plan(self, now: datetime) -> list[Job]:
        """Every job the store implies at ``now``."""
        return plan_jobs(load_snapshots(self.services), self.policy, now)

    def pending(self, now: datetime) -> list[Job]:
        """The planned jobs that have not run yet, soonest first."""
        jobs = self.plan(now)
        done = self.runs.known([job.id for job in jobs])
        return [job for job in jobs if job.id not in done]

    def next_wake(self, now: datetime) -> datetime | None:
        """When :meth:`tick` next has something to do (a due reminder in quiet hours waits for the morning)."""
        moments = [self._runs_at(job, now) for job in self.pending(now)]
        return min(moments) if moments else None

    def _runs_at(self, job: Job, now: datetime) -> datetime:
        at = max(job.at, now)
        return next_allowed(at, self.policy) if job.kind is JobKind.REMIND else at

    def tick(self, now: datetime | None = None) -> TickReport:
        """Run everything due at ``now`` (default: the clock's now), each job at most once."""
        now = now or self.services.context.clock.now()
        report = TickReport(now)
        for _ in range(_MAX_ROUNDS):
            due = [job for job in self.pending(now) if job.at <= now and job.id not in report.outcomes]
            due = self._coalesce(due, now, report)
            if not due:
                break
            for job in sorted(due, key=lambda job: (KIND_ORDER[job.kind], job.at, job.id)):
                self._run(job, now, report)
        self.runs.beat(now, {"policy": self.policy.to_json(), "ran": len(report.outcomes)})
        return report

    def _coalesce(self, due: list[Job], now: datetime, report: TickReport) -> list[Job]:
        """Drop what must wait (reminders in quiet hours) or is superseded (older reminder slots)."""
        keep: list[Job] = []
        latest: dict[str, Job] = {}
        for job in due:
            if job.kind is not JobKind.REMIND:
                keep.append(job)
            elif not is_quiet(now, self.policy):
                assert job.slug is not None
                if job.slug not in latest or job.at > latest[job.slug].at:
                    latest[job.slug] = job
        for job in due:
            if job.kind is JobKind.REMIND and job.slug in latest and latest[job.slug] is not job:
                self.runs.record(job, now, "skipped", f"coalesced into {latest[job.slug].id}")
                report.outcomes[job.id] = ("skipped", "coalesced")
        return keep + list(latest.values())

    def _run(self, job: Job, now: datetime, report: TickReport) -> None:
        if not self.runs.claim(job, now):
            return  # another bot process has it
        problem: GlosError | None = None
        try:
            with self.services.context.unit():  # the job's unit of work: what it writes commits together
                outcome, detail, data = self._handlers[job.kind](job, now)
        except GlosError as error:
            problem = error
            # the refusal in words (the deployment's language), as /status shows it: never a raw message key
            worded = translator(self.policy.language, self.services.context.zone)(error.key, **error.params)
            outcome, detail, data = "failed", worded, {}
        except Exception as error:  # the scheduler must keep running whatever a job does
            log.exception("scheduler job %s failed", job.id)
            outcome, detail, data = "failed", f"{type(error).__name__}: {error}", {}
        if outcome == RETRY:
            self.runs.release(job)  # not ready: planned again at the next tick (see _remind)
            return
        self.runs.finish(job, self.services.context.clock.now(), outcome, detail, data)
        report.outcomes[job.id] = (outcome, detail)
        if outcome == "failed":
            self._alert(job, detail, problem)

    def _alert(self, job: Job, detail: str, problem: GlosError | None) -> None:
        """Tell the moderators that a job failed (once per job and moderator), in their language."""
        try:
            with self.services.context.connection() as connection:
                people = moderators(connection, job.process_id)
            for person in people:
                t = translator(person.language, self.services.context.zone)
                reason = t(problem.key, **problem.params) if problem is not None else detail
                text = t("scheduler.alert", job=job.id, detail=reason)
                self.services.outbox.enqueue(
                    key=f"alert:{job.id}:person:{person.person_id}",
                    channel=person.channel,
                    address=person.address,
                    purpose="alert",
                    person_id=person.person_id,
                    payload=payload_for(
                        person.channel, subject=t("scheduler.alert_subject"), text=text, language=t.language
                    ),
                )
        except Exception:  # an alert that cannot be queued is logged, never fatal
            log.exception("could not alert the moderators about %s", job.id)

    # -- the jobs -------------------------------------------------------------------------------------------

    def _phase(self, slug: str) -> Phase:
        return self.services.processes.get(slug).phase

    def _open(self, job: Job, now: datetime) -> tuple[str, str, dict[str, Any]]:
        assert job.slug is not None
        if self._phase(job.slug) is not Phase.DRAFT:
            return "skipped", "not a draft any more", {}
        self.services.processes.open(job.slug)
        return "ok", "opened", {}

    def _remind(self, job: Job, now: datetime) -> tuple[str, str, dict[str, Any]]:
        assert job.slug is not None and job.slot is not None and job.process_id is not None
        info = self.services.processes.get(job.slug)
        opening_due = info.opens_at is not None and info.opens_at <= now
        if info.phase is Phase.DRAFT and opening_due and (info.closes_at is None or info.closes_at > now):
            # Its opening is due too and another bot process may be opening it right now: try again.
            return RETRY, "not open yet", {}
        if info.phase is not Phase.OPEN or info.closes_at is None or info.closes_at <= now:
            return "skipped", f"process is {info.phase.value}", {}
        sent = enqueue_reminders(
            self.services,
            process_id=job.process_id,
            slug=job.slug,
            kind=info.kind,
            slot=job.slot,
            closes_at=info.closes_at,
        )
        return (
            "ok",
            f"{sent.queued} queued of {sent.selected} selected",
            {"selected": sent.selected, "queued": sent.queued},
        )

    def _meeting(self, job: Job, now: datetime) -> tuple[str, str, dict[str, Any]]:
        assert job.slug is not None and job.slot is not None and job.process_id is not None
        info = self.services.processes.get(job.slug)
        stamp, offset = job.slot.split("/")
        notice = info.definition.notice
        meeting = next((m for m in (notice.meetings if notice else []) if meeting_stamp(m.at) == stamp), None)
        if meeting is None or meeting.at <= now:
            return "skipped", "the meeting is not ahead any more", {}
        if info.phase is Phase.DRAFT and info.opens_at is not None and info.opens_at <= now:
            return RETRY, "not open yet", {}  # its opening is due too (see _remind)
        if info.phase is not Phase.OPEN:
            return "skipped", f"process is {info.phase.value}", {}
        sent = enqueue_meeting_reminders(
            self.services, process_id=job.process_id, slug=job.slug, meeting=meeting, offset=offset
        )
        return (
            "ok",
            f"{sent.queued} queued of {sent.selected} selected",
            {"selected": sent.selected, "queued": sent.queued},
        )

    def _close(self, job: Job, now: datetime) -> tuple[str, str, dict[str, Any]]:
        assert job.slug is not None
        if self._phase(job.slug) is not Phase.OPEN:
            return "skipped", "not open any more", {}
        self.services.processes.close(job.slug)
        # Count at once: a counting problem is reported to the moderators now, not when someone publishes.
        results = self.services.results.results(job.slug, moderator=True)
        with self.services.context.transaction() as session:
            self.services.context.audit(
                session,
                "process.count",
                process_id=job.process_id,
                participants=results.turnout.participants,
            )
        return "ok", f"closed and counted: {results.turnout.participants} took part", {}

    def _publish(self, job: Job, now: datetime) -> tuple[str, str, dict[str, Any]]:
        assert job.slug is not None
        if self._phase(job.slug) is not Phase.CLOSED:
            return "skipped", "not closed", {}
        self.services.processes.publish(job.slug)
        return "ok", "published", {}

    def _summary(self, job: Job, now: datetime) -> tuple[str, str, dict[str, Any]]:
        assert job.slug is not None
        sent = send_summary(self.services, job.slug, self.policy)
        detail = f"{sent.chats} chat messages, {sent.emails} e-mails, {sent.personal} personal messages"
        return "ok", detail, {"chats": sent.chats, "emails": sent.emails, "personal": sent.personal}

    def _forget(self, job: Job, now: datetime) -> tuple[str, str, dict[str, Any]]:
        assert job.slug is not None
        erased = self.services.verification.erase(job.slug)
        return "ok", f"{erased} verification rows erased", {"erased": erased}

    def _digest(self, job: Job, now: datetime) -> tuple[str, str, dict[str, Any]]:
        day = job.at.astimezone(self.policy.zone).date()
        queued = send_digest(self.services, day)
        return "ok", f"{queued} queued", {"queued": queued}

    # -- status ---------------------------------------------------------------------------------------------

    def status(self, now: datetime) -> list[JobStatus]:
        """Every pending job with its next run and the outcome of the last finished job of the same kind and
        process (so a failing or stopped scheduler shows)."""
        last: dict[tuple[str, int | None], RunRecord] = {}
        for record in self.runs.latest():
            last.setdefault((record.kind, record.process_id), record)
        return [
            JobStatus(job, self._runs_at(job, now), last.get((job.kind.value, job.process_id)))
            for job in self.pending(now)
        ]
