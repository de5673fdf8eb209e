"""The scheduler's settings as one small value: time zone, quiet hours, digest hour, where summaries go.

Built from the ``[scheduler]``, ``[bot]``, ``[telegram]`` and ``[web]`` settings by
:meth:`SchedulePolicy.from_settings`; tests build it directly. It is also stored with the heartbeat
(:meth:`to_json`) so that ``/status``, which runs inside a channel that has no settings, plans the jobs exactly as
the running scheduler does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings

__all__ = ["SchedulePolicy", "parse_clock_time"]


def parse_clock_time(text: str) -> time:
    """``"21:00"`` → ``time(21, 0)`` (the settings validate the form)."""
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class SchedulePolicy:
    """When reminders may go out, when the digest is due, and where published summaries are posted.

    Quiet hours run from ``quiet_start`` to ``quiet_end`` local time (across midnight when start > end; equal
    times mean no quiet hours). ``chats`` are Telegram chat ids for summaries, ``results_url`` and ``report_url``
    link templates with ``{slug}`` (empty: no link). A summary is sent for a process published within
    ``summary_window``.
    """

    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Warsaw"))
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    digest_at: time = time(8, 30)
    chats: tuple[int, ...] = ()
    results_url: str = ""
    report_url: str = ""
    language: str = "pl"
    summary_window: timedelta = timedelta(days=7)

    @classmethod
    def from_settings(cls, settings: Settings) -> SchedulePolicy:
        """The policy the configuration describes."""
        scheduler = settings.scheduler
        base = settings.web.public_url.rstrip("/") + "/"
        url = base + scheduler.results_path.lstrip("/") if settings.web.enabled and scheduler.results_path else ""
        report = base + scheduler.report_path.lstrip("/") if settings.web.enabled and scheduler.report_path else ""
        return cls(
            zone=settings.tz,
            quiet_start=parse_clock_time(scheduler.quiet_hours_start),
            quiet_end=parse_clock_time(scheduler.quiet_hours_end),
            digest_at=parse_clock_time(scheduler.digest_at),
            chats=tuple(settings.telegram.chats),
            results_url=url,
            report_url=report,
            language=settings.bot.language,
        )

    def link(self, slug: str) -> str:
        """The results page of ``slug``, or "" when no page is configured."""
        return self.results_url.replace("{slug}", slug)

    def report_link(self, slug: str) -> str:
        """The consultation report of ``slug``, or "" when no page is configured."""
        return self.report_url.replace("{slug}", slug)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (stored with the heartbeat)."""
        return {
            "zone": self.zone.key,
            "quiet_start": self.quiet_start.strftime("%H:%M"),
            "quiet_end": self.quiet_end.strftime("%H:%M"),
            "digest_at": self.digest_at.strftime("%H:%M"),
            "chats": list(self.chats),
            "results_url": self.results_url,
            "report_url": self.report_url,
            "language": self.language,
            "summary_window_hours": self.summary_window.total_seconds() / 3600,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SchedulePolicy:
        """The inverse of :meth:`to_json` (missing keys take the defaults)."""
        default = cls()
        return cls(
            zone=ZoneInfo(str(data.get("zone", default.zone.key))),
            quiet_start=parse_clock_time(str(data.get("quiet_start", "21:00"))),
            quiet_end=parse_clock_time(str(data.get("quiet_end", "08:00"))),
            digest_at=parse_clock_time(str(data.get("digest_at", "08:30"))),
            chats=tuple(int(chat) for chat in data.get("chats", [])),
            results_url=str(data.get("results_url", "")),
            report_url=str(data.get("report_url", "")),
            language=str(data.get("language", "pl")),
            summary_window=timedelta(hours=float(data.get("summary_window_hours", 168))),
        )
