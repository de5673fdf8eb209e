"""Jobs derived from the store: a pure function from the processes (and the policy and now) to the work due.

Nothing here is stored or remembered: :func:`plan_jobs` is called at start, on every tick and whenever a process
changes, and always gives the same jobs with the same ids for the same store. An id names the work and the
moment it is planned for (``close:bo2027:20270615T2159Z``), so a moved closing time is a new job while the old
one is simply no longer planned, and a job that ran (see :mod:`bot.scheduling.runs`) never runs again.

Jobs per process:

* ``open`` at ``opens_at`` while it is a draft;
* ``remind`` at each reminder offset before ``closes_at`` (draft or open; offsets in days keep the local wall
  time across daylight saving changes, quiet hours defer them, see :func:`bot.scheduling.quiet.place_reminder`);
* ``close`` at ``closes_at`` while it is open;
* ``publish`` right after closing when the definition says ``auto_publish``;
* ``forget`` the verification data (the register, verified voters, failed attempts) ``retention_days`` after
  publication, where the process verifies residents (``[eligibility] verify``);
* ``meeting`` at each ``[notice] meeting_reminders`` offset before each of a consultation's meetings (draft or
  open, as ``remind``; quiet hours defer it, or bring it forward when the morning is past the meeting), the slot
  naming the meeting and the offset (``20270928T1500Z/1d``);
* ``summary`` once, as soon as it is published (``published_at``: the audit log's ``process.publish`` entry,
  written on the injected clock), when that was within the policy's summary window.

And one ``digest`` per local day at the digest hour for the moderators.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain import Phase, ProcessKind
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.quiet import at_local, place_reminder, shift_days

__all__ = ["KIND_ORDER", "Job", "JobKind", "ProcessSnapshot", "parse_offset", "plan_jobs", "reminder_moment"]


class JobKind(StrEnum):
    """What a job does."""

    OPEN = "open"
    REMIND = "remind"
    CLOSE = "close"
    PUBLISH = "publish"
    SUMMARY = "summary"
    DIGEST = "digest"
    FORGET = "forget"  # erase a process's verification data (register, verified voters) once results are final
    MEETING = "meeting"  # remind before a consultation's meeting ([notice] meetings)


KIND_ORDER = {kind: index for index, kind in enumerate(JobKind)}
"""Jobs due at the same tick run in this order: a process opens before it is reminded about, closes before
it is published."""


@dataclass(frozen=True)
class ProcessSnapshot:
    """The columns of a process the plan depends on."""

    id: int
    slug: str
    kind: ProcessKind
    phase: Phase
    opens_at: datetime | None
    closes_at: datetime | None
    auto_publish: bool
    reminders: tuple[str, ...]
    updated_at: datetime
    published_at: datetime | None = None
    verification_kept: timedelta | None = None  # how long verification data outlives publication; None: none
    meetings: tuple[datetime, ...] = ()  # a consultation's meetings ([notice] meetings), aware
    meeting_reminders: tuple[str, ...] = ()  # offsets before each meeting ("1d")


@dataclass(frozen=True)
class Job:
    """One piece of work due at ``at`` (aware UTC). ``slot`` is the reminder offset (``"3d"``)."""

    id: str
    kind: JobKind
    at: datetime
    slug: str | None = None
    process_id: int | None = None
    slot: str | None = None


def parse_offset(text: str) -> tuple[int, timedelta]:
    """A reminder offset: ``"3d"`` → (3, 0), ``"2h"`` → (0, 2 h), ``"30m"`` → (0, 30 min).

    Days are returned apart because they are counted on the local calendar, hours and minutes as elapsed time.
    """
    number, unit = int(text[:-1]), text[-1]
    if unit == "d":
        return number, timedelta(0)
    if unit == "h":
        return 0, timedelta(hours=number)
    if unit == "m":
        return 0, timedelta(minutes=number)
    raise ValueError(f"reminder offset {text!r} must look like 3d, 12h or 30m")


def reminder_moment(closes_at: datetime, offset: str, policy: SchedulePolicy) -> datetime:
    """When the reminder ``offset`` before ``closes_at`` is planned, before quiet hours are applied."""
    days, delta = parse_offset(offset)
    return shift_days(closes_at, -days, policy.zone) - delta if days else closes_at - delta


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%MZ")


def _process_jobs(process: ProcessSnapshot, policy: SchedulePolicy, now: datetime) -> Iterable[Job]:
    slug, pid = process.slug, process.id
    if process.phase is Phase.DRAFT and process.opens_at is not None:
        yield Job(f"open:{slug}:{_stamp(process.opens_at)}", JobKind.OPEN, process.opens_at, slug, pid)
    # A draft is reminded about only when the scheduler is going to open it (it has an opening time).
    remindable = process.phase is Phase.OPEN or (process.phase is Phase.DRAFT and process.opens_at is not None)
    if remindable and process.closes_at is not None:
        closes_at = process.closes_at
        for offset in dict.fromkeys(process.reminders):
            at = place_reminder(reminder_moment(closes_at, offset, policy), closes_at, policy)
            if process.opens_at is not None and at < process.opens_at:
                continue  # the definition refuses such offsets; a process extended later may still have one
            if at >= closes_at:
                continue
            yield Job(f"remind:{slug}:{offset}:{_stamp(closes_at)}", JobKind.REMIND, at, slug, pid, offset)
    if remindable:
        yield from _meeting_jobs(process, policy)
    if process.phase is Phase.OPEN and process.closes_at is not None:
        yield Job(f"close:{slug}:{_stamp(process.closes_at)}", JobKind.CLOSE, process.closes_at, slug, pid)
    if process.phase is Phase.CLOSED and process.auto_publish:
        at = process.closes_at or process.updated_at
        yield Job(f"publish:{slug}:{_stamp(at)}", JobKind.PUBLISH, at, slug, pid)
    published_at = process.published_at
    if process.phase is Phase.PUBLISHED and published_at is not None and published_at >= now - policy.summary_window:
        yield Job(f"summary:{slug}", JobKind.SUMMARY, published_at, slug, pid)
    if process.phase is Phase.PUBLISHED and published_at is not None and process.verification_kept is not None:
        yield Job(f"forget:{slug}", JobKind.FORGET, published_at + process.verification_kept, slug, pid)


def _meeting_jobs(process: ProcessSnapshot, policy: SchedulePolicy) -> Iterable[Job]:
    for meeting in process.meetings:
        for offset in dict.fromkeys(process.meeting_reminders):
            at = place_reminder(reminder_moment(meeting, offset, policy), meeting, policy)
            if (process.opens_at is not None and at < process.opens_at) or at >= meeting:
                continue
            if process.closes_at is not None and at >= process.closes_at:
                continue  # the consultation is over by then: nobody is invited to a meeting of a closed one
            slot = f"{_stamp(meeting)}/{offset}"
            yield Job(f"meeting:{process.slug}:{slot}", JobKind.MEETING, at, process.slug, process.id, slot)


def _digest_jobs(policy: SchedulePolicy, now: datetime) -> Iterable[Job]:
    # Today's digest (due once its hour has come) and tomorrow's: after downtime only today's is planned, so
    # missed digests are not sent in a burst.
    today = now.astimezone(policy.zone).date()
    for day in (today, today + timedelta(days=1)):
        yield Job(f"digest:{day.isoformat()}", JobKind.DIGEST, at_local(day, policy.digest_at, policy.zone))


def plan_jobs(processes: Iterable[ProcessSnapshot], policy: SchedulePolicy, now: datetime) -> list[Job]:
    """Every job the store implies at ``now``, sorted by due time (then by kind order)."""
    jobs = [job for process in processes for job in _process_jobs(process, policy, now)]
    jobs.extend(_digest_jobs(policy, now))
    return sorted(jobs, key=lambda job: (job.at, KIND_ORDER[job.kind], job.id))
