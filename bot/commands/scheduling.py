"""Scheduler commands: ``/nie_przypominaj`` (anyone: no reminders about one process, or about all) and
``/status`` (moderators: every scheduled job, its next run, the last outcome, whether the scheduler ticks, and
the latest failed jobs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.commands.args import ensure_global_moderator, take_process
from bot.commands.base import Invocation
from bot.i18n import Translator
from bot.replies import Reply, said
from bot.scheduling.core import Scheduler
from bot.scheduling.optout import stop_reminders
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.runs import JobRuns
from bot.services.mailstats import quarantined

__all__ = ["STALE_HEARTBEAT", "cmd_dont_remind", "cmd_status"]

ALL_WORDS = {"wszystko", "wszystkie", "all", "stop"}
STALE_HEARTBEAT = timedelta(minutes=10)
STALE_OUTBOX = timedelta(minutes=30)  # a message unsent this long: a sender is probably down
MAX_LINES = 40
MAX_FAILURES = 10


def cmd_dont_remind(inv: Invocation) -> Sequence[Reply]:
    """Stop reminders: ``/nie_przypominaj SLUG`` for one process, ``/nie_przypominaj wszystko`` for all."""
    words = inv.words
    if not words or words[0].lower() in ALL_WORDS:
        if not words:
            slug, _ = take_process(inv, required=False)
            if slug is not None:
                stop_reminders(inv.services, inv.caller.person_id, slug)
                title = inv.services.processes.get(slug).title(inv.t.language)
                return [said(inv.t, "scheduler.optout.process", title=title)]
        stop_reminders(inv.services, inv.caller.person_id, None)
        return [said(inv.t, "scheduler.optout.all")]
    slug, _ = take_process(inv)
    assert slug is not None
    stop_reminders(inv.services, inv.caller.person_id, slug)
    return [said(inv.t, "scheduler.optout.process", title=inv.services.processes.get(slug).title(inv.t.language))]


def cmd_status(inv: Invocation) -> Sequence[Reply]:
    """The scheduler's jobs as the running scheduler plans them, with the last outcome of each kind."""
    ensure_global_moderator(inv)
    t = inv.t
    now = inv.services.context.clock.now()
    heartbeat = JobRuns(inv.services.context).heartbeat()
    lines: list[str] = []
    if heartbeat is None:
        policy = SchedulePolicy(zone=inv.services.context.zone)
        lines.append(t("scheduler.status.never"))
    else:
        policy = SchedulePolicy.from_json(dict(heartbeat.data.get("policy", {})))
        lines.append(t("scheduler.status.heartbeat", at=heartbeat.started_at))
        if now - heartbeat.started_at > STALE_HEARTBEAT:
            lines.append("⚠️ " + t("scheduler.status.stopped"))
    queue = inv.services.outbox.stats()
    lines.append(t("scheduler.status.outbox", count=queue.unsent, given_up=queue.given_up))
    if queue.oldest_unsent is not None and now - queue.oldest_unsent > STALE_OUTBOX:
        lines.append("⚠️ " + t("scheduler.status.outbox_stuck", since=queue.oldest_unsent))
    statuses = Scheduler(inv.services, policy).status(now)
    if not statuses:
        lines.append(t("scheduler.status.none"))
    for status in statuses[:MAX_LINES]:
        job = status.job
        what = " ".join(part for part in (t("scheduler.kind." + job.kind.value), job.slug, job.slot) if part)
        line = f"• {t.datetime(status.runs_at)} — {what}"
        if status.last is not None:
            last = status.last
            line += " — " + t(
                "scheduler.status.last",
                outcome=t("scheduler.outcome." + last.outcome),
                at=last.finished_at or last.started_at,
                detail=_detail(t, last.outcome, last.detail, last.data),
            )
        lines.append(line)
    if len(statuses) > MAX_LINES:
        lines.append(t("scheduler.status.more", count=len(statuses) - MAX_LINES))
    failures = [run for run in JobRuns(inv.services.context).latest() if run.outcome == "failed"][:MAX_FAILURES]
    if failures:
        lines += ["", t("scheduler.status.failures")]
        lines += [f"• {t.datetime(run.started_at)} — {run.job_id}: {run.detail or ''}" for run in failures]
    count, latest = quarantined(inv.services.context)
    if count:
        lines += ["", "⚠️ " + t("mail.status.quarantine", count=count)]
        lines += [f"• {t.datetime(item.at)} — {item.message_id}: {item.reason}" for item in latest]
    return [Reply("\n".join(lines))]


def _detail(t: Translator, outcome: str, detail: str | None, data: dict[str, Any]) -> str:
    """What a finished job did, in the reader's language (a failure keeps its technical reason)."""
    if outcome == "failed":
        return detail or ""
    if "selected" in data and "queued" in data:
        return t("scheduler.detail.reminded", count=int(data["queued"]), selected=int(data["selected"]))
    if "queued" in data:
        return t("scheduler.detail.queued", count=int(data["queued"]))
    if "chats" in data:
        return t(
            "scheduler.detail.summary",
            chats=int(data.get("chats", 0)),
            emails=int(data.get("emails", 0)),
            personal=int(data.get("personal", 0)),
        )
    return ""
