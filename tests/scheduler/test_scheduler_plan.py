"""The plan is a pure function of the processes, the policy and now: ids, times, quiet hours, daylight saving."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.domain import Phase, ProcessKind
from bot.scheduling import JobKind, ProcessSnapshot, SchedulePolicy, plan_jobs
from bot.scheduling.jobs import reminder_moment
from bot.scheduling.quiet import at_local, is_quiet, next_allowed, place_reminder

POLICY = SchedulePolicy()
ZONE = POLICY.zone


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE).astimezone(UTC)


def snapshot(
    phase: Phase = Phase.DRAFT, *, opens: str, closes: str, reminders: tuple[str, ...] = ()
) -> ProcessSnapshot:
    return ProcessSnapshot(
        1, "bo", ProcessKind.BUDGET, phase, local(opens), local(closes), True, reminders, local(opens)
    )


def test_the_same_store_gives_the_same_jobs_with_the_same_ids() -> None:
    process = snapshot(opens="2027-06-07 08:00", closes="2027-06-13 20:00", reminders=("3d", "1d"))
    now = local("2027-06-01 12:00")
    first, second = plan_jobs([process], POLICY, now), plan_jobs([process], POLICY, now)
    assert first == second
    assert [job.id for job in first if job.kind is not JobKind.DIGEST] == [
        "open:bo:20270607T0600Z",
        "remind:bo:3d:20270613T1800Z",
        "remind:bo:1d:20270613T1800Z",
    ]


def test_an_open_process_plans_its_close_and_a_moved_close_is_a_new_job() -> None:
    now = local("2027-06-08 12:00")
    before = plan_jobs([snapshot(Phase.OPEN, opens="2027-06-07 08:00", closes="2027-06-13 20:00")], POLICY, now)
    later = plan_jobs([snapshot(Phase.OPEN, opens="2027-06-07 08:00", closes="2027-06-20 20:00")], POLICY, now)
    close_before = [job for job in before if job.kind is JobKind.CLOSE]
    close_later = [job for job in later if job.kind is JobKind.CLOSE]
    assert [job.at for job in close_before] == [local("2027-06-13 20:00")]
    assert [job.at for job in close_later] == [local("2027-06-20 20:00")]
    assert close_before[0].id != close_later[0].id


def test_quiet_hours_cross_midnight() -> None:
    assert is_quiet(local("2027-06-10 21:00"), POLICY)
    assert is_quiet(local("2027-06-10 03:00"), POLICY)
    assert not is_quiet(local("2027-06-10 08:00"), POLICY)
    assert not is_quiet(local("2027-06-10 20:59"), POLICY)
    assert next_allowed(local("2027-06-10 22:30"), POLICY) == local("2027-06-11 08:00")
    assert next_allowed(local("2027-06-11 05:00"), POLICY) == local("2027-06-11 08:00")
    assert not is_quiet(local("2027-06-10 23:00"), SchedulePolicy(quiet_start=time(0, 0), quiet_end=time(0, 0)))


def test_a_reminder_in_quiet_hours_waits_for_the_morning() -> None:
    # Closing Sunday 12:00: "1d" is Saturday 12:00 (fine), "14h" is Saturday 22:00 → Sunday 08:00.
    closes = local("2027-06-13 12:00")
    assert place_reminder(reminder_moment(closes, "14h", POLICY), closes, POLICY) == local("2027-06-13 08:00")
    assert place_reminder(reminder_moment(closes, "1d", POLICY), closes, POLICY) == local("2027-06-12 12:00")


def test_a_reminder_whose_morning_is_after_closing_comes_the_evening_before() -> None:
    # Closing Sunday 23:59: "2h" is 21:59, in quiet hours; Monday morning is too late, so 20:59 it is.
    closes = local("2027-06-13 23:59")
    assert place_reminder(reminder_moment(closes, "2h", POLICY), closes, POLICY) == local("2027-06-13 20:59")
    # Closing Monday 07:00: "3h" is 04:00 → the evening before, Sunday 20:59.
    closes = local("2027-06-14 07:00")
    assert place_reminder(reminder_moment(closes, "3h", POLICY), closes, POLICY) == local("2027-06-13 20:59")


def test_day_offsets_keep_the_wall_clock_across_the_march_change() -> None:
    # Summer time starts on Sunday 2027-03-28 (02:00 → 03:00). Closing Tuesday 20:00 CEST.
    closes = local("2027-03-30 20:00")
    assert closes.utcoffset() == timedelta(0) and closes.hour == 18
    assert reminder_moment(closes, "3d", POLICY) == local("2027-03-27 20:00")  # Saturday 20:00 CET = 19:00 UTC
    assert reminder_moment(closes, "3d", POLICY).hour == 19
    assert reminder_moment(closes, "72h", POLICY) == local("2027-03-27 19:00")  # hours are elapsed time


def test_day_offsets_keep_the_wall_clock_across_the_october_change() -> None:
    # Winter time starts on Sunday 2027-10-31 (03:00 → 02:00). Closing Tuesday 18:00 CET.
    closes = local("2027-11-02 18:00")
    assert reminder_moment(closes, "3d", POLICY) == local("2027-10-30 18:00")  # Saturday 18:00 CEST = 16:00 UTC
    assert reminder_moment(closes, "3d", POLICY).hour == 16


def test_wall_times_that_do_not_exist_or_repeat_are_read_once() -> None:
    # 02:30 does not exist on 2027-03-28; 02:30 happens twice on 2027-10-31: the first is taken.
    assert at_local(local("2027-03-28 12:00").date(), time(2, 30), ZONE) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert at_local(local("2027-10-31 12:00").date(), time(2, 30), ZONE) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_one_digest_a_day_at_the_local_hour_also_on_the_change_days() -> None:
    for day, utc_hour in (("2027-03-28", 6), ("2027-03-29", 6), ("2027-10-31", 7), ("2027-11-01", 7)):
        digests = [job for job in plan_jobs([], POLICY, local(f"{day} 12:00")) if job.kind is JobKind.DIGEST]
        assert digests[0].id == f"digest:{day}"
        assert digests[0].at.hour == utc_hour and digests[0].at.minute == 30


def test_reminders_before_opening_or_after_closing_are_not_planned() -> None:
    process = snapshot(opens="2027-06-12 08:00", closes="2027-06-13 20:00", reminders=("3d", "90m"))
    jobs = plan_jobs([process], POLICY, local("2027-06-01 12:00"))
    assert [job.slot for job in jobs if job.kind is JobKind.REMIND] == ["90m"]


def test_a_draft_nobody_will_open_on_time_gets_no_reminders_planned() -> None:
    manual = ProcessSnapshot(
        2, "reczny", ProcessKind.VOTE, Phase.DRAFT, None, local("2027-06-13 20:00"), False, ("1d",), local("2027-06-01")
    )
    assert [job.kind for job in plan_jobs([manual], POLICY, local("2027-06-12 21:00"))] == [JobKind.DIGEST] * 2
