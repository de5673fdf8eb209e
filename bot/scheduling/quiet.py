"""Local time arithmetic for the scheduler: quiet hours, and "n days before" on the wall clock.

Everything is computed in the policy's zone (Europe/Warsaw) and returned as aware UTC, so that the daylight
saving changes (last Sunday of March and of October) neither shift a reminder by an hour nor make one happen
twice: a reminder "1d" before a Monday 20:00 close is on Sunday at 20:00 local time, whatever the offset was.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.scheduling.policy import SchedulePolicy

__all__ = ["at_local", "is_quiet", "next_allowed", "place_reminder", "shift_days"]


def at_local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``moment`` on the local wall clock, as aware UTC.

    A wall time that does not exist (the hour skipped in March) is taken as the same reading before the jump
    and normalised by the round trip through UTC (02:30 → 03:30 summer time); an ambiguous one (the repeated
    hour in October) is its first occurrence.
    """
    local = datetime.combine(day, moment).replace(tzinfo=zone, fold=0)
    return local.astimezone(UTC)


def shift_days(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """``moment`` moved by whole ``days`` on the local calendar, keeping its wall-clock time."""
    local = moment.astimezone(zone)
    return at_local(local.date() + timedelta(days=days), local.time().replace(tzinfo=None), zone)


def is_quiet(moment: datetime, policy: SchedulePolicy) -> bool:
    """Whether ``moment`` falls in the quiet hours (local time)."""
    start, end = policy.quiet_start, policy.quiet_end
    if start == end:
        return False
    now = moment.astimezone(policy.zone).time().replace(tzinfo=None)
    if start < end:
        return start <= now < end
    return now >= start or now < end


def next_allowed(moment: datetime, policy: SchedulePolicy) -> datetime:
    """``moment`` itself when it is not quiet, else the end of its quiet hours (the morning)."""
    if not is_quiet(moment, policy):
        return moment
    local = moment.astimezone(policy.zone)
    day = local.date()
    if policy.quiet_start > policy.quiet_end and local.time().replace(tzinfo=None) >= policy.quiet_start:
        day += timedelta(days=1)  # in the evening: the quiet hours end tomorrow morning
    return at_local(day, policy.quiet_end, policy.zone)


def place_reminder(planned: datetime, closes_at: datetime, policy: SchedulePolicy) -> datetime:
    """When a reminder planned for ``planned`` actually goes out.

    A reminder in quiet hours waits for the morning. When that morning is already past closing (a "2h" reminder
    before a 23:59 close), it is brought forward instead, to the minute before that night's quiet hours began:
    deferred or advanced, never dropped.
    """
    deferred = next_allowed(planned, policy)
    if deferred == planned or deferred < closes_at:
        return deferred
    local = planned.astimezone(policy.zone)
    day = local.date()
    if policy.quiet_start > policy.quiet_end and local.time().replace(tzinfo=None) < policy.quiet_end:
        day -= timedelta(days=1)  # after midnight: the quiet hours began the evening before
    return at_local(day, policy.quiet_start, policy.zone) - timedelta(minutes=1)
